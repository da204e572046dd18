"""The language crmbridge speaks: tools, providers, hooks, rate limits, schemas and the OAuth contract.

Everything else imports this package; it imports nothing of crmbridge but the error taxonomy. A tool or
a provider built here can be run by any engine that is handed it.
"""

from .hooks import CallContext, PageInfo, Prepared, Preparer, ProviderHooks, Resolver
from .limits import DAY, CostRule, DailyBudget, RateLimits, Window
from .oauth import (
    GrantRejected,
    Identity,
    OAuthClient,
    TokenSet,
    UninstallNotice,
    UnsafeGrant,
    basic_credentials,
    client_matches,
    token_endpoint_error,
)
from .provider import AuthSpec, Provider
from .schema import (
    AssociationType,
    ObjectSchema,
    PipelineSchema,
    PropertyOption,
    PropertySchema,
    SchemaSnapshot,
    StageSchema,
)
from .tool import Annotations, Output, Recheck, Tool

__all__ = [
    "DAY",
    "Annotations",
    "AssociationType",
    "AuthSpec",
    "CallContext",
    "CostRule",
    "DailyBudget",
    "GrantRejected",
    "Identity",
    "OAuthClient",
    "ObjectSchema",
    "Output",
    "PageInfo",
    "PipelineSchema",
    "Prepared",
    "Preparer",
    "PropertyOption",
    "PropertySchema",
    "Provider",
    "ProviderHooks",
    "RateLimits",
    "Recheck",
    "Resolver",
    "SchemaSnapshot",
    "StageSchema",
    "TokenSet",
    "Tool",
    "UninstallNotice",
    "UnsafeGrant",
    "Window",
    "basic_credentials",
    "client_matches",
    "token_endpoint_error",
]

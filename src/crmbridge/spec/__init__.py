"""The language crmbridge speaks: tools, providers, hooks, rate limits and schemas, as plain data.

Everything else imports this package; it imports nothing of crmbridge but the error taxonomy (for
type hints). A tool or a provider built here can be run by any engine that is handed it.
"""

from .hooks import CallContext, PageInfo, Prepared, Preparer, ProviderHooks, Resolver
from .limits import DAY, CostRule, DailyBudget, RateLimits, Window
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
    "Tool",
    "Window",
]

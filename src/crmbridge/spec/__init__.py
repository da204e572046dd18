"""The language crmbridge speaks: tools, providers, hooks, rate limits, schemas and the OAuth contract.

Everything else imports this package; it imports nothing of crmbridge but the error taxonomy. A tool or
a provider built here can be run by any engine that is handed it.

Names load on first use (start-up cost): declaring tools and providers needs only ``tool``,
``provider`` and ``limits``; the OAuth contract, the hooks contract and discovery's schema load when
something asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_attributes

if TYPE_CHECKING:
    from .hooks import CallContext, NewestFirst, PageInfo, Prepared, Preparer, ProviderHooks, Resolver
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
    from .tool import NON_BLANK, Annotations, Output, Recheck, Tool

__all__ = [
    "DAY",
    "NON_BLANK",
    "Annotations",
    "AssociationType",
    "AuthSpec",
    "CallContext",
    "CostRule",
    "DailyBudget",
    "GrantRejected",
    "Identity",
    "NewestFirst",
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

_HOME = {
    **dict.fromkeys(
        ("CallContext", "NewestFirst", "PageInfo", "Prepared", "Preparer", "ProviderHooks", "Resolver"),
        "hooks",
    ),
    **dict.fromkeys(("DAY", "CostRule", "DailyBudget", "RateLimits", "Window"), "limits"),
    **dict.fromkeys(
        (
            "GrantRejected",
            "Identity",
            "OAuthClient",
            "TokenSet",
            "UninstallNotice",
            "UnsafeGrant",
            "basic_credentials",
            "client_matches",
            "token_endpoint_error",
        ),
        "oauth",
    ),
    **dict.fromkeys(("AuthSpec", "Provider"), "provider"),
    **dict.fromkeys(
        (
            "AssociationType",
            "ObjectSchema",
            "PipelineSchema",
            "PropertyOption",
            "PropertySchema",
            "SchemaSnapshot",
            "StageSchema",
        ),
        "schema",
    ),
    **dict.fromkeys(("NON_BLANK", "Annotations", "Output", "Recheck", "Tool"), "tool"),
}


__getattr__ = lazy_attributes(__name__, _HOME, globals())

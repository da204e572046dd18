"""crmbridge: safe, authenticated, reliable CRM tools for AI agents (HubSpot and Pipedrive).

``from crmbridge import Bridge`` is the entry point. Names load on first use, so importing the
package (or just the tool catalog) does not pay for the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from .lazy import lazy_attributes

if TYPE_CHECKING:
    from .core import AccountStatus, Bridge, ConnectedAccount, Connection, Runtime
    from .engine import ToolError, ToolResult
    from .errors import (
        AmbiguousReference,
        AuthFailed,
        ConfigurationError,
        Conflict,
        CrmBridgeError,
        DeadlineExceeded,
        InsufficientScope,
        InternalError,
        InvalidInput,
        NotFound,
        OutcomeUnknown,
        ProviderError,
        ProviderUnavailable,
        RateLimited,
        ReauthorizationRequired,
        StorageUnavailable,
        UnknownTool,
    )
    from .spec import Provider, Tool
    from .toolsets import Toolset

__all__ = [
    "AccountStatus",
    "AmbiguousReference",
    "AuthFailed",
    "Bridge",
    "ConfigurationError",
    "Conflict",
    "ConnectedAccount",
    "Connection",
    "CrmBridgeError",
    "DeadlineExceeded",
    "InsufficientScope",
    "InternalError",
    "InvalidInput",
    "NotFound",
    "OutcomeUnknown",
    "Provider",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "ReauthorizationRequired",
    "Runtime",
    "StorageUnavailable",
    "Tool",
    "ToolError",
    "ToolResult",
    "Toolset",
    "UnknownTool",
    "__version__",
]

_HOME = {
    "Bridge": "core",
    "AccountStatus": "core",
    "ConnectedAccount": "core",
    "Connection": "core",
    "Runtime": "core",
    "Provider": "spec",
    "Tool": "spec",
    "Toolset": "toolsets",
    "ToolResult": "engine",
    "ToolError": "engine",
}


__getattr__ = lazy_attributes(
    __name__, {name: _HOME.get(name, "errors") for name in __all__ if name != "__version__"}, globals()
)

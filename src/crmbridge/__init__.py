"""crmbridge: safe, authenticated, reliable CRM tools for AI agents (HubSpot and Pipedrive).

``from crmbridge import Bridge`` is the entry point. Names load on first use, so importing the
package (or just the tool catalog) does not pay for the database layer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

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


def __getattr__(name: str) -> Any:
    module = _HOME.get(name, "errors") if name in __all__ and name != "__version__" else None
    if module is None:
        raise AttributeError(f"module 'crmbridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value

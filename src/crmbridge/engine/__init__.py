"""The engine: one path for every tool call (validate, resolve, send, retry, map errors, shape).

Names load on first use: reading the catalog (tool definitions) must not pay for the HTTP stack, so a
process that only lists tools never imports httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_attributes

if TYPE_CHECKING:
    from .catalog import Catalog, tool_definition
    from .context import CallContext, CallTarget, TTLCache
    from .executor import Engine
    from .hooks import DefaultHooks, body_json, default_error, retry_after_seconds
    from .http import HttpCore
    from .result import ToolError, ToolResult
    from .retry import RetryPolicy

__all__ = [
    "CallContext",
    "CallTarget",
    "Catalog",
    "DefaultHooks",
    "Engine",
    "HttpCore",
    "RetryPolicy",
    "TTLCache",
    "ToolError",
    "ToolResult",
    "body_json",
    "default_error",
    "retry_after_seconds",
    "tool_definition",
]

_HOME = {
    "Catalog": "catalog",
    "tool_definition": "catalog",
    "CallContext": "context",
    "CallTarget": "context",
    "TTLCache": "context",
    "Engine": "executor",
    "DefaultHooks": "hooks",
    "body_json": "hooks",
    "default_error": "hooks",
    "retry_after_seconds": "hooks",
    "HttpCore": "http",
    "ToolError": "result",
    "ToolResult": "result",
    "RetryPolicy": "retry",
}


__getattr__ = lazy_attributes(__name__, _HOME, globals())

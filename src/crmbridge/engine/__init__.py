"""The engine: one path for every tool call (validate, resolve, send, retry, map errors, shape)."""

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

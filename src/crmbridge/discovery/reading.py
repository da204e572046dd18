"""How discovery and bindings reach one account: a :data:`~crmbridge.spec.schema_adapter.Reader` that runs
tools through the engine and turns a failed result back into the taxonomy's error."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any

from ..engine import ToolResult
from ..engine.result import ToolError
from ..errors import ConfigurationError, CrmBridgeError, ProviderError
from ..spec import Tool
from ..spec.schema_adapter import Reader, SchemaAdapter

__all__ = ["Runner", "adapter_for", "error_of", "reader", "register_adapter"]

#: Runs a tool for one account: what ``Bridge.arun_tool`` with the account bound does.
Runner = Callable[[Tool, Mapping[str, Any]], Awaitable[ToolResult]]
_TYPED = ("status", "request_id", "retry_after", "provider")
_REGISTERED: dict[str, SchemaAdapter] = {}


def _subclasses(cls: type[CrmBridgeError]) -> list[type[CrmBridgeError]]:
    return [cls, *(s for sub in cls.__subclasses__() for s in _subclasses(sub))]


@cache
def _by_code() -> dict[str, type[CrmBridgeError]]:
    return {c.code: c for c in reversed(_subclasses(CrmBridgeError))}


def error_of(error: ToolError) -> CrmBridgeError:
    """The exception a failed tool result stands for (same class, message and details)."""
    details = dict(error.details)
    typed = {k: details.pop(k) for k in _TYPED if k in details}
    cls = _by_code().get(error.code, ProviderError)
    try:
        return cls(error.message, **typed, **details)
    except TypeError:  # a class with its own constructor: keep the code's meaning as a provider error
        return ProviderError(error.message, **typed, **details)


def reader(run: Runner) -> Reader:
    async def read(tool: Tool, args: Mapping[str, Any]) -> Any:
        result = await run(tool, args)
        if not result.ok:
            assert result.error is not None
            raise error_of(result.error)
        return result.data

    return read


def register_adapter(adapter: SchemaAdapter) -> None:
    """Discovery and bindings for a provider that is not built in (an application's own CRM)."""
    _REGISTERED[adapter.provider] = adapter


def adapter_for(provider: str) -> SchemaAdapter:
    """The provider's schema adapter: registered, or its folder's ``discovery.ADAPTER``."""
    if provider in _REGISTERED:
        return _REGISTERED[provider]
    try:
        module = importlib.import_module(f"crmbridge.providers.{provider}.discovery")
    except ModuleNotFoundError:
        raise ConfigurationError(
            f"Provider {provider!r} has no schema discovery; register one with register_adapter(...).",
            provider=provider,
        ) from None
    adapter: SchemaAdapter = module.ADAPTER
    return adapter

"""``FunctionToolset``: tools backed by plain Python functions.

For users' tests (drive an agent loop, an adapter or a wrapper without a CRM, the way httpx ships a
mock transport) and for tools that are not HTTP calls. Inputs are validated against the tool's JSON
Schema exactly as CRM tools are, and errors come back as results, never raised.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from ..engine import ToolError, ToolResult
from ..engine.schema import CompiledSchema
from ..errors import ConfigurationError, CrmBridgeError, InternalError
from ..spec import Annotations, Tool
from .base import AbstractToolset
from .selection import unknown_tool_result

__all__ = ["FunctionToolset"]

log = logging.getLogger("crmbridge.toolsets")

ToolFunction = Callable[..., Any] | Callable[..., Awaitable[Any]]

_JSON_TYPES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_JSON_TYPES.update({list: "array", dict: "object", "str": "string", "int": "integer", "float": "number"})
_JSON_TYPES.update({"bool": "boolean", "list": "array", "dict": "object"})


def schema_of(function: Callable[..., Any]) -> dict[str, Any]:
    """A JSON Schema for ``function``'s keyword parameters: simple annotations become types, parameters
    without a default are required. Pass ``input_schema=`` for anything richer."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        json_type = _JSON_TYPES.get(parameter.annotation)
        properties[name] = {"type": json_type} if json_type else {}
        if parameter.default is parameter.empty:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


class FunctionToolset(AbstractToolset):
    """Tools from functions (sync or async). ``calls`` records every accepted call, for assertions.

    >>> toolset = FunctionToolset()
    >>> @toolset.function(read_only=True)
    ... def find_contact(email: str) -> dict:
    ...     "Find a contact by email."
    ...     return {"id": "1", "email": email}
    """

    def __init__(self, functions: Iterable[ToolFunction] | Mapping[str, ToolFunction] = ()) -> None:
        self._tools: dict[str, tuple[Tool, ToolFunction, CompiledSchema]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        items = functions.items() if isinstance(functions, Mapping) else ((None, f) for f in functions)
        for name, function in items:
            self.add(function, name=name)

    def add(
        self,
        function: ToolFunction,
        *,
        name: str | None = None,
        description: str | None = None,
        input_schema: Mapping[str, Any] | None = None,
        read_only: bool = False,
        destructive: bool = False,
        idempotent: bool = False,
    ) -> Tool:
        """Register ``function`` as a tool; its name and description default to the function's own."""
        tool_name = name or function.__name__
        if tool_name in self._tools:
            raise ConfigurationError(f"A tool named {tool_name!r} is already in this toolset.")
        schema = dict(input_schema) if input_schema is not None else schema_of(function)
        tool = Tool(
            name=tool_name,
            description=description or inspect.getdoc(function) or tool_name,
            input_schema=schema,
            method="CALL",
            path="",
            annotations=Annotations(read_only=read_only, destructive=destructive, idempotent=idempotent),
            provider="functions",
        )
        self._tools[tool_name] = (tool, function, CompiledSchema(schema))
        return tool

    def function(self, name: str | None = None, **options: Any) -> Callable[[ToolFunction], ToolFunction]:
        """Decorator form of :meth:`add` (same options)."""

        def register(function: ToolFunction) -> ToolFunction:
            self.add(function, name=name, **options)
            return function

        return register

    def list_tools(self) -> Sequence[Tool]:
        return [entry[0] for entry in self._tools.values()]

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        entry = self._tools.get(name)
        if entry is None:
            return unknown_tool_result(name, self.list_tools())
        _, function, schema = entry
        try:
            parsed = schema.parse(args)
            self.calls.append((name, parsed))
            value = function(**parsed)
            if inspect.isawaitable(value):
                value = await value
        except CrmBridgeError as exc:
            return ToolResult(name, False, error=ToolError.from_exception(exc))
        except Exception as exc:  # a failing function must not crash the agent loop under test
            log.exception("function tool %s raised %s", name, type(exc).__name__)
            error = InternalError(f"The tool {name!r} failed ({type(exc).__name__}).")
            return ToolResult(name, False, error=ToolError.from_exception(error))
        return ToolResult(name, True, value)

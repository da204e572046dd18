"""The tool catalog: every provider's tools by name, with validators compiled once on first use."""

from __future__ import annotations

import difflib
from typing import Any

from ..errors import UnknownTool
from ..providers import PROVIDER_NAMES, get_provider
from ..providers.spec import Tool
from .schema import CompiledSchema, strict_schema

__all__ = ["Catalog", "tool_definition"]


class Catalog:
    """Looks tools up by name; the provider follows from the name's prefix (``hubspot_…``)."""

    def __init__(self) -> None:
        self._compiled: dict[str, CompiledSchema] = {}
        self._by_name: dict[str, Tool] = {}

    def tools(self, provider: str | None = None) -> list[Tool]:
        names = [provider] if provider else list(PROVIDER_NAMES)
        return [tool for name in names for tool in get_provider(name).tools]

    def tool(self, name: str) -> Tool:
        found = self._by_name.get(name)
        if found is not None:
            return found
        prefix = name.split("_", 1)[0]
        if prefix in PROVIDER_NAMES:
            self._by_name.update((t.name, t) for t in get_provider(prefix).tools)
            if name in self._by_name:
                return self._by_name[name]
        known = [t.name for t in self.tools(prefix if prefix in PROVIDER_NAMES else None)]
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownTool(f"There is no tool named {name!r}.{hint}", candidates=close or None)

    def schema(self, tool: Tool) -> CompiledSchema:
        compiled = self._compiled.get(tool.name)
        if compiled is None:
            compiled = self._compiled[tool.name] = CompiledSchema(tool.input_schema)
        return compiled


def tool_definition(tool: Tool, *, strict: bool = False) -> dict[str, Any]:
    """The neutral definition: name, description, input_schema, annotations, scopes."""
    schema: dict[str, Any] = dict(tool.input_schema)
    is_strict = False
    if strict:
        schema, is_strict = strict_schema(tool.input_schema)
    out: dict[str, Any] = {
        "name": tool.name,
        "description": tool.description,
        "input_schema": schema,
        "annotations": tool.annotations.to_dict(),
        "scopes": list(tool.scopes),
        "provider": tool.provider,
    }
    if strict:
        out["strict"] = is_strict
    return out

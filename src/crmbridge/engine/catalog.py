"""The tool catalog: the tools of a given list of providers, by name, with validators compiled once.

Loading a catalog reads tool definitions and nothing more: the schema machinery (``.schema``) loads
with the first validator or strict definition asked for, ``difflib`` with the first unknown tool name
(start-up cost).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, UnknownTool, register_secret_patterns

if TYPE_CHECKING:
    from ..spec import Provider, Tool
    from .schema import CompiledSchema

__all__ = ["Catalog", "tool_definition"]


class Catalog:
    """Providers and their tools by name. Built by whoever assembles the runtime; nothing is global.

    A later provider with the name of an earlier one replaces it, so an application can swap a
    built-in CRM for its own variant.
    """

    def __init__(self, providers: Iterable[Provider] = ()) -> None:
        self._providers: dict[str, Provider] = {}
        self._by_name: dict[str, Tool] = {}
        self._compiled: dict[int, tuple[Tool, CompiledSchema]] = {}
        for provider in providers:
            self.add(provider)

    def add(self, provider: Provider) -> None:
        """Register ``provider``; its tool names must not collide with another provider's. From now on
        error messages mask its credentials by shape."""
        replaced = self._providers.get(provider.name)
        taken = {name for name, t in self._by_name.items() if t.provider != provider.name}
        clashes = sorted(t.name for t in provider.tools if t.name in taken)
        if clashes:
            raise ConfigurationError(
                f"Provider {provider.name!r} declares tools another provider already has: {', '.join(clashes)}."
            )
        if replaced is not None:
            for tool in replaced.tools:
                self._by_name.pop(tool.name, None)
        self._providers[provider.name] = provider
        self._by_name.update((t.name, t) for t in provider.tools)
        register_secret_patterns(provider.auth.secret_patterns)

    @property
    def provider_names(self) -> list[str]:
        return list(self._providers)

    def providers(self) -> list[Provider]:
        return list(self._providers.values())

    def provider(self, name: str) -> Provider:
        """The provider by name, in any case (``"HubSpot"``); its ``.name`` is the one to store."""
        found = self._providers.get(name) or self._providers.get(str(name).strip().lower())
        if found is None:
            known = ", ".join(self._providers) or "none"
            raise ConfigurationError(
                f"Unknown provider {name!r}; this runtime has: {known}.", allowed=list(self._providers)
            )
        return found

    def tools(self, provider: str | None = None) -> list[Tool]:
        if provider is not None:
            return list(self.provider(provider).tools)
        return [tool for p in self._providers.values() for tool in p.tools]

    def tool(self, name: str) -> Tool:
        """The tool by name, in any case."""
        found = self._by_name.get(name) or self._by_name.get(str(name).strip().lower())
        if found is not None:
            return found
        import difflib

        prefix = name.split("_", 1)[0]
        known = [t.name for t in self.tools(prefix if prefix in self._providers else None)]
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownTool(f"There is no tool named {name!r}.{hint}", candidates=close or None)

    def schema(self, tool: Tool) -> CompiledSchema:
        """The tool's compiled validator: built on first use, once per tool object (a skill compiled
        for one account is its own object, so it never shares a catalog tool's validator)."""
        hit = self._compiled.get(id(tool))
        if hit is not None and hit[0] is tool:
            return hit[1]
        from .schema import CompiledSchema

        compiled = CompiledSchema(tool.input_schema)
        self._compiled[id(tool)] = (tool, compiled)
        return compiled


def tool_definition(tool: Tool, *, strict: bool = False) -> dict[str, Any]:
    """The neutral definition: name, description, input_schema, annotations, scopes."""
    schema: dict[str, Any] = dict(tool.input_schema)
    is_strict = False
    if strict:
        from .schema import strict_schema

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

"""Wrappers: a policy or a view over another toolset, each a small class that overrides what it changes.

The wrapped toolset does the work; a wrapper decides which tools are seen (``FilteredToolset``), under
which names (``RenamedToolset``, ``PrefixedToolset``), or combines several (``CombinedToolset``). Later
policies (gated writes, one serial lane, verified identity) are wrappers of the same shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..engine import ToolResult
from ..errors import ConfigurationError
from ..spec import Tool
from .base import AbstractToolset, Toolset
from .selection import unknown_tool_result

__all__ = ["CombinedToolset", "FilteredToolset", "PrefixedToolset", "RenamedToolset", "WrapperToolset"]


class WrapperToolset(AbstractToolset):
    """Passes everything through to ``wrapped``; subclasses override only what their policy changes."""

    def __init__(self, wrapped: Toolset) -> None:
        self.wrapped = wrapped

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.wrapped!r})"

    def list_tools(self) -> Sequence[Tool]:
        return self.wrapped.list_tools()

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        return await self.wrapped.call_tool(name, args)

    def call_tool_sync(self, name: str, args: Any) -> ToolResult:
        # The wrapped toolset knows which loop its calls belong on (an account's runtime loop).
        return self.wrapped.call_tool_sync(name, args)


class FilteredToolset(WrapperToolset):
    """Only the tools ``keep(tool)`` accepts are listed or callable."""

    def __init__(self, wrapped: Toolset, keep: Callable[[Tool], bool]) -> None:
        super().__init__(wrapped)
        self._keep = keep

    @classmethod
    def named(cls, wrapped: Toolset, names: Iterable[str]) -> FilteredToolset:
        """Keep exactly ``names``; a name the wrapped toolset does not have is a set-up error."""
        wanted = set(names)
        missing = sorted(wanted - {t.name for t in wrapped.list_tools()})
        if missing:
            raise ConfigurationError(f"These tools are not in the toolset: {', '.join(missing)}.")
        return cls(wrapped, lambda tool: tool.name in wanted)

    @classmethod
    def read_only(cls, wrapped: Toolset) -> FilteredToolset:
        """Keep the tools that change nothing."""
        return cls(wrapped, lambda tool: tool.annotations.read_only)

    def list_tools(self) -> Sequence[Tool]:
        return [t for t in self.wrapped.list_tools() if self._keep(t)]

    def _allowed(self, name: str) -> bool:
        return any(t.name == name for t in self.list_tools())

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        if not self._allowed(name):
            return unknown_tool_result(name, self.list_tools())
        return await self.wrapped.call_tool(name, args)

    def call_tool_sync(self, name: str, args: Any) -> ToolResult:
        if not self._allowed(name):
            return unknown_tool_result(name, self.list_tools())
        return self.wrapped.call_tool_sync(name, args)


class RenamedToolset(WrapperToolset):
    """Tools listed under new names (``{"hubspot_contacts_search": "find_contact"}``); others keep theirs."""

    def __init__(self, wrapped: Toolset, names: Mapping[str, str]) -> None:
        super().__init__(wrapped)
        self._new = dict(names)
        self._old = {new: old for old, new in self._new.items()}
        if len(self._old) != len(self._new):
            raise ConfigurationError("Two tools cannot be renamed to the same name.")

    def _new_name(self, name: str) -> str:
        return self._new.get(name, name)

    def list_tools(self) -> Sequence[Tool]:
        return [
            dataclasses.replace(t, name=self._new_name(t.name)) if t.name in self._new else t
            for t in self.wrapped.list_tools()
        ]

    def _original(self, name: str) -> str | None:
        if name in self._old:
            return self._old[name]
        return None if name in self._new else name  # an old name that was renamed away is gone

    def _relabel(self, name: str, result: ToolResult) -> ToolResult:
        return dataclasses.replace(result, tool_name=name)

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        original = self._original(name)
        if original is None:
            return unknown_tool_result(name, self.list_tools())
        return self._relabel(name, await self.wrapped.call_tool(original, args))

    def call_tool_sync(self, name: str, args: Any) -> ToolResult:
        original = self._original(name)
        if original is None:
            return unknown_tool_result(name, self.list_tools())
        return self._relabel(name, self.wrapped.call_tool_sync(original, args))


class PrefixedToolset(RenamedToolset):
    """Every tool's name with ``prefix`` in front (two accounts of one CRM in one agent: ``work_``, ``home_``)."""

    def __init__(self, wrapped: Toolset, prefix: str) -> None:
        super().__init__(wrapped, {t.name: f"{prefix}{t.name}" for t in wrapped.list_tools()})


class CombinedToolset(AbstractToolset):
    """Several toolsets as one; a name must not appear in two of them."""

    def __init__(self, toolsets: Iterable[Toolset]) -> None:
        self.toolsets = list(toolsets)
        seen: dict[str, int] = {}
        for index, toolset in enumerate(self.toolsets):
            for tool in toolset.list_tools():
                if tool.name in seen:
                    raise ConfigurationError(
                        f"Tool {tool.name!r} is in two of the combined toolsets; rename or prefix one."
                    )
                seen[tool.name] = index
        self._owner = seen

    def list_tools(self) -> Sequence[Tool]:
        return [t for toolset in self.toolsets for t in toolset.list_tools()]

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        index = self._owner.get(name)
        if index is None:
            return unknown_tool_result(name, self.list_tools())
        return await self.toolsets[index].call_tool(name, args)

    def call_tool_sync(self, name: str, args: Any) -> ToolResult:
        index = self._owner.get(name)
        if index is None:
            return unknown_tool_result(name, self.list_tools())
        return self.toolsets[index].call_tool_sync(name, args)

"""Picking tools by name, with a clear error for names that do not exist."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from ..engine import Catalog, ToolError, ToolResult
from ..errors import UnknownTool
from ..spec import Tool

__all__ = ["select_tools", "unknown_tool_result"]


def _unknown(name: str, known: Iterable[str], scope: str = "") -> UnknownTool:
    close = difflib.get_close_matches(name, list(known), n=5, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return UnknownTool(f"There is no tool named {name!r}{scope}.{hint}", candidates=close or None)


def select_tools(
    catalog: Catalog, provider: str | None = None, tool_names: Iterable[str] | None = None
) -> list[Tool]:
    """The catalog's tools of ``provider`` (every provider when None), optionally only ``tool_names``.

    Unknown names raise :class:`~crmbridge.errors.UnknownTool` with close matches: a typo in an agent's
    tool list is a set-up mistake, better caught before the model runs.
    """
    tools = catalog.tools(provider)
    if tool_names is None:
        return tools
    by_name = {t.name: t for t in tools}
    chosen: list[Tool] = []
    for name in tool_names:
        tool = by_name.get(name)
        if tool is None:
            raise _unknown(name, by_name, f" for {provider}" if provider else "")
        chosen.append(tool)
    return chosen


def unknown_tool_result(name: str, tools: Sequence[Tool]) -> ToolResult:
    """What calling a name a toolset does not list returns (the model may have invented it)."""
    error = _unknown(name, [t.name for t in tools], " in this toolset")
    return ToolResult(name, False, error=ToolError.from_exception(error))

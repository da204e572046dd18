"""What every front end shares: the tools of a toolset, the result text a model reads.

Front ends stay thin shells over a :class:`~crmbridge.toolsets.Toolset`: they translate a framework's
tool format and tool-call shape, then hand the call to ``toolset.call_tool`` / ``call_tool_sync``, so a
tool behaves the same whoever calls it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import ToolResult
from ..spec import Tool
from ..toolsets import Toolset

__all__ = ["ToolSource", "field", "result_content", "tools_of"]

#: A toolset, or the tools themselves (definitions only: nothing can be called through a bare list).
ToolSource = Toolset | Iterable[Tool]


def tools_of(source: ToolSource) -> list[Tool]:
    """The tools of a toolset, or the given tools as a list."""
    if isinstance(source, Toolset):
        return list(source.list_tools())
    if isinstance(source, str):
        raise TypeError(
            f"Pass a toolset (bridge.toolset(identifier=…)) or a list of tools, not the name {source!r}."
        )
    return list(source)


def result_content(result: ToolResult) -> str:
    """The text a model reads: compact JSON of ``result.to_dict()``, errors included, never raised."""
    return json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":"), default=str)


def field(obj: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a dict or an SDK object (OpenAI / Anthropic clients return models)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)

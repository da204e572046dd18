"""What every front end shares: picking tools from the catalog, the default Bridge, result text.

Front ends stay thin shells over :class:`~crmbridge.core.Bridge`: they translate a framework's tool
format and tool-call shape, then hand the call to ``bridge.execute_tool`` / ``aexecute_tool``, so a
tool behaves the same whoever calls it.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..engine import Catalog, ToolResult
from ..errors import UnknownTool
from ..providers import default_catalog
from ..spec import Tool

if TYPE_CHECKING:
    from ..core import Bridge

__all__ = [
    "field",
    "get_default_bridge",
    "result_content",
    "select_tools",
    "set_default_bridge",
]

_CATALOG: Catalog = default_catalog()  # definitions only: validators compile lazily, when a call runs
_default: Bridge | None = None
_default_lock = threading.Lock()


def get_default_bridge() -> Bridge:
    """The process-wide Bridge front ends use when none is passed (``Bridge()``: default data dir).

    Created on first use, so importing an adapter opens no database.
    """
    global _default
    with _default_lock:
        if _default is None:
            from ..core import Bridge

            _default = Bridge()
        return _default


def set_default_bridge(bridge: Bridge | None) -> None:
    """Install ``bridge`` as the process default (``None``: forget it; the next use makes a new one).

    The previous default is not closed: whoever made it owns it.
    """
    global _default
    with _default_lock:
        _default = bridge


def select_tools(provider: str | None = None, tool_names: Iterable[str] | None = None) -> list[Tool]:
    """The catalog's tools of ``provider`` (all providers when None), optionally only ``tool_names``.

    Unknown names raise :class:`~crmbridge.errors.UnknownTool` with close matches: a typo in an agent's
    tool list is a set-up mistake, better caught before the model runs.
    """
    tools = _CATALOG.tools(provider)
    if tool_names is None:
        return tools
    by_name = {t.name: t for t in tools}
    chosen: list[Tool] = []
    for name in tool_names:
        tool = by_name.get(name)
        if tool is None:
            scope = f" for {provider}" if provider else ""
            close = difflib.get_close_matches(name, list(by_name), n=5, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UnknownTool(f"There is no tool named {name!r}{scope}.{hint}", candidates=close or None)
        chosen.append(tool)
    return chosen


def result_content(result: ToolResult) -> str:
    """The text a model reads: compact JSON of ``result.to_dict()``, errors included, never raised."""
    return json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":"), default=str)


def field(obj: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a dict or an SDK object (OpenAI / Anthropic clients return models)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)

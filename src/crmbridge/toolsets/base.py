"""The ``Toolset`` contract: list tools, call one by name. Every front end consumes one.

A toolset may be the catalog bound to one account, an agent's compiled skills, a plain set of Python
functions in a test, or any of those behind a wrapper (filtered, renamed, gated). Front ends (OpenAI,
Anthropic, LangChain, MCP, HTTP) only ever see this contract, so a tool behaves the same whoever calls it.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from ..engine import ToolResult
from ..spec import Tool
from ..syncloop import LoopThread

__all__ = ["AbstractToolset", "Toolset"]


@runtime_checkable
class Toolset(Protocol):
    """Tools an agent may call, and the way to call them.

    ``list_tools`` is cheap and side-effect free (definitions are data). ``call_tool`` never raises for
    a tool's own failure: the error comes back in the result for the model to act on; an unknown name
    is an ``unknown_tool`` result. ``call_tool_sync`` is the same call for synchronous code.
    """

    def list_tools(self) -> Sequence[Tool]: ...

    async def call_tool(self, name: str, args: Any) -> ToolResult: ...

    def call_tool_sync(self, name: str, args: Any) -> ToolResult: ...


_shared_loop: LoopThread | None = None
_shared_lock = threading.Lock()


def _loop() -> LoopThread:
    global _shared_loop
    with _shared_lock:
        if _shared_loop is None:
            _shared_loop = LoopThread()
        return _shared_loop


class AbstractToolset(ABC):
    """Base for toolsets: implement ``list_tools`` and ``call_tool``; the sync twin comes for free
    (run on a private loop thread, so it works from code that has no event loop of its own)."""

    @abstractmethod
    def list_tools(self) -> Sequence[Tool]: ...

    @abstractmethod
    async def call_tool(self, name: str, args: Any) -> ToolResult: ...

    def call_tool_sync(self, name: str, args: Any) -> ToolResult:
        result: ToolResult = _loop().run(self.call_tool(name, args))
        return result

    def tool(self, name: str) -> Tool | None:
        """The listed tool called ``name``, if any."""
        return next((t for t in self.list_tools() if t.name == name), None)

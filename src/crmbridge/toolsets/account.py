"""``AccountToolset``: the catalog bound to one connected account."""

from __future__ import annotations

from collections.abc import Coroutine, Iterable, Sequence
from typing import Any, Protocol

from ..engine import Catalog, ToolResult
from ..engine.deadline import seconds_option
from ..spec import Tool
from .base import AbstractToolset
from .selection import select_tools, unknown_tool_result

__all__ = ["AccountToolset", "ToolRunner"]


class ToolRunner(Protocol):
    """What an account toolset needs from a tenant: its catalog and a way to run a tool for a user
    (``crmbridge.Bridge`` is one)."""

    @property
    def catalog(self) -> Catalog: ...

    async def arun_tool(
        self,
        tool: Tool,
        tool_input: Any = None,
        *,
        identifier: str,
        connection_name: str | None = None,
        include_raw: bool = False,
        deadline: float | None = None,
    ) -> ToolResult: ...

    def run_sync(self, coro: Coroutine[Any, Any, ToolResult]) -> ToolResult: ...


class AccountToolset(AbstractToolset):
    """One user's account: the tools of its provider (or of every provider), optionally narrowed to
    ``tools`` or to the read-only ones. Calls go through the tenant, so the account's credentials, rate
    limits and retries apply; sync calls run on the tenant runtime's loop, sharing its pools.
    ``deadline``: seconds each call may take (``None``: the tenant's default)."""

    def __init__(
        self,
        runner: ToolRunner,
        *,
        identifier: str,
        connection_name: str | None = None,
        provider: str | None = None,
        tools: Iterable[str] | None = None,
        read_only: bool = False,
        deadline: float | None = None,
    ) -> None:
        self.identifier = identifier
        self.connection_name = connection_name
        self.provider = provider
        self.deadline = None if deadline is None else seconds_option("deadline", deadline)
        self._runner = runner
        chosen = select_tools(runner.catalog, provider, tools)
        self._tools = [t for t in chosen if t.annotations.read_only or not read_only]
        self._by_name = {t.name: t for t in self._tools}

    def __repr__(self) -> str:
        return (
            f"AccountToolset(identifier={self.identifier!r}, connection_name={self.connection_name!r}, "
            f"tools={len(self._tools)})"
        )

    def list_tools(self) -> Sequence[Tool]:
        return list(self._tools)

    async def call_tool(self, name: str, args: Any, *, deadline: float | None = None) -> ToolResult:
        """Call one tool; ``deadline`` (seconds) overrides the toolset's for this call."""
        tool = self._by_name.get(name)
        if tool is None:
            return unknown_tool_result(name, self._tools)
        return await self._runner.arun_tool(
            tool,
            args,
            identifier=self.identifier,
            connection_name=self.connection_name,
            deadline=self.deadline if deadline is None else deadline,
        )

    def call_tool_sync(self, name: str, args: Any, *, deadline: float | None = None) -> ToolResult:
        return self._runner.run_sync(self.call_tool(name, args, deadline=deadline))

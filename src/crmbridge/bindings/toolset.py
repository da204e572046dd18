"""Compiled bindings as a :class:`~crmbridge.toolsets.Toolset`: what installing a binding on an agent needs.

``BoundBinding`` is one compiled binding with the account it runs for; a skills layer lists its
``definition`` and calls :meth:`BoundBinding.call`. ``BindingToolset`` serves several, so an agent's
bindings can sit behind the same wrappers (gated writes, serial lanes) as pack skills.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..discovery.reading import Runner
from ..engine import ToolResult
from ..engine.result import ToolError
from ..errors import UnknownTool
from ..spec import Tool
from ..toolsets.base import AbstractToolset
from .compile import CompiledBinding

__all__ = ["BindingToolset", "BoundBinding"]


@dataclass(frozen=True)
class BoundBinding:
    compiled: CompiledBinding
    run: Runner  # runs a tool for the binding's account (``bridge.discovery.runner_for(connection, identifier)``)

    @property
    def definition(self) -> Tool:
        return self.compiled.definition

    async def call(self, args: Any) -> ToolResult:
        return await self.compiled.execute(self.run, args)


class BindingToolset(AbstractToolset):
    def __init__(self, bound: Iterable[BoundBinding]) -> None:
        self._bound = {b.definition.name: b for b in bound}

    def list_tools(self) -> Sequence[Tool]:
        return [b.definition for b in self._bound.values()]

    async def call_tool(self, name: str, args: Any) -> ToolResult:
        bound = self._bound.get(name)
        if bound is None:
            error = UnknownTool(
                f"No binding {name!r} here; listed: {', '.join(sorted(self._bound)) or 'none'}."
            )
            return ToolResult(name, False, error=ToolError.from_exception(error))
        return await bound.call(args)

"""The Bridge's discovery and bindings (a mixin, so the facade file stays small): each is built on first
use, bound to this tenant and run on the same engine path as every tool call."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..bindings import Bindings
from ..discovery import Discovery
from ..discovery.reading import Runner

if TYPE_CHECKING:
    from .bridge import Bridge

__all__ = ["SchemaMethods"]


class SchemaMethods:
    @cached_property
    def discovery(self: Bridge) -> Discovery:  # type: ignore[misc]
        """Discover, browse and search accounts' schemas (``bridge.discovery.adiscover(connection, id)``)."""
        return Discovery(
            self.store.snapshots,
            self.tenant_id,
            runner_for=self._account_runner,
            provider_of=lambda name: self.accounts.connection(name).provider,
        )

    @cached_property
    def bindings(self: Bridge) -> Bindings:  # type: ignore[misc]
        """Validate, preview, compile, save and describe bindings against discovered schemas."""
        return Bindings(self.discovery, target_for=self._target_for)

    def _account_runner(self: Bridge, connection_name: str, identifier: str) -> Runner:  # type: ignore[misc]
        """Runs a tool for one account, through :meth:`Bridge.arun_tool`."""

        async def run(tool: Any, args: Mapping[str, Any]) -> Any:
            return await self.arun_tool(
                tool, dict(args), identifier=identifier, connection_name=connection_name
            )

        return run

    async def _target_for(self: Bridge, connection_name: str, identifier: str) -> Any:  # type: ignore[misc]
        import asyncio

        connection = await asyncio.to_thread(self.accounts.connection, connection_name)
        return await asyncio.to_thread(self.accounts.target, connection.provider, identifier, connection_name)

"""A target whose tools can change while the server runs, and ``notifications/tools/list_changed`` for
the connections that asked for them (``crmbridge mcp --agent``: an agent's skills installed or removed).

Only connections of the handshake era carry an unrequested change notification (stdio, stateful HTTP);
on a 2026-07-28 connection the SDK drops it, and the client sees the new tools on its next list.
"""

from __future__ import annotations

import json
import logging
import weakref
from typing import Any

from mcp.server.connection import Connection
from mcp.server.context import ServerRequestContext

from ...toolsets import Toolset
from .server import McpTarget

__all__ = ["LiveTarget", "tools_fingerprint"]

logger = logging.getLogger(__name__)


def tools_fingerprint(toolset: Toolset) -> str:
    """What a client sees of the tools: names, descriptions, schemas and annotations, canonical JSON."""
    tools = sorted(
        (
            t.name,
            t.description,
            dict(t.input_schema),
            (t.annotations.read_only, t.annotations.destructive, t.annotations.idempotent),
        )
        for t in toolset.list_tools()
    )
    return json.dumps(tools, sort_keys=True, default=str)


class LiveTarget:
    """Hands every request the current target (its :meth:`source` is a ``TargetSource``); after
    :meth:`replace` with other tools, each connection that has made a request hears
    ``tools/list_changed``."""

    def __init__(self, target: McpTarget) -> None:
        self.target = target
        self.fingerprint = tools_fingerprint(target.toolset)
        self._connections: weakref.WeakSet[Connection] = weakref.WeakSet()

    def __repr__(self) -> str:
        return f"LiveTarget({self.target.scope!r}, connections={len(self._connections)})"

    async def source(self, ctx: ServerRequestContext[Any, Any]) -> McpTarget:
        # The request's ServerSession dies with the request; its Connection lives as long as the client
        # stays connected and owns the channel for unrequested notifications. The SDK (2.3) exposes it
        # to low-level handlers only as the session's attribute.
        connection = getattr(ctx.session, "_connection", None)
        if isinstance(connection, Connection):
            self._connections.add(connection)
        return self.target

    async def replace(self, target: McpTarget) -> bool:
        """Serve ``target`` from now on; ``True`` (and a notification to each connection) when its tools
        differ from the ones served so far."""
        fingerprint = tools_fingerprint(target.toolset)
        self.target = target
        if fingerprint == self.fingerprint:
            return False
        self.fingerprint = fingerprint
        for connection in list(self._connections):
            try:
                await connection.send_tool_list_changed()
            except Exception as exc:  # a closed connection: it will not list again
                logger.debug("tools/list_changed not delivered (%s)", type(exc).__name__)
                self._connections.discard(connection)
        return True

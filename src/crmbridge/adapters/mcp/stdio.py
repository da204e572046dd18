"""Serving a toolset over stdio: what ``crmbridge mcp`` runs for desktop agents."""

from __future__ import annotations

from typing import Any

from mcp.server.lowlevel import NotificationOptions
from mcp.server.stdio import stdio_server

from ...toolsets import Toolset
from .live import LiveTarget
from .server import McpTarget, build_server

__all__ = ["serve_stdio"]


async def serve_stdio(toolset: Toolset | McpTarget | LiveTarget, **options: Any) -> None:
    """Serve until the client closes stdin. stdout carries only the protocol: log to stderr.
    ``options`` are :func:`build_server`'s (``confirm_writes``, ``elicit``, …). A :class:`LiveTarget`
    may change its tools while serving: the server then declares ``tools.listChanged`` and notifies."""
    live = isinstance(toolset, LiveTarget)
    server = build_server(toolset.source if isinstance(toolset, LiveTarget) else toolset, **options)
    init = server.create_initialization_options(NotificationOptions(tools_changed=live))
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, init)

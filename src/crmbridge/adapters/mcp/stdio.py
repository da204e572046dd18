"""Serving a toolset over stdio: what ``crmbridge mcp`` runs for desktop agents."""

from __future__ import annotations

from typing import Any

from mcp.server.stdio import stdio_server

from ...toolsets import Toolset
from .server import McpTarget, build_server

__all__ = ["serve_stdio"]


async def serve_stdio(toolset: Toolset | McpTarget, **options: Any) -> None:
    """Serve until the client closes stdin. stdout carries only the protocol: log to stderr.
    ``options`` are :func:`build_server`'s (``confirm_writes``, ``elicit``, …)."""
    server = build_server(toolset, **options)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())

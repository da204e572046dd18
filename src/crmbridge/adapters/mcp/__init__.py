"""MCP for any crmbridge toolset, on the official ``mcp`` SDK (extra ``mcp``): stdio for desktop
agents (``crmbridge mcp``), streamable HTTP for the service to mount, and an in-process server for tests.

Tools carry their JSON Schema, title and annotations; results carry ``structuredContent`` and compact
text; failures are ``isError`` results with our error object and its next step; reference data
(pipelines, owners, the account's fields) are resources; writes can require the user's confirmation,
enforced by the server (see ``confirm.py``).
"""

from __future__ import annotations

from .confirm import ConfirmationPolicy, ConfirmationStore
from .http import McpHttpApp, Resolver, streamable_http_app
from .live import LiveTarget
from .server import McpTarget, TargetSource, build_server
from .stdio import serve_stdio

__all__ = [
    "ConfirmationPolicy",
    "ConfirmationStore",
    "LiveTarget",
    "McpHttpApp",
    "McpTarget",
    "Resolver",
    "TargetSource",
    "build_server",
    "serve_stdio",
    "streamable_http_app",
]

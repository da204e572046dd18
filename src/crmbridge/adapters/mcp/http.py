"""Streamable HTTP for a host application (the service) to mount, e.g. at ``/mcp``.

The host authenticates (an API key, its scopes, the tenant) inside ``resolve``, which turns each HTTP
request into the toolset it may use. Every request is resolved, not only a session's first: a session
id is no credential, and two sessions on different accounts never share a toolset. ``resolve`` refuses
with a Starlette ``HTTPException`` (status and headers kept, e.g. 401 with ``WWW-Authenticate``) or a
crmbridge error (its own HTTP status). The SDK's session manager must run inside the host's lifespan::

    mcp = streamable_http_app(resolve, allowed_hosts=["api.example.com"])
    app.mount("/mcp", mcp)

    @asynccontextmanager
    async def lifespan(app):
        async with mcp.run():
            yield
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ...errors import CrmBridgeError
from ...toolsets import Toolset
from .confirm import ConfirmationStore
from .server import McpTarget, build_server

__all__ = ["LOOPBACK_HOSTS", "McpHttpApp", "Resolver", "streamable_http_app"]

logger = logging.getLogger(__name__)

#: Host header values accepted when ``allowed_hosts`` is not given (DNS-rebinding protection).
LOOPBACK_HOSTS = ("127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*")
_LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
_STATE_KEY = "crmbridge.mcp_target"

#: The host's authentication and account choice: an HTTP request in, the toolset it may use out.
Resolver = Callable[[Request], Awaitable[Toolset | McpTarget]]


async def _target_of_request(ctx: ServerRequestContext[Any, Any]) -> McpTarget:
    request = ctx.request
    target = request.scope.get("state", {}).get(_STATE_KEY) if isinstance(request, Request) else None
    if not isinstance(target, McpTarget):  # only reachable if the session manager is used without us
        raise CrmBridgeError("This MCP request was not resolved to an account.")
    return target


class McpHttpApp:
    """An ASGI app serving MCP over streamable HTTP; :meth:`run` is the lifespan part for the host."""

    def __init__(self, resolve: Resolver, manager: StreamableHTTPSessionManager) -> None:
        self._resolve = resolve
        self.session_manager = manager

    def __repr__(self) -> str:
        return f"McpHttpApp(stateless={self.session_manager.stateless})"

    @asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        """Run the SDK's session manager (once per app); enter it in the host's lifespan."""
        async with self.session_manager.run():
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # served on its own (uvicorn), not mounted
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            target = McpTarget.of(await self._resolve(Request(scope, receive)))
        except HTTPException as exc:
            await _refuse(
                send,
                exc.status_code,
                "unauthorized" if exc.status_code == 401 else "refused",
                str(exc.detail),
                dict(exc.headers or {}),
            )
            return
        except CrmBridgeError as exc:
            await _refuse(send, exc.http_status, exc.code, exc.message, _error_headers(exc))
            return
        scope.setdefault("state", {})[_STATE_KEY] = target
        await self.session_manager.handle_request(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":
            return
        async with self.run():
            await send({"type": "lifespan.startup.complete"})
            while (await receive())["type"] != "lifespan.shutdown":
                pass
        await send({"type": "lifespan.shutdown.complete"})


def _error_headers(error: CrmBridgeError) -> dict[str, str]:
    """What HTTP says beside the error: how to authenticate (401, RFC 6750), when to come back."""
    headers: dict[str, str] = {}
    if error.http_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="crmbridge"'
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return headers


async def _refuse(send: Send, status: int, code: str, message: str, headers: dict[str, str]) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def streamable_http_app(
    resolve: Resolver,
    *,
    allowed_hosts: Sequence[str] | None = None,
    allowed_origins: Sequence[str] | None = None,
    confirm_writes: bool = False,
    confirmations: ConfirmationStore | None = None,
    stateless: bool = False,
    json_response: bool = False,
    elicit: bool = True,
) -> McpHttpApp:
    """MCP over streamable HTTP, each request's toolset from ``resolve``.

    ``allowed_hosts`` / ``allowed_origins``: the Host and Origin values accepted (``"api.example.com"``,
    ``"host:*"`` for any port); by default only loopback, so a deployment names its public host or gets
    421. ``stateless``: no session between requests (any worker can answer; no elicitation).
    """
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(allowed_hosts if allowed_hosts is not None else LOOPBACK_HOSTS),
        allowed_origins=list(allowed_origins if allowed_origins is not None else _LOOPBACK_ORIGINS),
    )
    server = build_server(
        _target_of_request, confirm_writes=confirm_writes, confirmations=confirmations, elicit=elicit
    )
    manager = StreamableHTTPSessionManager(
        app=server, security_settings=security, stateless=stateless, json_response=json_response
    )
    return McpHttpApp(resolve, manager)

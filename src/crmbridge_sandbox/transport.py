"""In-process access to the sandbox that fails the way a network does."""

from __future__ import annotations

import asyncio
import logging

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import SimulatedReset, SimulatedTimeout

logger = logging.getLogger("crmbridge_sandbox")


class SandboxTransport(httpx.AsyncBaseTransport):
    """An ``httpx.ASGITransport`` that turns injected faults into ``httpx.ReadTimeout`` / ``httpx.ReadError``.

    Use it for tests: ``httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox")``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except SimulatedTimeout as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from None
        except SimulatedReset as exc:
            raise httpx.ReadError(str(exc), request=request) from None


class NetworkFaults:
    """Outermost ASGI wrapper for a real server: a timeout hangs, a reset drops the connection."""

    def __init__(self, app: ASGIApp, hang_seconds: float = 30.0) -> None:
        self.app = app
        self.hang_seconds = hang_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except (SimulatedTimeout, SimulatedReset) as exc:
            if isinstance(exc, SimulatedTimeout):
                await asyncio.sleep(self.hang_seconds)
            # Starting a response and then failing makes the server close the socket mid-response.
            start: Message = {"type": "http.response.start", "status": 200, "headers": []}
            await send(start)
            raise ConnectionAbortedError(str(exc)) from None

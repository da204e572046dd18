"""The door in front of each fake CRM: logs every request and injects the configured faults."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .context import SandboxContext
from .faults import SimulatedReset, SimulatedTimeout
from .requestlog import LoggedRequest

#: Renders a provider-shaped error response for an injected status ("429", "500", "502").
FaultRenderer = Callable[[str], Response]


def route_path(scope: Scope) -> str:
    """The request path relative to where the provider app is mounted."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class ProviderGate:
    """Wraps one provider's ASGI app.

    Handlers record which account a request belonged to in ``scope["sandbox"]["account"]`` and may
    override the logged path in ``scope["sandbox"]["path"]`` (Pipedrive strips the company prefix).
    """

    def __init__(
        self,
        provider: str,
        app: ASGIApp,
        ctx: SandboxContext,
        render_fault: FaultRenderer,
        exempt: Callable[[str, str], bool] = lambda method, path: False,
    ) -> None:
        self.provider = provider
        self.app = app
        self.ctx = ctx
        self.render_fault = render_fault
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        info: dict[str, Any] = {"account": None, "path": route_path(scope)}
        scope["sandbox"] = info
        fault, latency = (None, 0.0)
        if not self.exempt(method, info["path"]):
            fault, latency = self.ctx.faults.draw(self.provider)
        if latency:
            await asyncio.sleep(latency)
        status: list[int] = []

        def record(code: int | None) -> None:
            self.ctx.log.add(
                LoggedRequest(
                    provider=self.provider,
                    method=method,
                    path=info["path"],
                    status=code,
                    time=self.ctx.clock.now(),
                    account=info["account"],
                    fault=fault,
                )
            )

        if fault == "reset":
            record(None)
            raise SimulatedReset(f"{self.provider}: simulated connection reset")
        if fault in ("429", "500", "502"):
            response = self.render_fault(fault)
            record(response.status_code)
            await response(scope, receive, send)
            return

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            if fault != "timeout":
                await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            record(status[0] if status else None)
        if fault == "timeout":
            raise SimulatedTimeout(f"{self.provider}: simulated timeout after the request was applied")

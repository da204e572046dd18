"""``Sandbox``: one process serving both fake CRMs and the control API."""

from __future__ import annotations

import httpx
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from .bodies import BodyLimit
from .clock import SandboxClock
from .context import SandboxContext
from .control import build_control_app
from .faults import FaultInjector
from .gate import ProviderGate
from .hubspot import HubSpotSandbox
from .hubspot.errors import HubSpotError
from .pipedrive import PipedriveSandbox
from .pipedrive.errors import PipedriveError
from .templates import PROCESS_TEMPLATES, SeedTemplates
from .transport import SandboxTransport


def _hubspot_fault(kind: str) -> JSONResponse:
    if kind == "429":
        err = HubSpotError(
            429,
            "RATE_LIMITS",
            "You have reached your ten_secondly_rolling limit.",
            extra={"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"},
        )
    else:
        err = HubSpotError(
            int(kind),
            "INTERNAL_ERROR" if kind == "500" else "BAD_GATEWAY",
            "internal error" if kind == "500" else "Bad Gateway",
        )
    return JSONResponse(err.body("00000000-0000-0000-0000-000000000000"), status_code=err.status_code)


def _pipedrive_fault(kind: str) -> JSONResponse:
    message = {"429": "Request over limit", "500": "Internal Server Error", "502": "Bad Gateway"}[kind]
    return JSONResponse(PipedriveError(int(kind), message).body(), status_code=int(kind))


def _never_faulted(method: str, path: str) -> bool:
    """Consent pages are for people: faults only hit API and token calls."""
    return path.startswith("/oauth/") and path.rstrip("/").endswith("/authorize")


class Sandbox:
    """Both fake CRMs behind one ASGI app: ``/hubspot/…``, ``/pipedrive/…`` and ``/_sandbox/…``.

    >>> sandbox = Sandbox()
    >>> client = httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox")
    """

    def __init__(
        self,
        *,
        clock: SandboxClock | None = None,
        rate_window_scale: float = 1.0,
        fault_seed: int = 0,
        outbound_transport: httpx.AsyncBaseTransport | None = None,
        templates: SeedTemplates | None = PROCESS_TEMPLATES,
    ) -> None:
        """``templates``: seeded portals and companies to copy when the same seed is asked for again
        (shared by the whole process by default); None seeds every one afresh."""
        if rate_window_scale <= 0:
            raise ValueError("rate_window_scale must be > 0")
        self.ctx = SandboxContext(
            clock=clock or SandboxClock(),
            faults=FaultInjector(fault_seed),
            rate_window_scale=rate_window_scale,
            outbound_transport=outbound_transport,
            templates=templates,
        )
        self.hubspot = HubSpotSandbox(self.ctx)
        self.pipedrive = PipedriveSandbox(self.ctx)
        self._control = build_control_app(self)
        self._hubspot = ProviderGate("hubspot", self.hubspot.app, self.ctx, _hubspot_fault, _never_faulted)
        self._pipedrive = ProviderGate(
            "pipedrive", self.pipedrive.app, self.ctx, _pipedrive_fault, _never_faulted
        )
        self._app = BodyLimit(self._dispatch)

    @property
    def clock(self) -> SandboxClock:
        return self.ctx.clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._control(scope, receive, send)
            return
        path: str = scope.get("path", "")
        for prefix, app in (("/hubspot", self._hubspot), ("/pipedrive", self._pipedrive)):
            if path == prefix or path.startswith(prefix + "/"):
                child = dict(scope)
                child["root_path"] = scope.get("root_path", "") + prefix
                child["path"] = path
                await app(child, receive, send)
                return
        await self._control(scope, receive, send)

    def transport(self) -> SandboxTransport:
        """An in-process httpx transport whose injected faults look like network failures."""
        return SandboxTransport(self)

    def client(self, base_url: str = "http://sandbox") -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport(), base_url=base_url)

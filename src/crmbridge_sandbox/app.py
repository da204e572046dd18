"""``Sandbox``: one process serving both fake CRMs and the control API."""

from __future__ import annotations

import logging

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
from .hubspot.store import Portal
from .pipedrive import PipedriveSandbox
from .pipedrive.errors import PipedriveError
from .pipedrive.store import Company
from .state import StateFile, StateFileError, capture, restore
from .templates import PROCESS_TEMPLATES, SeedTemplates
from .transport import SandboxTransport

logger = logging.getLogger("crmbridge_sandbox")

#: Requests that change nothing a state file keeps.
_READS = ("GET", "HEAD", "OPTIONS")


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
        state_file: StateFile | None = None,
    ) -> None:
        """``templates``: seeded portals and companies to copy when the same seed is asked for again
        (shared by the whole process by default); None seeds every one afresh.

        ``state_file``: keep accounts, apps, tokens and records there across restarts (``state.py``);
        an existing file is loaded now, and :class:`StateFileError` says why one cannot be."""
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
        self.state_file = state_file
        #: True when the state was loaded from ``state_file`` rather than started empty.
        self.restored = False
        #: CRM calls changed data since the state file was last written.
        self.unsaved_changes = False
        if state_file is not None and state_file.exists():
            restore(self, state_file.read(), state_file)
            self.restored = True

    @property
    def clock(self) -> SandboxClock:
        return self.ctx.clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._control(scope, receive, send)  # lifespan: the control app saves state (state.py)
            return
        path: str = scope.get("path", "")
        try:
            for prefix, app in (("/hubspot", self._hubspot), ("/pipedrive", self._pipedrive)):
                if path == prefix or path.startswith(prefix + "/"):
                    child = dict(scope)
                    child["root_path"] = scope.get("root_path", "") + prefix
                    child["path"] = path
                    await app(child, receive, send)
                    return
            await self._control(scope, receive, send)
        finally:
            if self.state_file is not None and scope["method"] not in _READS:
                # A control call is saved at once; CRM calls, far more frequent, by autosave.
                if path.startswith("/_sandbox/"):
                    self.save_state_quietly()
                else:
                    self.unsaved_changes = True

    def save_state(self) -> None:
        """Write the state file now; :class:`StateFileError` when it cannot be. Nothing without one."""
        if self.state_file is not None:
            self.state_file.write(capture(self))
            self.unsaved_changes = False

    def save_state_quietly(self) -> None:
        """:meth:`save_state`, logging a failure instead of raising it (a full disk must not stop the CRMs)."""
        try:
            self.save_state()
        except StateFileError as exc:
            logger.warning("%s; changes since the last save are not kept", exc)

    def starter_accounts(self, seed: int) -> tuple[Portal, Company, str]:
        """The first HubSpot portal and Pipedrive company, with the company admin's API token: the ones
        a state file restored, or new ones seeded with ``seed``."""
        if self.hubspot.portals:
            portal = self.hubspot.portals[min(self.hubspot.portals)]
        else:
            portal = self.hubspot.create_portal(seed_value=seed)
        if self.pipedrive.companies:
            company = self.pipedrive.companies[min(self.pipedrive.companies)]
            token = self.pipedrive.admin_token(company)
        else:
            company, token = self.pipedrive.create_company(seed_value=seed)
        return portal, company, token

    def transport(self) -> SandboxTransport:
        """An in-process httpx transport whose injected faults look like network failures."""
        return SandboxTransport(self)

    def client(self, base_url: str = "http://sandbox") -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport(), base_url=base_url)

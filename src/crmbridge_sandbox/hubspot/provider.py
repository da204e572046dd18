"""The HubSpot sandbox: portals, OAuth apps and the ASGI app that serves them."""

from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..badinput import BadInput
from ..context import SandboxContext
from . import (
    assocconfigs,
    associations,
    assocv3,
    batch,
    clone,
    merges,
    oauth,
    objects,
    owners,
    pipelines,
    pipelinewrites,
    properties,
    propwrites,
    schemas,
    schemawrites,
    search,
    seed,
)
from .auth import ALL_CRM_SCOPES
from .errors import HubSpotError, correlation_id, render
from .propdelete import routes as property_archive_routes
from .ratelimit import HubSpotLimiter
from .store import Portal
from .tokens import OAuthApp, TokenBook

TIERS = ("free", "starter", "professional", "enterprise")


class HubSpotSandbox:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.portals: dict[int, Portal] = {}
        self.tokens = TokenBook()
        self.private_app_scopes: tuple[str, ...] = ALL_CRM_SCOPES
        self.limiter = HubSpotLimiter(ctx)
        #: seconds the search index trails writes (0: off); set through the control API
        self.search_lag_seconds = 0.0
        self._next_portal = 40_000_001
        self._next_app = 3_000_001
        self.app: ASGIApp = _CorrelationIds(self._build_app())

    def _build_app(self) -> Starlette:
        routes = [
            *oauth.routes,
            *search.routes,
            *batch.routes,
            *associations.routes,
            *assocconfigs.routes,
            *assocv3.routes,
            *merges.routes,
            *objects.routes,
            *pipelines.routes,
            *pipelinewrites.routes,
            *propwrites.routes,
            *properties.routes,
            *property_archive_routes,
            *schemas.routes,
            *schemawrites.routes,
            *owners.routes,
        ]
        app = Starlette(
            routes=routes,
            exception_handlers={HubSpotError: render, BadInput: _bad_input, HTTPException: _http_error},
        )
        app.state.hubspot = self
        return app

    def create_portal(
        self,
        *,
        seed_value: int | None = None,
        contacts: int | None = None,
        companies: int | None = None,
        deals: int | None = None,
        tier: str = "starter",
    ) -> Portal:
        """A new portal seeded with ``seed_value`` (the portal id when None); a copy of an earlier seeding
        with the same parameters when the sandbox keeps templates."""
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r}; use one of: {', '.join(TIERS)}")
        portal_id = self._next_portal
        self._next_portal += 1
        now = self.ctx.clock.now()
        portal = Portal(
            id=portal_id,
            tier=tier,
            private_app_token=f"pat-na1-{uuid.UUID(bytes=secrets.token_bytes(16))}",
            created_at=now,
            domain=f"sandbox-{portal_id}.hubspot.example",
        )
        sizes = {
            "contacts": seed.DEFAULT_CONTACTS if contacts is None else contacts,
            "companies": seed.DEFAULT_COMPANIES if companies is None else companies,
            "deals": seed.DEFAULT_DEALS if deals is None else deals,
        }
        seed_used = portal_id if seed_value is None else seed_value
        # Seeding reads the clock only for the start of its UTC day, so that day is part of the key.
        key = ("hubspot", seed_used, *sizes.values(), int(now // seed.DAY))
        templates = self.ctx.templates
        copy = templates.copy(key) if templates is not None else None
        if copy is not None:
            portal = clone.as_new_portal(copy, portal)
        else:
            seed.populate(portal, now=now, seed=seed_used, **sizes)
            if templates is not None:
                templates.keep(key, portal)
        self.portals[portal_id] = portal
        return portal

    def register_app(
        self, *, redirect_uri: str, required_scopes: list[str], optional_scopes: list[str] | None = None
    ) -> OAuthApp:
        if not redirect_uri:
            raise ValueError("redirect_uri is required")
        if urlsplit(redirect_uri).scheme not in ("http", "https") or not urlsplit(redirect_uri).netloc:
            raise ValueError(f"redirect_uri must be an absolute http(s) URL, got {redirect_uri!r}")
        if not required_scopes:
            raise ValueError("required_scopes must list at least one scope")
        both = sorted(set(required_scopes) & set(optional_scopes or []))
        if both:
            raise ValueError(f"scopes cannot be both required and optional: {', '.join(both)}")
        required_scopes = list(dict.fromkeys(required_scopes))
        optional_scopes = list(dict.fromkeys(optional_scopes or []))
        app = OAuthApp(
            app_id=self._next_app,
            client_id=str(uuid.uuid4()),
            client_secret=str(uuid.uuid4()),
            redirect_uri=redirect_uri,
            required_scopes=list(required_scopes),
            optional_scopes=list(optional_scopes or []),
            created_at=self.ctx.clock.now(),
        )
        self._next_app += 1
        self.tokens.apps[app.client_id] = app
        return app

    def saved_state(self) -> dict[str, Any]:
        """What a state file keeps (see ``state.py``): portals with their records, apps, tokens, id counters."""
        return {
            "portals": self.portals,
            "tokens": self.tokens,
            "next_portal": self._next_portal,
            "next_app": self._next_app,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        if not isinstance(state["portals"], dict) or not isinstance(state["tokens"], TokenBook):
            raise TypeError("HubSpot portals or tokens of the wrong type")
        self.portals, self.tokens = state["portals"], state["tokens"]
        self._next_portal, self._next_app = int(state["next_portal"]), int(state["next_app"])

    def uninstall(self, portal_id: int, client_id: str) -> int:
        """The user uninstalls the app from the portal: its refresh and access tokens die.

        Returns how many refresh tokens were revoked (see ``TokenBook.uninstall`` for why access tokens
        die too).
        """
        if portal_id not in self.portals:
            raise KeyError(f"no HubSpot portal {portal_id}")
        if client_id not in self.tokens.apps:
            raise KeyError(f"no HubSpot app with client_id {client_id}")
        return self.tokens.uninstall(portal_id, client_id)


def _bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadInput)
    return render(request, HubSpotError(exc.status_code, "VALIDATION_ERROR", exc.message))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        err = HubSpotError(404, "OBJECT_NOT_FOUND", "resource not found")
    elif exc.status_code == 405:
        err = HubSpotError(
            405, "VALIDATION_ERROR", f"HTTP method {request.method} is not supported by this URL"
        )
    else:
        err = HubSpotError(exc.status_code, "VALIDATION_ERROR", str(exc.detail))
    return render(request, err)


class _CorrelationIds:
    """Adds ``X-HubSpot-Correlation-Id`` and any rate-limit headers a handler queued to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info: dict[str, Any] = scope.setdefault("sandbox", {})
        cid = correlation_id()
        info["correlation_id"] = cid
        info.setdefault("headers", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-hubspot-correlation-id", cid.encode()))
                for name, value in info.get("headers", {}).items():
                    headers.append((name.lower().encode(), str(value).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

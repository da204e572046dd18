"""The Pipedrive sandbox: companies, OAuth apps, and the ASGI app that serves them."""

from __future__ import annotations

import base64
import datetime
import logging
import secrets
import uuid
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from ..badinput import BadInput
from ..context import SandboxContext
from . import (
    activities,
    calllogs,
    clone,
    conversion,
    dealcopy,
    dealproducts,
    deals,
    discounts,
    fields,
    fieldsearch,
    fieldwrites,
    followers,
    installments,
    leadnotefields,
    leads,
    leadsearch,
    leadusers,
    notecomments,
    notes,
    oauth,
    organizations,
    permittedusers,
    persons,
    pipelines,
    pipelinewrites,
    productcopy,
    products,
    search,
    seed,
    userfollowers,
    users,
    v1fields,
    v1followers,
    variations,
)
from .auth import PdAccess
from .errors import PipedriveError, render
from .ratelimit import PipedriveLimiter, RateLimitHeaders
from .store import Company, User
from .tokens import PdApp, PdTokenBook

logger = logging.getLogger("crmbridge_sandbox.pipedrive")

PLANS = ("lite", "growth", "premium", "ultimate")


def _api_routes() -> list[BaseRoute]:
    """Every API route, with each ``/v1/…`` route also served as ``/api/v1/…`` (as Pipedrive does)."""
    base: list[BaseRoute] = [
        *users.routes,
        *search.routes,
        *leadsearch.routes,  # before leads.routes: /v1/leads/search is not a lead id
        *leadusers.routes,
        *fieldsearch.routes,
        *dealproducts.routes,
        *discounts.routes,
        *installments.routes,
        *conversion.routes,
        *deals.routes,
        *persons.routes,
        *organizations.routes,
        *activities.routes,
        *products.routes,
        *variations.routes,
        *productcopy.routes,
        *pipelines.routes,
        *pipelinewrites.routes,
        *fields.routes,
        *fieldwrites.routes,
        *v1fields.routes,
        *leadnotefields.routes,
        *leads.routes,
        *notes.routes,
        *notecomments.routes,
        *calllogs.routes,
        *followers.routes,
        *v1followers.routes,
        *userfollowers.routes,
        *permittedusers.routes,
        *dealcopy.routes,
    ]
    aliased: list[BaseRoute] = []
    for route in base:
        aliased.append(route)
        if isinstance(route, Route) and route.path.startswith("/v1/"):
            aliased.append(Route("/api" + route.path, route.endpoint, methods=route.methods, name=None))
    return aliased


class PipedriveSandbox:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.companies: dict[int, Company] = {}
        self.tokens = PdTokenBook()
        self.limiter = PipedriveLimiter(ctx)
        self._next_company = 13_000_001
        self._next_user = 20_000_001
        api = _api_routes()
        #: The routes; ``self.app`` wraps it to add the rate-limit headers (its ``state`` is this app's).
        self.starlette = Starlette(
            routes=[*oauth.routes, *api, Mount("/{company_domain}", routes=api)],
            exception_handlers={PipedriveError: render, BadInput: _bad_input, HTTPException: _http_error},
        )
        self.starlette.state.pipedrive = self
        self.app = RateLimitHeaders(self.starlette)

    def company_by_domain(self, domain: str) -> Company | None:
        return next((c for c in self.companies.values() if c.domain == domain), None)

    def new_user(self, company: Company, *, name: str, email: str, is_admin: bool = False) -> User:
        user = User(
            id=self._take_user_id(), name=name, email=email, is_admin=is_admin, created=self.ctx.clock.now()
        )
        company.users[user.id] = user
        return user

    def _take_user_id(self) -> int:
        """User ids are sandbox-wide, as Pipedrive's are global."""
        user_id = self._next_user
        self._next_user += 1
        return user_id

    def create_company(
        self,
        *,
        seed_value: int | None = None,
        persons: int | None = None,
        organizations: int | None = None,
        deals: int | None = None,
        plan: str = "growth",
    ) -> tuple[Company, str]:
        """Create a company with an admin user; returns it and the admin's API token.

        Seeded with ``seed_value`` (the company id when None); a copy of an earlier seeding with the same
        parameters when the sandbox keeps templates."""
        if plan not in PLANS:
            raise ValueError(f"unknown plan {plan!r}; use one of: {', '.join(PLANS)}")
        company_id = self._next_company
        self._next_company += 1
        now = self.ctx.clock.now()
        company = Company(
            id=company_id,
            domain=f"sandbox-{company_id}",
            name=f"Sandbox Company {company_id}",
            plan=plan,
            created_at=now,
        )
        sizes = {
            name: seed.DEFAULTS[name] if count is None else count
            for name, count in (("persons", persons), ("organizations", organizations), ("deals", deals))
        }
        seed_used = company_id if seed_value is None else seed_value
        # Seeding reads the sandbox clock for the start of its UTC day, and Faker draws some dates
        # relative to the real date: both are part of the key.
        day, real_day = int(now // seed.DAY), datetime.date.today().toordinal()
        key = ("pipedrive", seed_used, *sizes.values(), day, real_day)
        templates = self.ctx.templates
        copy = templates.copy(key) if templates is not None else None
        if copy is not None:
            company = clone.as_new_company(copy, company, self._take_user_id, now)
        else:
            self.new_user(
                company, name="Sandbox Admin", email=f"admin@sandbox-{company_id}.example", is_admin=True
            )
            seed.populate(company, sandbox=self, now=now, seed=seed_used, **sizes)
            if templates is not None:
                templates.keep(key, company)  # before it holds a token
        token = secrets.token_hex(20)
        company.api_tokens[token] = company.admin().id
        self.companies[company_id] = company
        return company, token

    def admin_token(self, company: Company) -> str:
        """An API token of the company's admin (a new one when it has none)."""
        admin = company.admin().id
        token = next((t for t, user in company.api_tokens.items() if user == admin), None)
        if token is None:
            token = secrets.token_hex(20)
            company.api_tokens[token] = admin
        return token

    def register_app(self, *, redirect_uri: str, scopes: list[str]) -> PdApp:
        """An app as registered in Developer Hub: one callback URL and a fixed scope set."""
        if not oauth.valid_uri(redirect_uri):
            raise ValueError(f"redirect_uri must be an absolute http(s) URL, got {redirect_uri!r}")
        unknown = [s for s in scopes if s not in oauth.SCOPE_TEXT]
        if unknown:
            raise ValueError(
                f"unknown Pipedrive scope(s) {', '.join(unknown)}; known: {', '.join(oauth.SCOPE_TEXT)}"
            )
        scope_list = list(dict.fromkeys(["base", *scopes]))  # base is always granted
        app = PdApp(
            client_id=uuid.uuid4().hex[:16],
            client_secret=secrets.token_hex(20),
            redirect_uri=redirect_uri,
            scopes=scope_list,
            created_at=self.ctx.clock.now(),
        )
        self.tokens.apps[app.client_id] = app
        return app

    def saved_state(self) -> dict[str, Any]:
        """What a state file keeps (see ``state.py``): companies with their records, apps, tokens, id counters."""
        return {
            "companies": self.companies,
            "tokens": self.tokens,
            "next_company": self._next_company,
            "next_user": self._next_user,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        if not isinstance(state["companies"], dict) or not isinstance(state["tokens"], PdTokenBook):
            raise TypeError("Pipedrive companies or tokens of the wrong type")
        self.companies, self.tokens = state["companies"], state["tokens"]
        self._next_company, self._next_user = int(state["next_company"]), int(state["next_user"])

    def resolve_access_token(self, token: str) -> PdAccess | None:
        at = self.tokens.access_tokens.get(token)
        if at is None or at.revoked or self.ctx.clock.now() >= at.expires_at:
            return None
        company = self.companies.get(at.company_id)
        if company is None or at.user_id not in company.users:
            return None
        return PdAccess(company, company.users[at.user_id], "oauth", token, frozenset(at.scopes))

    async def uninstall(self, company_id: int, client_id: str) -> dict[str, object]:
        """Users of the company uninstall the app: their tokens die and, per user, the app's callback
        URL receives ``DELETE`` with ``{client_id, company_id, user_id, timestamp}`` and the app's own
        client credentials as HTTP Basic auth. With no live install, the admin's uninstall is sent."""
        company = self.companies.get(company_id)
        if company is None:
            raise KeyError(f"no Pipedrive company {company_id}")
        app = self.tokens.apps.get(client_id)
        if app is None:
            raise KeyError(f"no Pipedrive app with client_id {client_id}")
        user_ids: set[int] = set()
        for rt in list(self.tokens.refresh_tokens.values()):
            if rt.company_id == company_id and rt.client_id == client_id and not rt.revoked:
                user_ids.add(rt.user_id)
                self.tokens.revoke_install(rt)
        for at in self.tokens.access_tokens.values():
            if at.company_id == company_id and at.client_id == client_id:
                at.revoked = True
        credentials = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
        callbacks: list[dict[str, object]] = []
        async with self.ctx.outbound_client() as client:
            for user_id in sorted(user_ids) or [company.admin().id]:
                payload = {
                    "client_id": app.client_id,
                    "company_id": company_id,
                    "user_id": user_id,
                    "timestamp": int(self.ctx.clock.now()),
                }
                delivered: int | str
                try:
                    response = await client.request(
                        "DELETE",
                        app.redirect_uri,
                        json=payload,
                        headers={"Authorization": f"Basic {credentials}"},
                    )
                    delivered = response.status_code
                except httpx.HTTPError as exc:
                    logger.warning(
                        "uninstall callback to %s failed: %s", app.redirect_uri, type(exc).__name__
                    )
                    delivered = f"failed: {type(exc).__name__}"
                callbacks.append({"user_id": user_id, "status": delivered})
        return {
            "revoked_users": sorted(user_ids),
            "callback_status": callbacks[0]["status"],
            "callbacks": callbacks,
        }


def _bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadInput)
    return render(request, PipedriveError(exc.status_code, exc.message[:1].upper() + exc.message[1:]))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return render(request, PipedriveError(404, "Not found"))
    return render(request, PipedriveError(exc.status_code, str(exc.detail)))

"""HubSpot's OAuth server: the consent page, the token endpoints, introspection and revocation.

Paths are relative to ``/hubspot``. The consent page stands in for ``app.hubspot.com/oauth/authorize`` and
applies the install-URL scope rules (reference §2.2); the token endpoints speak the legacy v1 error dialect
(``status``/``message``) or, on v3 and the date-versioned paths, the RFC 6749 one that adds ``error``.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..bodies import read_form
from ..numbers import id_param
from .auth import sandbox_of
from .errors import HubSpotError, correlation_id
from .store import Portal
from .tokens import (
    AccessToken,
    OAuthApp,
    TokenError,
    access_info,
    refresh_info,
    signed_access_token,
    token_response,
)

if TYPE_CHECKING:
    from .provider import HubSpotSandbox as HubLike

#: Scopes only some subscription tiers can hold: (scope prefix, lowest tier that has the feature).
SCOPE_MIN_TIER: tuple[tuple[str, str], ...] = (
    ("crm.objects.custom.", "enterprise"),
    ("crm.schemas.custom.", "enterprise"),
)
TIER_RANK = {"free": 0, "starter": 1, "professional": 2, "enterprise": 3}

#: Token-endpoint versions: True where errors use the RFC 6749 shape (``error``/``error_description``).
TOKEN_VERSIONS: dict[str, bool] = {"v1": False, "v3": True, "2026-03": True, "2026-09": True}


def min_tier(scope: str) -> str | None:
    return next((tier for prefix, tier in SCOPE_MIN_TIER if scope.startswith(prefix)), None)


def tier_allows(scope: str, tier: str) -> bool:
    needed = min_tier(scope)
    return needed is None or TIER_RANK.get(tier, 0) >= TIER_RANK[needed]


# ---------------------------------------------------------------------------------------------- consent


class ConsentError(Exception):
    """An install-page error: HubSpot shows these as a page, not as a redirect to the app."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title = title
        self.message = message


@dataclass(frozen=True, slots=True)
class InstallRequest:
    app: OAuthApp
    redirect_uri: str
    required: list[str]
    optional: list[str]
    state: str | None


def _listing(scopes: list[str] | set[str]) -> str:
    return ", ".join(sorted(scopes))


def parse_install(params: dict[str, str], hub: HubLike) -> InstallRequest:
    """Apply the install-URL rules: known app, registered redirect, and the exact-match scope rule."""
    client_id = params.get("client_id", "")
    app = hub.tokens.apps.get(client_id)
    if app is None:
        raise ConsentError(
            "Unknown app",
            f"No app with client_id {client_id!r} exists in this sandbox; check the install URL's client_id.",
        )
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri != app.redirect_uri:
        raise ConsentError(
            "Redirect URL mismatch",
            f"The redirect_uri {redirect_uri!r} is not the redirect URL registered for this app "
            f"({app.redirect_uri!r}); they must match exactly.",
        )
    scope = params.get("scope", "").split()
    optional = params.get("optional_scope", "").split()
    declared = set(app.required_scopes) | set(app.optional_scopes)
    undeclared = (set(scope) | set(optional)) - declared
    if undeclared:
        raise ConsentError(
            "Scopes not permitted",
            "The app's developer is not permitted to request this set of scopes: the app does not declare "
            f"{_listing(undeclared)}.",
        )
    missing = set(app.required_scopes) - set(scope)
    if missing:
        raise ConsentError(
            "Insufficient scopes",
            "Authorization failed: the scopes in this install URL are not enough for this app. The scope "
            f"parameter must include every required scope; missing: {_listing(missing)}. "
            "Please contact the app developer.",
        )
    misplaced = set(scope) & set(app.optional_scopes)
    if misplaced:
        raise ConsentError(
            "Scope mismatch",
            f"{_listing(misplaced)} is configured as optional for this app, so it belongs in optional_scope, "
            "not in scope.",
        )
    not_optional = set(optional) - set(app.optional_scopes)
    if not_optional:
        raise ConsentError(
            "Scope mismatch",
            "optional_scope may only list scopes the app configures as optional; these are not: "
            f"{_listing(not_optional)}.",
        )
    return InstallRequest(
        app=app,
        redirect_uri=redirect_uri,
        required=list(dict.fromkeys(scope)),
        optional=list(dict.fromkeys(optional)),
        state=params.get("state"),
    )


def installer(portal: Portal) -> tuple[int, str]:
    """The user who clicks Grant: the portal's first active owner, or a stand-in super admin."""
    for owner in portal.owners:
        if owner.type == "PERSON" and not owner.archived:
            return owner.user_id, owner.email
    return portal.id % 10_000_000 + 1_000_000, f"admin@{portal.domain or 'sandbox.hubspot.example'}"


def granted_scopes(install: InstallRequest, portal: Portal) -> list[str]:
    """Required scopes plus the optional ones the portal's tier can hold; refuse if a required one can't."""
    lacking = [s for s in install.required if not tier_allows(s, portal.tier)]
    if lacking:
        needs = "; ".join(f"{s} needs {min_tier(s)}" for s in lacking)
        raise ConsentError(
            "Account missing required features",
            f"HubSpot account {portal.id} ({portal.tier}) does not have access to some HubSpot features this "
            f"app requires ({needs}). Choose another account or upgrade this one.",
        )
    return [*install.required, *(s for s in install.optional if tier_allows(s, portal.tier))]


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#33475b}"
    "h1{font-size:1.4rem}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}"
    "code{background:#f5f8fa;padding:0 .2rem}.note{color:#7c98b6}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )
    return HTMLResponse(doc, status_code=status)


def _error_page(exc: ConsentError) -> HTMLResponse:
    body = f'<h1>{html.escape(exc.title)}</h1><p id="error">{html.escape(exc.message)}</p>'
    return _page(exc.title, body, status=400)


def _scope_items(scopes: list[str], optional: bool) -> str:
    items = []
    for scope in scopes:
        note = ""
        if optional and min_tier(scope):
            note = f' <span class="note">(only granted on {min_tier(scope)} accounts)</span>'
        items.append(f"<li><code>{html.escape(scope)}</code>{note}</li>")
    return "".join(items)


def _consent_page(request: Request, install: InstallRequest, portals: list[Portal]) -> HTMLResponse:
    action = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    options = "".join(
        f'<option value="{p.id}"{" selected" if i == 0 else ""}>'
        f"{p.id} ({html.escape(p.tier)}, {html.escape(p.domain)})</option>"
        for i, p in enumerate(portals)
    )
    optional = ""
    if install.optional:
        optional = f"<h2>Optional</h2><ul>{_scope_items(install.optional, True)}</ul>"
    body = (
        f"<h1>Connect app {install.app.app_id} to HubSpot</h1>"
        f'<form method="post" action="{html.escape(action)}">'
        '<p><label for="portal_id">Account</label> '
        f'<select id="portal_id" name="portal_id">{options}</select></p>'
        f"<h2>Required</h2><ul>{_scope_items(install.required, False)}</ul>{optional}"
        '<p><button type="submit" name="decision" value="grant">Grant access</button>'
        '<button type="submit" name="decision" value="deny">Deny</button></p></form>'
    )
    return _page("Connect an app to HubSpot", body)


def _portals(hub: HubLike, hub_id: int | None) -> list[Portal]:
    """Portals the user may pick, newest first (the default choice)."""
    if hub_id is not None:
        if hub_id not in hub.portals:
            raise ConsentError("Unknown account", f"There is no HubSpot account {hub_id} in this sandbox.")
        return [hub.portals[hub_id]]
    portals = sorted(hub.portals.values(), key=lambda p: (p.created_at, p.id), reverse=True)
    if not portals:
        raise ConsentError(
            "No accounts",
            "This sandbox has no HubSpot accounts yet; create one via POST /_sandbox/hubspot/portals.",
        )
    return portals


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    parts = urlsplit(uri)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302)


async def _form(request: Request) -> dict[str, str]:
    return dict(await read_form(request))


def _is_form(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/x-www-form-urlencoded"


async def authorize(request: Request) -> Response:
    hub = sandbox_of(request)
    hub_id = request.path_params.get("hub_id")
    try:
        install = parse_install(dict(request.query_params), hub)
        portals = _portals(hub, hub_id)
        if request.method == "GET":
            return _consent_page(request, install, portals)
        form = await _form(request)
        decision = form.get("decision", "")
        if decision == "deny":
            return _redirect(
                install.redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "The user declined to connect the app to their HubSpot account.",
                    "state": install.state,
                },
            )
        if decision != "grant":
            raise ConsentError("Bad request", f"decision must be 'grant' or 'deny', got {decision!r}.")
        portal = _chosen(form.get("portal_id"), portals)
        scopes = granted_scopes(install, portal)
    except ConsentError as exc:
        return _error_page(exc)
    request.scope.setdefault("sandbox", {})["account"] = str(portal.id)
    user_id, email = installer(portal)
    code = hub.tokens.issue_code(
        install.app,
        portal_id=portal.id,
        user_id=user_id,
        user_email=email,
        scopes=scopes,
        redirect_uri=install.redirect_uri,
        now=hub.ctx.clock.now(),
    )
    return _redirect(install.redirect_uri, {"code": code.code, "state": install.state})


def _chosen(value: str | None, portals: list[Portal]) -> Portal:
    if not value:
        return portals[0]
    for portal in portals:
        if str(portal.id) == value.strip():
            return portal
    raise ConsentError("Unknown account", f"portal_id {value!r} is not an account you can install into.")


# ------------------------------------------------------------------------------------------------ tokens

Endpoint = Callable[[Request], Awaitable[Response]]


def _cid(request: Request) -> str:
    cid: str = request.scope.get("sandbox", {}).get("correlation_id") or correlation_id()
    return cid


def _token_error(request: Request, exc: TokenError, rfc: bool) -> JSONResponse:
    if rfc:
        body = {"error": exc.error, "error_description": exc.description, "status": exc.status}
        body["message"] = exc.description
    else:
        body = {"status": exc.status, "message": exc.message}
    body["correlationId"] = _cid(request)
    return JSONResponse(body, status_code=400)


async def _token_form(request: Request) -> dict[str, str]:
    if not _is_form(request):
        raise TokenError(
            "BAD_REQUEST",
            "the body must be application/x-www-form-urlencoded",
            "invalid_request",
        )
    return await _form(request)


def _token_endpoint(rfc: bool) -> Endpoint:
    async def token(request: Request) -> Response:
        hub = sandbox_of(request)
        now = hub.ctx.clock.now()
        try:
            form = await _token_form(request)
            grant_type = form.get("grant_type", "")
            if grant_type not in ("authorization_code", "refresh_token"):
                raise TokenError(
                    "UNSUPPORTED_GRANT_TYPE",
                    f"grant_type must be authorization_code or refresh_token, got {grant_type!r}",
                    "unsupported_grant_type",
                )
            app = hub.tokens.client(form.get("client_id", ""), form.get("client_secret", ""))
            if grant_type == "authorization_code":
                refresh, access = hub.tokens.exchange_code(
                    app, form.get("code", ""), form.get("redirect_uri", ""), now
                )
            else:
                refresh, access = hub.tokens.refresh(app, form.get("refresh_token", ""), now)
        except TokenError as exc:
            return _token_error(request, exc, rfc)
        request.scope.setdefault("sandbox", {})["account"] = str(access.portal_id)
        return JSONResponse(token_response(refresh, access, now))

    return token


# --------------------------------------------------------------------------------- introspection, revoke


def _hub_domain(hub: HubLike, portal_id: int) -> str:
    portal = hub.portals.get(portal_id)
    return portal.domain if portal else ""


def _access_info(hub: HubLike, access: AccessToken, now: float) -> dict[str, Any]:
    return access_info(access, hub.tokens.apps[access.client_id], _hub_domain(hub, access.portal_id), now)


def _signed(hub: HubLike, access: AccessToken) -> dict[str, Any]:
    return signed_access_token(access, hub.tokens.apps[access.client_id])


def _not_found(what: str) -> HubSpotError:
    # HubSpot's exact answer for an unknown or dead token on the v1 lookups is not documented.
    return HubSpotError(404, "OBJECT_NOT_FOUND", f"{what} is expired, revoked or does not exist")


async def get_access_token(request: Request) -> Response:
    hub = sandbox_of(request)
    now = hub.ctx.clock.now()
    access = hub.tokens.active_access(request.path_params["token"], now)
    if access is None:
        raise _not_found("The access token")
    info = {**_access_info(hub, access, now), "hublet": "na1", "signed_access_token": _signed(hub, access)}
    return JSONResponse(info)


async def get_refresh_token(request: Request) -> Response:
    hub = sandbox_of(request)
    refresh = hub.tokens.active_refresh(request.path_params["token"])
    if refresh is None:
        raise _not_found("The refresh token")
    return JSONResponse(refresh_info(refresh, _hub_domain(hub, refresh.portal_id)))


async def delete_refresh_token(request: Request) -> Response:
    if not sandbox_of(request).tokens.revoke_refresh(request.path_params["token"]):
        raise _not_found("The refresh token")
    return Response(status_code=204)


async def introspect(request: Request) -> Response:
    """RFC 7662-style: ``active`` says whether the token still works; other clients' tokens look inactive."""
    hub = sandbox_of(request)
    now = hub.ctx.clock.now()
    try:
        form = await _token_form(request)
        app = hub.tokens.client(form.get("client_id", ""), form.get("client_secret", ""))
    except TokenError as exc:
        return _token_error(request, exc, rfc=True)
    token = form.get("token", "")
    access = hub.tokens.active_access(token, now)
    refresh = hub.tokens.active_refresh(token)
    if access is not None and access.client_id == app.client_id:
        body = _access_info(hub, access, now)
        body.update(active=True, client_id=app.client_id, token_use="access_token")
        body["signed_access_token"] = _signed(hub, access)
        return JSONResponse(body)
    if refresh is not None and refresh.client_id == app.client_id:
        body = refresh_info(refresh, _hub_domain(hub, refresh.portal_id))
        body.update(active=True, app_id=app.app_id, token_use="refresh_token")
        return JSONResponse(body)
    return JSONResponse({"active": False})


async def revoke(request: Request) -> Response:
    """RFC 7009-style: 200 whether or not the token was live; only refresh tokens can be revoked."""
    hub = sandbox_of(request)
    try:
        form = await _token_form(request)
        app = hub.tokens.client(form.get("client_id", ""), form.get("client_secret", ""))
    except TokenError as exc:
        return _token_error(request, exc, rfc=True)
    refresh = hub.tokens.active_refresh(form.get("token", ""))
    if refresh is not None and refresh.client_id == app.client_id:
        hub.tokens.revoke_refresh(refresh.token)
    return Response(status_code=200)


def _routes() -> list[BaseRoute]:
    found: list[BaseRoute] = [
        Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
        Route(f"/oauth/{id_param('hub_id')}/authorize", authorize, methods=["GET", "POST"]),
        Route("/oauth/v1/access-tokens/{token}", get_access_token, methods=["GET"]),
        Route("/oauth/v1/refresh-tokens/{token}", get_refresh_token, methods=["GET"]),
        Route("/oauth/v1/refresh-tokens/{token}", delete_refresh_token, methods=["DELETE"]),
    ]
    for version, rfc in TOKEN_VERSIONS.items():
        found.append(Route(f"/oauth/{version}/token", _token_endpoint(rfc), methods=["POST"]))
        if rfc:
            found.append(Route(f"/oauth/{version}/token/introspect", introspect, methods=["POST"]))
            found.append(Route(f"/oauth/{version}/token/revoke", revoke, methods=["POST"]))
    return found


routes: list[BaseRoute] = _routes()

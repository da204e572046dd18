"""Pipedrive's OAuth server: the consent page, the token endpoint and RFC 7009 revocation.

Errors of the token and revoke endpoints carry the messages of Pipedrive's status-codes page in the body
``{"success": false, "message": …, "error": <oauth error code>}``, always with HTTP 400.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .. import numbers
from ..badinput import quoted
from ..bodies import read_form
from .auth import sandbox_of
from .store import Company, User
from .tokens import EXPIRES_IN, PdAccessToken, PdApp, PdRefreshToken

if TYPE_CHECKING:
    from .provider import PipedriveSandbox

FORM = "application/x-www-form-urlencoded"


class OAuthError(Exception):
    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.message = message


def _invalid_request(message: str) -> OAuthError:
    return OAuthError("invalid_request", message)


def _invalid_grant(what: str, problem: str = "is invalid") -> OAuthError:
    return OAuthError("invalid_grant", f"Invalid grant: {what} {problem}")


def valid_uri(value: str | None) -> bool:
    if not value:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded body (no python-multipart needed); a repeated key keeps its first value."""
    form: dict[str, str] = {}
    for key, value in await read_form(request):
        form.setdefault(key, value)
    return form


def _api_domain(request: Request, company: Company) -> str:
    """``<sandbox root>/pipedrive/<company_domain>``; the mount's root_path already ends in /pipedrive."""
    root = str(request.base_url).rstrip("/").removesuffix("/pipedrive")
    return f"{root}/pipedrive/{company.domain}"


# --- consent page --------------------------------------------------------------------------------------

#: What each scope lets the app do, shown on the consent page (abridged from Pipedrive's scope list).
SCOPE_TEXT: dict[str, str] = {
    "base": "Read your user settings and currencies (always granted)",
    "deals:read": "Read deals, their products, notes, files, pipelines and stages",
    "deals:full": "Create, read, update and delete deals and related data",
    "activities:read": "Read activities and activity types",
    "activities:full": "Create, read, update and delete activities",
    "contacts:read": "Read persons and organizations",
    "contacts:full": "Create, read, update and delete persons and organizations",
    "products:read": "Read products",
    "products:full": "Create, read, update and delete products",
    "leads:read": "Read leads and lead labels",
    "leads:full": "Create, read, update and delete leads",
    "users:read": "Read users, permissions and roles",
    "search:read": "Search deals, persons, organizations, files and products",
    "recents:read": "Read recent changes",
    "mail:read": "Read mail threads and messages",
    "mail:full": "Read and manage mail threads and messages",
    "projects:read": "Read projects and tasks",
    "projects:full": "Create, read, update and delete projects and tasks",
    "goals:read": "Read goals",
    "goals:full": "Create, read, update and delete goals",
    "admin": "Administer the account: pipelines, stages, fields, users, webhooks",
    "deal-fields:full": "Manage deal fields",
    "product-fields:full": "Manage product fields",
    "contact-fields:full": "Manage person and organization fields",
    "project-fields:full": "Manage project fields",
    "webhooks:read": "Read webhooks",
    "webhooks:full": "Create and delete webhooks",
    "phone-integration": "Phone integration",
    "video-calls": "Video call integration",
    "messengers-integration": "Messenger integration",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:40px}"
    "main{max-width:560px;margin:auto;background:#fff;border-radius:8px;padding:24px 32px;"
    "box-shadow:0 1px 4px #0002}h1{font-size:20px}li{margin:4px 0}code{color:#555}"
    "label{display:block;margin:14px 0 4px;font-weight:600}select,input{width:100%;padding:6px}"
    ".buttons{margin-top:20px;display:flex;gap:12px}button{padding:8px 20px;font-size:15px}"
    ".grant{background:#017737;color:#fff;border:0;border-radius:4px}.error{color:#b00020}"
)


def _html(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def error_page(message: str, status_code: int = 400) -> HTMLResponse:
    body = f'<h1>Pipedrive sandbox: cannot authorize</h1><p class="error">{escape(message)}</p>'
    return HTMLResponse(_html("Authorization error", body), status_code=status_code)


def companies_newest_first(pd: PipedriveSandbox) -> list[Company]:
    return sorted(pd.companies.values(), key=lambda c: (c.created_at, c.id), reverse=True)


def consent_page(pd: PipedriveSandbox, app: PdApp, query: str) -> str:
    """Scopes of the app, a company picker, an optional user id, and Grant / Deny posting to this URL."""
    scopes = "".join(f"<li><code>{escape(s)}</code> {escape(SCOPE_TEXT.get(s, ''))}</li>" for s in app.scopes)
    options = "".join(
        f'<option value="{c.id}"{" selected" if i == 0 else ""}>'
        f"{escape(c.name)} ({escape(c.domain)}, id {c.id})</option>"
        for i, c in enumerate(companies_newest_first(pd))
    )
    body = (
        f"<h1>Install app <code>{escape(app.client_id)}</code>?</h1>"
        f"<p>It will be able to:</p><ul>{scopes}</ul>"
        f'<form method="post" action="?{escape(query)}">'
        f'<label for="company_id">Company</label>'
        f'<select id="company_id" name="company_id">{options}</select>'
        '<label for="user_id">Installing user id (empty: the company\'s admin)</label>'
        '<input id="user_id" name="user_id" inputmode="numeric" autocomplete="off">'
        '<div class="buttons">'
        '<button class="grant" type="submit" name="decision" value="grant">Allow and install</button>'
        '<button type="submit" name="decision" value="deny">Cancel</button></div></form>'
    )
    return _html("Install app", body)


def _registered_app(pd: PipedriveSandbox, request: Request) -> PdApp:
    """The app named by the query string, with a redirect_uri equal to the registered one."""
    query = request.query_params
    client_id = query.get("client_id")
    if not client_id:
        raise _invalid_request("Missing parameter: client_id")
    app = pd.tokens.apps.get(client_id)
    if app is None:
        raise OAuthError("invalid_client", "Invalid client: client is invalid")
    redirect_uri = query.get("redirect_uri")
    if not valid_uri(redirect_uri):
        raise _invalid_request("Invalid request: redirect_uri is not a valid URI")
    if redirect_uri != app.redirect_uri:
        raise _invalid_request("Invalid request: redirect_uri is invalid")
    return app


def _installer(pd: PipedriveSandbox, form: dict[str, str]) -> tuple[Company, User]:
    """The company picked on the consent page and the user installing (its admin unless user_id says)."""
    raw_company = form.get("company_id", "").strip()
    if raw_company:
        company_id = numbers.id_or_none(raw_company)
        if company_id is None or company_id not in pd.companies:
            raise _invalid_request(f"App cannot be installed for requested company ({quoted(raw_company)})")
        company = pd.companies[company_id]
    else:
        company = companies_newest_first(pd)[0]
    raw_user = form.get("user_id", "").strip()
    if not raw_user:
        return company, company.admin()
    user_id = numbers.id_or_none(raw_user)
    user = None if user_id is None else company.users.get(user_id)
    if user is None or not user.active:
        raise _invalid_request(f"user_id {quoted(raw_user)} is not an active user of company {company.id}")
    return company, user


async def authorize(request: Request) -> Response:
    pd = sandbox_of(request)
    try:
        app = _registered_app(pd, request)
    except OAuthError as exc:
        return error_page(exc.message)
    if not pd.companies:
        return error_page(
            "App cannot be installed for requested company: this sandbox has no Pipedrive company yet "
            "(create one with POST /_sandbox/pipedrive/companies)"
        )
    if request.method == "GET":
        return HTMLResponse(consent_page(pd, app, request.url.query))
    form = await _form(request)
    state = request.query_params.get("state")
    extra = {} if state is None else {"state": state}
    decision = form.get("decision")
    if decision == "deny":
        return RedirectResponse(_with_query(app.redirect_uri, {"error": "user_denied", **extra}), 302)
    if decision != "grant":
        return error_page(f"decision must be 'grant' or 'deny', got {decision!r}")
    try:
        company, user = _installer(pd, form)
    except OAuthError as exc:
        return error_page(exc.message)
    code = pd.tokens.issue_code(app, company_id=company.id, user_id=user.id, now=pd.ctx.clock.now())
    return RedirectResponse(_with_query(app.redirect_uri, {"code": code.code, **extra}), 302)


# --- token endpoint ------------------------------------------------------------------------------------


def _require_form(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise _invalid_request("Invalid request: content must be application/x-www-form-urlencoded")


def _client(pd: PipedriveSandbox, request: Request, form: dict[str, str]) -> PdApp:
    """HTTP Basic client credentials, or client_id/client_secret in the body."""
    cannot = OAuthError("invalid_client", "Invalid client: cannot retrieve client credentials")
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise cannot from None
        raw_id, sep, raw_secret = decoded.partition(":")
        if not sep:
            raise cannot
        client_id, secret = unquote(raw_id), unquote(raw_secret)
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not secret:
        raise cannot
    app = pd.tokens.apps.get(client_id)
    if app is None or not secrets.compare_digest(app.client_secret.encode(), secret.encode()):
        raise OAuthError("invalid_client", "Invalid client: client is invalid")
    return app


Grant = Callable[["PipedriveSandbox", PdApp, dict[str, str]], PdAccessToken]


def _param(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise _invalid_request(f"Missing parameter: {name}")
    return value


def _authorization_code(pd: PipedriveSandbox, app: PdApp, form: dict[str, str]) -> PdAccessToken:
    code = pd.tokens.codes.get(_param(form, "code"))
    now = pd.ctx.clock.now()
    if code is None or code.used or code.client_id != app.client_id:
        raise _invalid_grant("authorization_code")
    if now >= code.expires_at:
        raise _invalid_grant("authorization_code", "has expired")
    redirect_uri = form.get("redirect_uri")
    if not valid_uri(redirect_uri):
        raise _invalid_request("Invalid request: redirect_uri is not a valid URI")
    if redirect_uri != code.redirect_uri:
        raise _invalid_request("Invalid request: redirect_uri is invalid")
    code.used = True
    rt = pd.tokens.install(app, company_id=code.company_id, user_id=code.user_id, now=now)
    return pd.tokens.mint_access(rt, now=now)


def _refresh_token(pd: PipedriveSandbox, app: PdApp, form: dict[str, str]) -> PdAccessToken:
    rt = pd.tokens.refresh_tokens.get(_param(form, "refresh_token"))
    now = pd.ctx.clock.now()
    if rt is None or rt.client_id != app.client_id or not rt.alive(now) or rt.company_id not in pd.companies:
        raise _invalid_grant("refresh_token")
    return pd.tokens.mint_access(rt, now=now)


def _exchange_api_token(pd: PipedriveSandbox, app: PdApp, form: dict[str, str]) -> PdAccessToken:
    """Migrating an API-token integration: the token's user installs the app without a consent page."""
    api_token = _param(form, "api_token")
    now = pd.ctx.clock.now()
    for company in pd.companies.values():
        user_id = company.api_tokens.get(api_token)
        if user_id is not None:
            rt = pd.tokens.install(app, company_id=company.id, user_id=user_id, now=now)
            return pd.tokens.mint_access(rt, now=now)
    raise _invalid_grant("api_token")


GRANTS: dict[str, Grant] = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    "exchange_api_token": _exchange_api_token,
}


def _scope_string(scopes: list[str]) -> str:
    """Comma-separated, ``base`` last, as in Pipedrive's examples."""
    return ",".join([s for s in scopes if s != "base"] + ["base"])


def _oauth_error(exc: OAuthError) -> JSONResponse:
    return JSONResponse({"success": False, "message": exc.message, "error": exc.error}, status_code=400)


async def token(request: Request) -> Response:
    pd = sandbox_of(request)
    try:
        _require_form(request)
        form = await _form(request)
        app = _client(pd, request, form)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise _invalid_request("Missing parameter: grant_type")
        grant = GRANTS.get(grant_type)
        if grant is None:
            raise OAuthError("unsupported_grant_type", "Unsupported grant type: grant_type is invalid")
        at = grant(pd, app, form)
    except OAuthError as exc:
        return _oauth_error(exc)
    company = pd.companies[at.company_id]
    body = {
        "access_token": at.token,
        "token_type": "Bearer",
        "expires_in": EXPIRES_IN,
        "refresh_token": at.refresh_token,
        "scope": _scope_string(at.scopes),
        "api_domain": _api_domain(request, company),
    }
    return JSONResponse(body, headers={"cache-control": "no-store", "pragma": "no-cache"})


# --- revocation ----------------------------------------------------------------------------------------


def _revoke(pd: PipedriveSandbox, app: PdApp, value: str) -> None:
    """Kill ``value`` if it is one of ``app``'s tokens; unknown tokens are silently ignored (RFC 7009).

    The official Node SDK percent-encodes an access token before form-encoding it, so a value that is not
    a token as sent is also tried percent-decoded once.
    """
    for candidate in dict.fromkeys([value, unquote(value)]):
        rt: PdRefreshToken | None = pd.tokens.refresh_tokens.get(candidate)
        at: PdAccessToken | None = pd.tokens.access_tokens.get(candidate)
        if rt is not None and rt.client_id == app.client_id:
            pd.tokens.revoke_install(rt)
            return
        if at is not None and at.client_id == app.client_id:
            at.revoked = True
            return


async def revoke(request: Request) -> Response:
    pd = sandbox_of(request)
    try:
        _require_form(request)
        form = await _form(request)
        app = _client(pd, request, form)
        _revoke(pd, app, _param(form, "token"))
    except OAuthError as exc:
        return _oauth_error(exc)
    return Response(status_code=200)


routes: list[BaseRoute] = [
    Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/token/", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
]

"""``/oauth/begin`` and ``/oauth/callback``: the browser side of connecting an account (no API key).

``begin`` opens the sealed hand-off ``connect`` gave out, sets the flow's cookie and redirects to the
CRM's consent screen; the CRM sends the browser back to ``callback``, which finds the tenant from the
state, completes the authorisation in that tenant's view with the cookie's binding, and shows a small
page or redirects to the ``returnUrl`` with the outcome. Pipedrive's uninstall notice is a ``DELETE``
to the same callback URL.
"""

from __future__ import annotations

import asyncio
import html
from urllib.parse import urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from ...auth.state import StateSigner
from ...errors import CrmBridgeError, OAuthSessionMismatch
from ...store import OAuthStateError
from ..oauth_handoff import HANDOFF_SECONDS, cookie_name, open_cookie, open_handoff, seal_cookie
from ..service import Service, service_of

__all__ = ["router"]

router = APIRouter(tags=["oauth"])
_MAX_NOTICE = 64 * 1024


def _page(title: str, text: str, status: int) -> HTMLResponse:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body style='font-family:sans-serif;max-width:36em;"
        f"margin:4em auto'><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


@router.get("/oauth/begin", response_class=HTMLResponse, include_in_schema=False)
async def begin(request: Request, h: str = Query("", max_length=8192)) -> Response:
    service = service_of(request)
    handoff = await asyncio.to_thread(open_handoff, service, h) if h else None
    if handoff is None:
        return _page(
            "Link expired", "This connection link is invalid or has expired; ask for a new one.", 400
        )
    response = RedirectResponse(handoff.consent_url, status_code=302, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        cookie_name(handoff.state_id),
        seal_cookie(service, handoff),
        max_age=HANDOFF_SECONDS,
        path="/oauth",
        httponly=True,
        secure=service.settings.public_url.startswith("https://"),
        samesite="lax",  # the CRM's redirect back is a top-level GET: Lax cookies come with it
    )
    return response


@router.get("/oauth/callback", response_class=HTMLResponse, include_in_schema=False)
async def callback(
    request: Request,
    state: str = Query("", max_length=512),
    code: str | None = Query(None, max_length=4096),
    error: str | None = Query(None, max_length=512),
) -> Response:
    service = service_of(request)
    try:
        state_id = StateSigner.state_id(state)
    except OAuthStateError:
        return _page("Connection failed", "The link is missing or has a damaged state; start again.", 400)
    if not StateSigner.bound(state):
        # Every link the service gives out is bound to the browser that opens it; an unbound state was
        # made elsewhere (by library code on the same database) and nothing here could vouch for it.
        return _page("Connection failed", "This link was not started here; connect again from the app.", 403)
    owner = await asyncio.to_thread(service.runtime.store.oauth_states.owner, state_id)
    if owner is None:
        return _page("Connection failed", "This connection link is unknown or was already used.", 400)
    tenant_id, integration, identifier = owner
    name = cookie_name(state_id)
    binding, return_url = open_cookie(service, state_id, request.cookies.get(name))
    bridge = service.bridge(tenant_id)
    try:
        account = await bridge.acomplete_authorization(
            code=code, state=state, error=error, session_binding=binding
        )
    except OAuthSessionMismatch as exc:
        return _page("Connection failed", exc.message, 403)
    except CrmBridgeError as exc:
        outcome = {"status": "error", "code": exc.code, "integration": integration, "identifier": identifier}
        response = _finish(return_url, outcome) or _page("Connection failed", exc.message, 400)
    else:
        outcome = {"status": account.status.value, "integration": integration, "identifier": identifier}
        response = _finish(return_url, outcome) or _page(
            "Connected", "Your account is connected. You can close this window.", 200
        )
    response.delete_cookie(name, path="/oauth")
    return response


def _finish(return_url: str | None, outcome: dict[str, str]) -> Response | None:
    if not return_url:
        return None
    parts = urlsplit(return_url)
    query = "&".join(p for p in (parts.query, urlencode(outcome)) if p)
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=303)


@router.delete("/oauth/callback", include_in_schema=False)
async def uninstall(request: Request) -> Response:
    """An uninstall notice (Pipedrive's): offered to each tenant's OAuth integrations until one owns it."""
    body = await request.body()
    if len(body) > _MAX_NOTICE:
        return JSONResponse({"ok": False}, status_code=413)
    status = await _uninstall(service_of(request), request.headers.get("authorization"), body)
    return JSONResponse({"ok": status < 400}, status_code=status)


async def _uninstall(service: Service, authorization: str | None, body: bytes) -> int:
    answer = 401
    for tenant_id in await asyncio.to_thread(service.runtime.store.connections.tenants):
        status = await service.bridge(tenant_id).ahandle_uninstall(authorization=authorization, body=body)
        if status == 200:
            return 200
        if status == 400:
            answer = 400
    return answer

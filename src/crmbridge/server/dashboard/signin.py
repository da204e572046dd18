"""Sign-in with an API key (an admin key may choose the tenant to manage) and sign-out."""

from __future__ import annotations

import asyncio
import secrets

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import CrmBridgeError, NotFound
from ..service import service_of
from .guard import Viewer, posted, viewer
from .render import SECURITY_HEADERS, page
from .session import (
    COOKIE,
    PATH,
    PRE_COOKIE,
    SESSION_SECONDS,
    clear_session,
    same_token,
    set_cookie,
    start_session,
)

__all__ = ["router"]

router = APIRouter()

_REASONS = {
    "signin": "Sign in with an API key to manage your workspace.",
    "expired": "Your session ended; sign in again.",
    "revoked": "The API key you signed in with is no longer valid; sign in with another.",
    "signedout": "You are signed out.",
}


def _form(request: Request, *, status: int = 200, message: str = "", error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request, "signin.html", None, status=status, title="Sign in", csrf=token, notice=message, error=error
    )
    set_cookie(service_of(request), response, PRE_COOKIE, token, max_age=3600)
    return response


@router.get("/signin")
async def signin_form(request: Request, reason: str = Query("signin", max_length=32)) -> Response:
    return _form(request, message=_REASONS.get(reason, _REASONS["signin"]))


@router.post("/signin")
async def signin(request: Request) -> Response:
    service = service_of(request)
    form = await request.form()
    if not same_token(request.cookies.get(PRE_COOKIE), form.get("csrf")):
        return _form(request, status=403, error="The sign-in form expired; try again.")
    key = form.get("api_key")
    tenant = form.get("tenant")
    if not isinstance(key, str) or not key.strip():
        return _form(request, status=400, error="Enter an API key.")
    try:
        principal = await asyncio.to_thread(service.tenants.authenticate, f"Bearer {key.strip()}")
        chosen = tenant.strip() if isinstance(tenant, str) and tenant.strip() else principal.tenant_id
        if chosen != principal.tenant_id:
            if not principal.allows("admin"):
                return _form(request, status=403, error="Only an admin key may choose another tenant.")
            await asyncio.to_thread(service.tenants.get, chosen)
    except NotFound as exc:
        return _form(request, status=400, error=exc.message)
    except CrmBridgeError as exc:  # Unauthenticated: its message never quotes the key
        return _form(request, status=401, error=exc.message)
    _, sealed = start_session(service, principal.key_id, chosen)
    response = RedirectResponse("/dashboard/integrations", status_code=303, headers=SECURITY_HEADERS)
    set_cookie(service, response, COOKIE, sealed, max_age=SESSION_SECONDS)
    response.delete_cookie(PRE_COOKIE, path=PATH)
    return response


@router.post("/signout")
async def signout(request: Request, who: Viewer = Depends(viewer)) -> Response:
    await posted(request, who)
    response = RedirectResponse(
        "/dashboard/signin?reason=signedout", status_code=303, headers=SECURITY_HEADERS
    )
    clear_session(response)
    return response

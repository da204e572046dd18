"""Integrations: configure a CRM (OAuth client or API-key mode; the secret is write-only), see the scope
planner's warnings, and connect an account (OAuth: off to the hand-off link, back to Accounts)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ...errors import CrmBridgeError
from .. import actions
from ..models import ConnectIn, IntegrationIn
from ..service import service_of
from .guard import Viewer, need, posted
from .render import SECURITY_HEADERS, page

__all__ = ["router"]

router = APIRouter()
Name = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
_NOTICES = {"saved": "Integration saved.", "connected": "Account connected."}


def _scopes(text: str) -> list[str] | None:
    found = [s for s in re.split(r"[\s,]+", text) if s]
    return found or None


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg', 'invalid')}"


async def _view(
    request: Request, who: Viewer, *, status: int = 200, error: str = "", done: str = ""
) -> Response:
    service = service_of(request)
    bridge = service.bridge(who.tenant_id)
    connections = await bridge.alist_connections()
    plans: dict[str, list[dict[str, Any]]] = {}
    for c in connections:
        if c.auth_mode == "oauth":
            plan = await bridge.aplan_scopes(provider=c.provider, connection_name=c.name)
            plans[c.name] = [w.to_dict() for w in plan.warnings]
    return page(
        request,
        "integrations.html",
        who,
        status=status,
        current="integrations",
        title="Integrations",
        connections=connections,
        plans=plans,
        providers=bridge.catalog.provider_names,
        callback=service.settings.oauth_callback_url,
        error=error,
        notice=_NOTICES.get(done, ""),
    )


@router.get("/integrations")
async def integrations_page(
    request: Request, done: str = Query("", max_length=16), who: Viewer = Depends(need("integrations:read"))
) -> Response:
    return await _view(request, who, done=done)


@router.post("/integrations")
async def configure(request: Request, who: Viewer = Depends(need("integrations:write"))) -> Response:
    form = await posted(request, who)
    provider = form.get("provider", "")
    name = form.get("name") or provider
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", name):
        return await _view(request, who, status=400, error="The name may hold letters, digits, '-' and '_'.")
    oauth = form.get("auth") == "oauth"
    try:
        body = IntegrationIn.model_validate(
            {
                "provider": provider,
                "auth": "oauth" if oauth else "api_key",
                "clientId": form.get("client_id") or None if oauth else None,
                "clientSecret": form.get("client_secret") or None if oauth else None,
                "scopes": _scopes(form.get("scopes", "")) if oauth else None,
                "authorizeUrl": form.get("authorize_url") or None if oauth else None,
                "tokenUrl": form.get("token_url") or None if oauth else None,
                "baseUrl": form.get("base_url") or None,
            }
        )
        await actions.configure_integration(service_of(request), who.tenant_id, name, body)
    except ValidationError as exc:
        return await _view(request, who, status=400, error=_problem(exc))
    except CrmBridgeError as exc:
        return await _view(request, who, status=400, error=exc.message)
    return RedirectResponse("/dashboard/integrations?done=saved", status_code=303, headers=SECURITY_HEADERS)


@router.post("/integrations/{integration}/connect")
async def connect(
    request: Request, integration: str = Name, who: Viewer = Depends(need("integrations:connect"))
) -> Response:
    form = await posted(request, who)
    service = service_of(request)
    back = f"{service.settings.public_url.rstrip('/')}/dashboard/accounts"
    try:
        body = ConnectIn.model_validate(
            {
                "identifier": form.get("identifier") or "default",
                "apiKey": form.get("api_key") or None,
                "apiDomain": form.get("api_domain") or None,
                "returnUrl": back,
            }
        )
        url, _ = await actions.connect_account(service, who.tenant_id, integration, body)
    except ValidationError as exc:
        return await _view(request, who, status=400, error=_problem(exc))
    except CrmBridgeError as exc:
        return await _view(request, who, status=400, error=exc.message)
    target = url or "/dashboard/accounts?done=connected"
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)

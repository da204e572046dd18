"""Accounts: every connected account with its status, grants and CRM account; re-authorise one that is
not ACTIVE; disconnect one after a confirmation page. Also where the OAuth callback comes back to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import NotFound
from .. import actions
from ..models import AccountOut
from ..service import service_of
from .guard import Viewer, need, posted
from .render import SECURITY_HEADERS, page

__all__ = ["router"]

router = APIRouter()
Name = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
Identifier = Path(min_length=1, max_length=255)
_NOTICES = {"connected": "Account connected.", "disconnected": "Account disconnected."}


@router.get("/accounts")
async def accounts_page(
    request: Request,
    done: str = Query("", max_length=16),
    status: str = Query("", max_length=16),
    code: str = Query("", max_length=64),
    integration: str = Query("", max_length=128),
    identifier: str = Query("", max_length=255),
    who: Viewer = Depends(need("accounts:read")),
) -> Response:
    """``status``/``code``/``integration``/``identifier``: the outcome the OAuth callback sends back."""
    bridge = service_of(request).bridge(who.tenant_id)
    accounts = [AccountOut.of(a) for a in await bridge.alist_connected_accounts()]
    accounts.sort(key=lambda a: (a.integration, a.identifier))
    outcome = None
    if status and integration:
        outcome = {"status": status, "code": code, "integration": integration, "identifier": identifier}
    return page(
        request,
        "accounts.html",
        who,
        current="accounts",
        title="Accounts",
        accounts=accounts,
        outcome=outcome,
        notice=_NOTICES.get(done, ""),
    )


@router.post("/accounts/{integration}/{identifier}/reauthorize")
async def reauthorize(
    request: Request,
    integration: str = Name,
    identifier: str = Identifier,
    who: Viewer = Depends(need("accounts:read")),
) -> Response:
    """Make the hand-off link only when asked (a link writes an OAuth state), then go to it."""
    await posted(request, who)
    service = service_of(request)
    connection = await actions.known_integration(service, who.tenant_id, integration)
    account = await service.bridge(who.tenant_id).aget_connected_account(
        connection_name=integration, identifier=identifier
    )
    if account is None:
        raise NotFound(f"No account {identifier!r} on integration {integration!r}.", field="identifier")
    back = f"{service.settings.public_url.rstrip('/')}/dashboard/accounts"
    link = await actions.reauth_link(service, who.tenant_id, connection, account, back)
    if link is None:
        return RedirectResponse("/dashboard/accounts", status_code=303, headers=SECURITY_HEADERS)
    return RedirectResponse(link, status_code=303, headers=SECURITY_HEADERS)


@router.get("/accounts/{integration}/{identifier}/disconnect")
async def confirm_disconnect(
    request: Request,
    integration: str = Name,
    identifier: str = Identifier,
    who: Viewer = Depends(need("accounts:write")),
) -> Response:
    return page(
        request,
        "disconnect.html",
        who,
        current="accounts",
        title="Disconnect account",
        integration=integration,
        identifier=identifier,
    )


@router.post("/accounts/{integration}/{identifier}/disconnect")
async def disconnect(
    request: Request,
    integration: str = Name,
    identifier: str = Identifier,
    who: Viewer = Depends(need("accounts:write")),
) -> Response:
    await posted(request, who)
    await actions.delete_account(service_of(request), who.tenant_id, integration, identifier)
    return RedirectResponse(
        "/dashboard/accounts?done=disconnected", status_code=303, headers=SECURITY_HEADERS
    )

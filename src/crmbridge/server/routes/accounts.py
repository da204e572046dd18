"""``/integrations/{integration}/accounts``: who is connected, in what state, and the way back when not."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ...core.models import AccountStatus
from ...core.tenants import Principal
from ...errors import NotFound
from .. import actions
from ..models import AccountOut
from ..pagination import Page, PageParams, paginate
from ..security import require
from ..service import service_of
from .integrations import IntegrationName, _known

__all__ = ["router"]

router = APIRouter(tags=["accounts"])
Identifier = Path(min_length=1, max_length=255)


@router.get(
    "/integrations/{integration}/accounts", response_model=Page[AccountOut], response_model_by_alias=True
)
async def list_accounts(
    request: Request,
    integration: str = IntegrationName,
    status: AccountStatus | None = Query(None, description="Only accounts in this status."),
    page: PageParams = Depends(),
    principal: Principal = Depends(require("accounts:read")),
) -> Page[AccountOut]:
    await _known(request, principal, integration)
    bridge = service_of(request).bridge(principal.tenant_id)
    accounts = await bridge.alist_connected_accounts(integration)
    if status is not None:
        accounts = [a for a in accounts if a.status == status]
    chosen, cursor = paginate(accounts, page, key=lambda a: a.identifier)
    return Page(data=[AccountOut.of(a) for a in chosen], next_cursor=cursor)


@router.get(
    "/integrations/{integration}/accounts/{identifier}",
    response_model=AccountOut,
    response_model_by_alias=True,
)
async def get_account(
    request: Request,
    integration: str = IntegrationName,
    identifier: str = Identifier,
    principal: Principal = Depends(require("accounts:read")),
) -> AccountOut:
    connection = await _known(request, principal, integration)
    service = service_of(request)
    bridge = service.bridge(principal.tenant_id)
    account = await bridge.aget_connected_account(connection_name=integration, identifier=identifier)
    if account is None:
        raise NotFound(f"No account {identifier!r} on integration {integration!r}.", field="identifier")
    link = await actions.reauth_link(service, principal.tenant_id, connection, account)
    return AccountOut.of(account, link)


@router.delete("/integrations/{integration}/accounts/{identifier}", status_code=204)
async def delete_account(
    request: Request,
    integration: str = IntegrationName,
    identifier: str = Identifier,
    principal: Principal = Depends(require("accounts:write")),
) -> Response:
    await actions.delete_account(service_of(request), principal.tenant_id, integration, identifier)
    return Response(status_code=204)

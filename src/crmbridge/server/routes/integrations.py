"""``/integrations``: configure a tenant's CRM connections (seed 001's paths; the integration is the
connection's name) and connect accounts to them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request, Response

from ...core.tenants import Principal
from ...errors import NotFound
from .. import actions
from ..idempotency import idempotent
from ..models import AccountOut, ConnectIn, ConnectOut, IntegrationIn, IntegrationOut
from ..pagination import Page
from ..security import require
from ..service import service_of

__all__ = ["router"]

router = APIRouter(tags=["integrations"])
IntegrationName = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


@router.get("/integrations", response_model=Page[IntegrationOut], response_model_by_alias=True)
async def list_integrations(
    request: Request, principal: Principal = Depends(require("integrations:read"))
) -> Page[IntegrationOut]:
    bridge = service_of(request).bridge(principal.tenant_id)
    connections = await bridge.alist_connections()
    return Page(data=[IntegrationOut.of(c) for c in connections], next_cursor=None)


@router.put("/integrations/{integration}", response_model=IntegrationOut, response_model_by_alias=True)
async def configure_integration(
    body: IntegrationIn,
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:write")),
) -> IntegrationOut:
    connection = await actions.configure_integration(
        service_of(request), principal.tenant_id, integration, body
    )
    return IntegrationOut.of(connection)


@router.get("/integrations/{integration}", response_model=IntegrationOut, response_model_by_alias=True)
async def get_integration(
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:read")),
) -> IntegrationOut:
    bridge = service_of(request).bridge(principal.tenant_id)
    for connection in await bridge.alist_connections():
        if connection.name == integration:
            return IntegrationOut.of(connection)
    raise NotFound(f"No integration named {integration!r}; PUT /integrations/{integration} creates it.")


@router.delete("/integrations/{integration}", status_code=204)
async def delete_integration(
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:write")),
) -> Response:
    bridge = service_of(request).bridge(principal.tenant_id)
    await _known(request, principal, integration)
    await bridge.adelete_connection(integration, delete_accounts=True)
    return Response(status_code=204)


@router.post(
    "/integrations/{integration}/connect",
    response_model=ConnectOut,
    response_model_by_alias=True,
    responses={201: {"model": ConnectOut}},
)
async def connect(
    body: ConnectIn,
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:connect")),
) -> Response:
    async def run() -> tuple[int, Any]:
        url, account = await actions.connect_account(
            service_of(request), principal.tenant_id, integration, body
        )
        return 200, ConnectOut(oauth_url=url, account=AccountOut.of(account))

    return await idempotent(request, principal, run)


async def _known(request: Request, principal: Principal, integration: str) -> Any:
    return await actions.known_integration(service_of(request), principal.tenant_id, integration)

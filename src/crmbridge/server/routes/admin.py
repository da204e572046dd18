"""``/tenants`` and ``/api-keys``: what the CLI's ``tenants`` and ``api-keys`` commands do, over HTTP.

Keys of any tenant are listed or created for the key's own tenant; an ``admin`` key may also create
tenants and act on another tenant's keys (``tenant`` in the body or query).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ...core.tenants import Principal
from ...errors import NotFound, PermissionDenied
from ...store.tenants import ApiKeyRecord
from ..idempotency import idempotent
from ..models import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, TenantIn, TenantOut
from ..pagination import Page, PageParams, paginate
from ..security import require
from ..service import service_of

__all__ = ["router"]

router = APIRouter(tags=["admin"])


def _key_out(record: ApiKeyRecord) -> ApiKeyOut:
    return ApiKeyOut(
        id=record.id,
        tenant=record.tenant_id,
        name=record.name,
        scopes=list(record.scopes),
        identifier=record.identifier,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
    )


@router.get("/tenants", response_model=Page[TenantOut], response_model_by_alias=True)
async def list_tenants(
    request: Request, page: PageParams = Depends(), principal: Principal = Depends(require("admin"))
) -> Page[TenantOut]:
    tenants = await asyncio.to_thread(service_of(request).tenants.all)
    chosen, cursor = paginate(tenants, page, key=lambda t: t.id)
    return Page(data=[TenantOut(id=t.id, created_at=t.created_at) for t in chosen], next_cursor=cursor)


@router.post("/tenants", status_code=201, response_model=TenantOut, response_model_by_alias=True)
async def create_tenant(
    body: TenantIn, request: Request, principal: Principal = Depends(require("admin"))
) -> Response:
    async def run() -> tuple[int, Any]:
        tenant = await asyncio.to_thread(service_of(request).tenants.create, body.name)
        return 201, TenantOut(id=tenant.id, created_at=tenant.created_at)

    return await idempotent(request, principal, run)


def _tenant_for(principal: Principal, asked: str | None) -> str:
    if asked is None or asked == principal.tenant_id:
        return principal.tenant_id
    if not principal.allows("admin"):
        raise PermissionDenied("Only an admin key may act on another tenant.", required_scope="admin")
    return asked


@router.get("/api-keys", response_model=Page[ApiKeyOut], response_model_by_alias=True)
async def list_keys(
    request: Request,
    tenant: str | None = Query(None, max_length=63),
    page: PageParams = Depends(),
    principal: Principal = Depends(require("admin")),
) -> Page[ApiKeyOut]:
    chosen_tenant = _tenant_for(principal, tenant)
    keys = await asyncio.to_thread(service_of(request).tenants.list_keys, chosen_tenant)
    chosen, cursor = paginate(keys, page, key=lambda k: (k.created_at.isoformat(), k.id))
    return Page(data=[_key_out(k) for k in chosen], next_cursor=cursor)


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated, response_model_by_alias=True)
async def create_key(
    body: ApiKeyCreate, request: Request, principal: Principal = Depends(require("admin"))
) -> Response:
    async def run() -> tuple[int, Any]:
        tenant = _tenant_for(principal, body.tenant)
        tenants = service_of(request).tenants
        record, key = await asyncio.to_thread(
            lambda: tenants.create_key(tenant, body.scopes, name=body.name, identifier=body.identifier)
        )
        return 201, ApiKeyCreated(**_key_out(record).model_dump(), key=key)

    return await idempotent(request, principal, run)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut, response_model_by_alias=True)
async def revoke_key(
    request: Request,
    key_id: str = Path(min_length=1, max_length=32),
    principal: Principal = Depends(require("admin")),
) -> ApiKeyOut:
    tenants = service_of(request).tenants
    record = await asyncio.to_thread(tenants.store.api_keys.get, key_id)
    if record is None or (record.tenant_id != principal.tenant_id and not principal.allows("admin")):
        raise NotFound(f"No API key with id {key_id!r}.", field="key_id")
    revoked = await asyncio.to_thread(tenants.revoke_key, key_id)
    return _key_out(revoked)

"""An account's discovered schema: discover it again (reporting changes and bindings it broke), browse
its objects and search it. Thin calls into ``bridge.bindings.arediscover`` and ``bridge.discovery``;
the account is ``identifier`` (body for the POST, query for the GETs; ``default`` when omitted)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ...core.tenants import Principal
from ..agent_models import DiscoverIn
from ..idempotency import idempotent
from ..pagination import Page, PageParams, paginate
from ..security import require
from ..service import service_of
from .integrations import IntegrationName, _known

__all__ = ["router"]

router = APIRouter(tags=["schema"])
IdentifierQuery = Query("default", min_length=1, max_length=255, description="The connected account.")


@router.post("/integrations/{integration}/discover")
async def discover(
    request: Request,
    body: DiscoverIn | None = None,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:write")),
) -> Response:
    """Read the account's schema now and store it as the next version: counts, custom objects, what
    changed since the last version, and bindings the change broke (``driftedBindings``)."""
    identifier = (body or DiscoverIn()).identifier

    async def run() -> tuple[int, Any]:
        await _known(request, principal, integration)
        bridge = service_of(request).bridge(principal.tenant_id)
        return 200, await bridge.bindings.arediscover(integration, identifier)

    return await idempotent(request, principal, run)


@router.get("/integrations/{integration}/objects", response_model=Page[dict[str, Any]])
async def list_objects(
    request: Request,
    integration: str = IntegrationName,
    identifier: str = IdentifierQuery,
    page: PageParams = Depends(),
    principal: Principal = Depends(require("integrations:read")),
) -> Page[dict[str, Any]]:
    await _known(request, principal, integration)
    discovery = service_of(request).bridge(principal.tenant_id).discovery
    found = await asyncio.to_thread(discovery.objects, integration, identifier)
    items, cursor = paginate(found, page, key=lambda o: str(o["name"]))
    return Page(data=items, next_cursor=cursor)


@router.get("/integrations/{integration}/objects/{object}")
async def get_object(
    request: Request,
    integration: str = IntegrationName,
    object_name: str = Path(alias="object", min_length=1, max_length=200),
    identifier: str = IdentifierQuery,
    principal: Principal = Depends(require("integrations:read")),
) -> dict[str, Any]:
    """One object by name or label: its properties (types, options, flags), pipelines, associations."""
    await _known(request, principal, integration)
    discovery = service_of(request).bridge(principal.tenant_id).discovery
    return await asyncio.to_thread(discovery.object, integration, identifier, object_name)


@router.get("/integrations/{integration}/search")
async def search_schema(
    request: Request,
    integration: str = IntegrationName,
    q: str = Query(min_length=1, max_length=200, description="Words to look for (typos are fine)."),
    identifier: str = IdentifierQuery,
    object_name: str | None = Query(None, alias="object", max_length=200, description="Only this object."),
    limit: int = Query(20, ge=1, le=100),
    principal: Principal = Depends(require("integrations:read")),
) -> dict[str, Any]:
    """Ranked matches over objects, properties, option labels and descriptions."""
    await _known(request, principal, integration)
    discovery = service_of(request).bridge(principal.tenant_id).discovery
    hits = await asyncio.to_thread(
        lambda: discovery.search(integration, identifier, q, limit=limit, object=object_name)
    )
    return {"data": hits, "nextCursor": None}

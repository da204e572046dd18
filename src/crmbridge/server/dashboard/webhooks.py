"""Webhooks: the tenant's endpoint (its signing secret is never shown here) and recent deliveries with
their attempts. Configuring the endpoint stays with ``PUT /webhooks``, whose answer shows the new secret
once."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...webhooks.service import Webhooks
from ..service import service_of
from .guard import Viewer, need
from .render import page

__all__ = ["router"]

router = APIRouter()


@router.get("/webhooks")
async def webhooks_page(
    request: Request,
    cursor: str | None = Query(None, max_length=512),
    who: Viewer = Depends(need("webhooks:write")),
) -> Response:
    store = service_of(request).runtime.store
    record = await asyncio.to_thread(store.webhooks.get_endpoint, who.tenant_id)
    # Only what may be shown: the record also carries the signing secret, which no page renders.
    endpoint = (
        None if record is None else {"url": record.url, "events": record.events, "updated": record.updated_at}
    )
    deliveries = await asyncio.to_thread(Webhooks.deliveries_of, store, who.tenant_id, cursor, 25)
    return page(
        request, "webhooks.html", who, current="webhooks", title="Webhooks",
        endpoint=endpoint, deliveries=deliveries.items, next_cursor=deliveries.next_cursor,
    )  # fmt: skip

"""``/webhooks``: the tenant's endpoint (``PUT`` shows the signing secret once) and its deliveries."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from ...core.tenants import Principal
from ...errors import NotFound
from ...store.webhooks import DeliveryRecord
from ...webhooks import EndpointConfig
from ..models import Body, Out
from ..pagination import Page
from ..security import require
from ..service import service_of

__all__ = ["router"]

router = APIRouter(tags=["webhooks"])


class WebhookIn(Body):
    url: str = Field(min_length=1, max_length=2048, description="Where signed deliveries are POSTed.")
    events: list[str] = Field(min_length=1, max_length=20, description="e.g. account.status_changed")
    rotate_secret: bool = Field(False, description="Issue a new signing secret (shown once).")


class WebhookOut(Out):
    url: str
    events: list[str]
    created_at: datetime
    updated_at: datetime
    secret: str | None = Field(
        None, description="The signing secret: only in the answer that issued it. Store it now."
    )

    @classmethod
    def of(cls, config: EndpointConfig) -> WebhookOut:
        return cls(
            url=config.url,
            events=list(config.events),
            created_at=config.created_at,
            updated_at=config.updated_at,
            secret=config.secret,
        )


class AttemptOut(Out):
    number: int
    at: datetime
    status_code: int | None = None
    error: str | None = None
    duration_ms: int


class DeliveryOut(Out):
    id: str
    event: str
    status: str
    attempts: int
    last_error: str | None = None
    created_at: datetime
    next_attempt_at: datetime | None = None
    finished_at: datetime | None = None
    payload: dict[str, Any]
    attempt_log: list[AttemptOut] = []

    @classmethod
    def of(cls, record: DeliveryRecord) -> DeliveryOut:
        return cls(
            id=record.id,
            event=record.event,
            status=record.status,
            attempts=record.attempts,
            last_error=record.last_error,
            created_at=record.created_at,
            next_attempt_at=record.next_attempt_at,
            finished_at=record.finished_at,
            payload=record.payload,
            attempt_log=[
                AttemptOut(
                    number=a.number,
                    at=a.at,
                    status_code=a.status_code,
                    error=a.error,
                    duration_ms=a.duration_ms,
                )
                for a in record.attempt_log
            ],
        )


@router.put("/webhooks", response_model=WebhookOut, response_model_by_alias=True)
async def configure_webhook(
    body: WebhookIn, request: Request, principal: Principal = Depends(require("webhooks:write"))
) -> WebhookOut:
    service = service_of(request)
    webhooks = await asyncio.to_thread(lambda: service.webhooks)
    config = await asyncio.to_thread(
        webhooks.configure, principal.tenant_id, body.url, body.events, rotate_secret=body.rotate_secret
    )
    return WebhookOut.of(config)


@router.get("/webhooks", response_model=WebhookOut, response_model_by_alias=True)
async def get_webhook(
    request: Request, principal: Principal = Depends(require("webhooks:write"))
) -> WebhookOut:
    store = service_of(request).runtime.store
    record = await asyncio.to_thread(store.webhooks.get_endpoint, principal.tenant_id)
    if record is None:
        raise NotFound("No webhook endpoint is configured; PUT /webhooks sets one.")
    return WebhookOut(
        url=record.url,
        events=list(record.events),
        created_at=record.created_at,
        updated_at=record.updated_at,
        secret=None,
    )


@router.delete("/webhooks", status_code=204)
async def delete_webhook(
    request: Request, principal: Principal = Depends(require("webhooks:write"))
) -> Response:
    store = service_of(request).runtime.store
    if not await asyncio.to_thread(store.webhooks.delete_endpoint, principal.tenant_id):
        raise NotFound("No webhook endpoint is configured.")
    return Response(status_code=204)


@router.get("/webhooks/deliveries", response_model=Page[DeliveryOut], response_model_by_alias=True)
async def list_deliveries(
    request: Request,
    limit: int = Query(20, ge=1, le=100),
    cursor: str | None = Query(None, max_length=512),
    principal: Principal = Depends(require("webhooks:write")),
) -> Page[DeliveryOut]:
    service = service_of(request)
    from ...webhooks.service import Webhooks

    # Reading history needs no durable engine: the listing is a store query.
    page = await asyncio.to_thread(
        Webhooks.deliveries_of, service.runtime.store, principal.tenant_id, cursor, limit
    )
    return Page(data=[DeliveryOut.of(d) for d in page.items], next_cursor=page.next_cursor)

"""Interaction logging over HTTP: each integration's writeback setting, starting and ending an agent's
conversations, and the interaction's status (seed 001's routes)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from ...conversations import INTERACTION_FAILED, INTERACTION_LOGGED, Conversations
from ...core.tenants import Principal
from ...errors import NotFound
from ...webhooks import register_event_type
from ..idempotency import idempotent
from ..models import Body
from ..security import require
from ..service import Service, service_of

__all__ = ["conversations_of", "router"]

router = APIRouter(tags=["conversations"])
# Subscribable from start-up, before any conversation has ended.
register_event_type(INTERACTION_LOGGED, "A finished conversation was written to the CRM.")
register_event_type(INTERACTION_FAILED, "A finished conversation could not be written to the CRM.")
IntegrationName = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


def conversations_of(service: Service) -> Conversations:
    """The service's interaction logging (built on first need: see ``Service.conversations``)."""
    return service.conversations


async def _logging(request: Request) -> Conversations:
    return await asyncio.to_thread(conversations_of, service_of(request))


# -- writeback settings ------------------------------------------------------------------------


class WritebackIn(Body):
    mode: str = Field(description="off | summary | summary_transcript")
    on_no_match: str | None = Field(None, description="skip | create (unchanged when omitted)")


@router.get("/integrations/{integration}/writeback")
async def get_writeback(
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:read")),
) -> dict[str, Any]:
    logging_ = await _logging(request)
    return await asyncio.to_thread(logging_.writeback, principal.tenant_id, integration)


@router.patch("/integrations/{integration}/writeback")
async def set_writeback(
    body: WritebackIn,
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:write")),
) -> dict[str, Any]:
    logging_ = await _logging(request)
    return await asyncio.to_thread(
        logging_.set_writeback, principal.tenant_id, integration, body.mode, body.on_no_match
    )


# -- conversations -----------------------------------------------------------------------------


class CallerIn(Body):
    phone: str | None = Field(None, max_length=64)
    email: str | None = Field(None, max_length=254)
    name: str | None = Field(None, max_length=200)


class StartIn(Body):
    channel: Literal["voice", "chat"]
    caller: CallerIn = Field(default_factory=lambda: CallerIn(phone=None, email=None, name=None))
    direction: Literal["inbound", "outbound"] = "inbound"
    started_at: datetime | None = None


class TurnIn(Body):
    role: Literal["caller", "agent"]
    text: str = Field(max_length=100_000)
    at: str | None = None


class EndIn(Body):
    ended_at: datetime | None = None
    transcript: list[TurnIn] = Field(default_factory=list, max_length=5000)
    summary: str | None = Field(None, max_length=20_000)
    outcome: str | None = Field(None, max_length=64)
    duration_ms: int | None = Field(None, ge=0)
    recording_url: str | None = Field(None, max_length=2048)
    agent_phone: str | None = Field(None, max_length=64)


@router.post("/agents/{agentId}/conversations", status_code=201)
async def start_conversation(
    body: StartIn,
    request: Request,
    agent_id: str = Path(alias="agentId", min_length=1, max_length=64),
    principal: Principal = Depends(require("conversations:write")),
) -> JSONResponse:
    async def run() -> tuple[int, Any]:
        service = service_of(request)
        agents = service.bridge(principal.tenant_id).agents
        caller = body.caller.model_dump(exclude_none=True)
        started = await asyncio.to_thread(
            lambda: agents.start_conversation(agent_id, channel=body.channel, caller=caller)
        )
        extra: dict[str, str] = {"direction": body.direction}
        if body.started_at is not None:
            extra["started_at"] = body.started_at.isoformat()
        await asyncio.to_thread(
            service.runtime.store.interactions.annotate_conversation,
            principal.tenant_id,
            started["id"],
            **extra,
        )
        return 201, {**started, "direction": body.direction}

    return await idempotent(request, principal, run)


@router.post("/conversations/{conversationId}/end", status_code=202)
async def end_conversation(
    body: EndIn,
    request: Request,
    conversation_id: str = Path(alias="conversationId", min_length=1, max_length=64),
    principal: Principal = Depends(require("conversations:write")),
) -> JSONResponse:
    async def run() -> tuple[int, Any]:
        logging_ = await _logging(request)
        payload = body.model_dump(by_alias=True, exclude_none=True, mode="json")
        return 202, await logging_.aend(principal.tenant_id, conversation_id, payload)

    return await idempotent(request, principal, run)


@router.get("/conversations/{conversationId}")
async def get_conversation(
    request: Request,
    conversation_id: str = Path(alias="conversationId", min_length=1, max_length=64),
    principal: Principal = Depends(require("conversations:write")),
) -> dict[str, Any]:
    service = service_of(request)
    store = service.runtime.store
    record = await asyncio.to_thread(store.skills.conversation, principal.tenant_id, conversation_id)
    if record is None:
        raise NotFound(f"There is no conversation {conversation_id[:80]!r}.", field="conversationId")
    logging_ = await _logging(request)
    interaction = await asyncio.to_thread(logging_.status, principal.tenant_id, conversation_id)
    return {
        "id": record.id,
        "agentId": record.agent_id,
        "channel": record.channel,
        "caller": {k: v for k, v in record.caller.items() if k in ("phone", "email", "name")},
        "direction": record.caller.get("direction", "inbound"),
        "status": "ended" if interaction is not None else "active",
        "interaction": interaction,
    }

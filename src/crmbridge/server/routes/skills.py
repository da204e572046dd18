"""An agent's skills — pack skills and bindings alike — listed, removed and run; and a conversation's
verified caller.

Status codes follow ``/tools``: a call that reached the skill answers **200** whatever the skill said,
including ``confirmation_required``, ``confirmation_mismatch`` and ``identity_not_verified`` (they are
information for the model and the caller, not failed requests). An unknown agent, skill or conversation
is the request's fault: 404 problem+json.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Path, Request, Response

from ...core.agent_skills import CONFIRMATION, agent_bindings, agent_toolset, delete_agent_skill
from ...core.tenants import Principal
from ...errors import NotFound
from ..agent_actions import agent_skills
from ..agent_models import SkillExecuteIn, SkillOut, VerifyIn
from ..idempotency import idempotent
from ..models import ToolResultOut
from ..pagination import Page, PageParams, paginate
from ..security import require
from ..service import service_of
from .agents import AgentId

__all__ = ["router"]

router = APIRouter(tags=["skills"])
SkillName = Path(min_length=1, max_length=128)


@router.get("/agents/{agentId}/skills", response_model=Page[SkillOut], response_model_by_alias=True)
async def list_skills(
    request: Request,
    agent_id: str = AgentId,
    page: PageParams = Depends(),
    principal: Principal = Depends(require("integrations:read")),
) -> Page[SkillOut]:
    bridge = service_of(request).bridge(principal.tenant_id)
    found = await asyncio.to_thread(agent_skills, bridge, agent_id)
    items, cursor = paginate(found, page, key=lambda s: s.name)
    return Page(data=items, next_cursor=cursor)


@router.delete("/agents/{agentId}/skills/{name}", status_code=204)
async def delete_skill(
    request: Request,
    agent_id: str = AgentId,
    name: str = SkillName,
    principal: Principal = Depends(require("skills:write")),
) -> Response:
    bridge = service_of(request).bridge(principal.tenant_id)
    await asyncio.to_thread(delete_agent_skill, bridge, agent_id, name)
    return Response(status_code=204)


@router.post(
    "/agents/{agentId}/skills/{name}/execute",
    response_model=ToolResultOut,
    response_model_by_alias=True,
    responses={200: {"model": ToolResultOut}},
)
async def execute_skill(
    body: SkillExecuteIn,
    request: Request,
    agent_id: str = AgentId,
    name: str = SkillName,
    principal: Principal = Depends(require("skills:execute")),
) -> Response:
    bridge = service_of(request).bridge(principal.tenant_id)
    agents = bridge.agents
    await asyncio.to_thread(agents.agent, agent_id)  # another tenant's agent: 404
    if body.conversation_id is not None:
        conversation = await asyncio.to_thread(agents.conversation, body.conversation_id)
        if conversation["agent_id"] != agent_id:
            raise NotFound(
                f"Agent {agent_id!r} has no conversation {body.conversation_id!r}.", field="conversationId"
            )
    toolset = await agent_toolset(bridge, agent_id, conversation_id=body.conversation_id)
    listed = {t.name for t in toolset.list_tools()}
    drifted = {b.name for b in await asyncio.to_thread(agent_bindings, bridge, agent_id)}
    if name not in listed | drifted:
        raise NotFound(
            f"Agent {agent_id!r} has no skill {name!r}; it has {', '.join(sorted(listed)) or 'none'} "
            "(install a pack or a binding).",
            field="name",
            candidates=sorted(listed),
        )

    async def run() -> tuple[int, Any]:
        args: dict[str, Any] = dict(body.input)
        if body.confirmation is not None:
            args[CONFIRMATION] = body.confirmation
        return 200, (await toolset.call_tool(name, args)).to_dict()

    return await idempotent(request, principal, run)


@router.post("/conversations/{conversationId}/verify")
async def verify_caller(
    body: VerifyIn,
    request: Request,
    conversation_id: str = Path(alias="conversationId", min_length=1, max_length=128),
    principal: Principal = Depends(require("conversations:write")),
) -> Response:
    """Record the caller's verified identity — from the platform's own check (OTP, caller id, e-mail
    link), never from the model's arguments. ``caller_id`` is checked against the CRM here."""

    async def run() -> tuple[int, Any]:
        agents = service_of(request).bridge(principal.tenant_id).agents
        verified = await agents.averify(conversation_id, contact_id=body.contact_id, method=body.method)
        caller = verified.get("verified") or {}
        return 200, {
            "id": verified["id"],
            "agentId": verified["agent_id"],
            "channel": verified["channel"],
            "verified": {"contactId": caller.get("contact_id"), "method": caller.get("method")},
        }

    return await idempotent(request, principal, run)

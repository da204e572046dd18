"""``/agents`` and packs: a tenant's agents, the Connector Pack of an integration, and installing it.

Each route is one call into ``bridge.agents`` (``crmbridge.skills.Agents``). Another tenant's agent is
simply not found (404): every lookup goes through the principal's tenant view.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Path, Request, Response

from ...core.tenants import Principal
from ..agent_actions import delete_agent as delete_agent_and_bindings
from ..agent_models import AgentIn, AgentOut, AgentPatch, InstallIn, InstallOut, PackOut
from ..idempotency import idempotent
from ..pagination import Page, PageParams, paginate
from ..security import require
from ..service import service_of
from .integrations import IntegrationName, _known

__all__ = ["AgentId", "router"]

router = APIRouter(tags=["agents"])
AgentId = Path(
    alias="agentId", min_length=1, max_length=128, description="The agent's id (from POST /agents)."
)


@router.post("/agents", status_code=201, response_model=AgentOut, responses={201: {"model": AgentOut}})
async def create_agent(
    body: AgentIn, request: Request, principal: Principal = Depends(require("skills:write"))
) -> Response:
    async def run() -> tuple[int, Any]:
        agents = service_of(request).bridge(principal.tenant_id).agents
        made = await agents.acreate_agent(body.name, auto_install=body.auto_install)
        return 201, AgentOut.of(made)

    return await idempotent(request, principal, run)


@router.get("/agents", response_model=Page[AgentOut], response_model_by_alias=True)
async def list_agents(
    request: Request,
    page: PageParams = Depends(),
    principal: Principal = Depends(require("integrations:read")),
) -> Page[AgentOut]:
    agents = service_of(request).bridge(principal.tenant_id).agents
    found = await asyncio.to_thread(agents.list_agents)
    items, cursor = paginate(found, page, key=lambda a: (a["created_at"], a["id"]))
    return Page(data=[AgentOut.of(a) for a in items], next_cursor=cursor)


@router.get("/agents/{agentId}", response_model=AgentOut, response_model_by_alias=True)
async def get_agent(
    request: Request,
    agent_id: str = AgentId,
    principal: Principal = Depends(require("integrations:read")),
) -> AgentOut:
    agents = service_of(request).bridge(principal.tenant_id).agents
    return AgentOut.of(await asyncio.to_thread(agents.get_agent, agent_id))


@router.patch("/agents/{agentId}", response_model=AgentOut, response_model_by_alias=True)
async def update_agent(
    body: AgentPatch,
    request: Request,
    agent_id: str = AgentId,
    principal: Principal = Depends(require("skills:write")),
) -> AgentOut:
    """Opt the agent in or out of pack installs on connect (``autoInstall``)."""
    agents = service_of(request).bridge(principal.tenant_id).agents
    return AgentOut.of(await asyncio.to_thread(agents.set_auto_install, agent_id, body.auto_install))


@router.delete("/agents/{agentId}", status_code=204)
async def delete_agent(
    request: Request,
    agent_id: str = AgentId,
    principal: Principal = Depends(require("skills:write")),
) -> Response:
    """The agent with its skills, installs, conversations and the bindings installed on it."""
    bridge = service_of(request).bridge(principal.tenant_id)

    await asyncio.to_thread(delete_agent_and_bindings, bridge, agent_id)
    return Response(status_code=204)


@router.get("/integrations/{integration}/pack", response_model=PackOut, response_model_by_alias=True)
async def get_pack(
    request: Request,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("integrations:read")),
) -> PackOut:
    await _known(request, principal, integration)  # the tenant's integration, like every /integrations route
    agents = service_of(request).bridge(principal.tenant_id).agents
    pack = await asyncio.to_thread(agents.pack, integration)
    return PackOut(**pack)


@router.post(
    "/agents/{agentId}/integrations/{integration}/pack/install",
    response_model=InstallOut,
    responses={200: {"model": InstallOut}},
)
async def install_pack(
    request: Request,
    body: InstallIn | None = None,
    agent_id: str = AgentId,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("skills:write")),
) -> Response:
    """Compile the pack for the account and install it; a reinstall answers ``created: false``."""
    identifier = (body or InstallIn()).identifier

    async def run() -> tuple[int, Any]:
        agents = service_of(request).bridge(principal.tenant_id).agents
        done = await agents.ainstall_pack(agent_id, integration, identifier=identifier)
        return 200, InstallOut.of(done)

    return await idempotent(request, principal, run)

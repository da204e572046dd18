"""Bindings on an agent: author one by hand (``restSearch`` / ``restWrite``) or by describing it, preview
it with ``dryRun``, list and remove them. A saved binding is one of the agent's skills: it is listed by
``GET /agents/{agentId}/skills``, runs through ``.../skills/{name}/execute`` and over the agent's MCP,
and its writes are gated like the pack's.

An invalid binding is 422 ``invalid_binding`` with ``details.problems``: every problem, its JSON path
and suggestions. A binding name must be free on the agent (a pack skill) and on the account (another
agent's binding): 409 otherwise, never a silent replacement.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ...core.agent_skills import agent_bindings
from ...core.tenants import Principal
from ...errors import NotFound
from ..agent_actions import binding_out, install_binding
from ..agent_models import AutoBindingIn, BindingIn, BindingOut
from ..idempotency import idempotent
from ..pagination import Page, PageParams, paginate
from ..security import require
from ..service import service_of
from .agents import AgentId
from .integrations import IntegrationName, _known

__all__ = ["router"]

router = APIRouter(tags=["bindings"])


async def _checked(request: Request, principal: Principal, agent_id: str, integration: str) -> None:
    agents = service_of(request).bridge(principal.tenant_id).agents
    await asyncio.to_thread(agents.agent, agent_id)
    await _known(request, principal, integration)


@router.post("/agents/{agentId}/integrations/{integration}/bindings")
async def create_binding(
    body: BindingIn,
    request: Request,
    agent_id: str = AgentId,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("skills:write")),
) -> Response:
    """Validate against the account's latest schema and install as a skill (201); with ``dryRun``, the
    compiled skill, the request it sends and up to 3 sample records, installing nothing (200)."""
    await _checked(request, principal, agent_id, integration)

    async def run() -> tuple[int, Any]:
        bridge = service_of(request).bridge(principal.tenant_id)
        if body.dry_run:
            preview = await bridge.bindings.apreview(
                integration, body.identifier, body.binding, body.sample_input
            )
            return 200, {"dryRun": True, **preview}
        return 201, await install_binding(bridge, agent_id, integration, body.identifier, body.binding)

    return await idempotent(request, principal, run)


@router.post("/agents/{agentId}/integrations/{integration}/bindings/auto")
async def describe_binding(
    body: AutoBindingIn,
    request: Request,
    agent_id: str = AgentId,
    integration: str = IntegrationName,
    principal: Principal = Depends(require("skills:write")),
) -> Response:
    """ "Describe it": a plain-language goal → a validated binding, installed unless ``dryRun``. A goal
    it cannot read safely answers ``binding: null`` with the question in ``warnings`` (nothing installed)."""
    await _checked(request, principal, agent_id, integration)

    async def run() -> tuple[int, Any]:
        bridge = service_of(request).bridge(principal.tenant_id)
        proposal = await bridge.bindings.adescribe(integration, body.identifier, body.goal, name=body.name)
        out: dict[str, Any] = {**proposal.to_dict(), "installed": False}
        if proposal.binding is None or body.dry_run:
            return 200, out
        installed = await install_binding(bridge, agent_id, integration, body.identifier, proposal.binding)
        return 201, {**out, **installed, "binding": proposal.binding, "saved": installed["binding"],
                     "installed": True}  # fmt: skip

    return await idempotent(request, principal, run)


@router.get("/agents/{agentId}/bindings", response_model=Page[BindingOut], response_model_by_alias=True)
async def list_bindings(
    request: Request,
    agent_id: str = AgentId,
    page: PageParams = Depends(),
    principal: Principal = Depends(require("integrations:read")),
) -> Page[BindingOut]:
    """The agent's bindings on every account, drifted ones with their ``problems``."""
    bridge = service_of(request).bridge(principal.tenant_id)
    await asyncio.to_thread(bridge.agents.agent, agent_id)
    found = [binding_out(r) for r in await asyncio.to_thread(agent_bindings, bridge, agent_id)]
    items, cursor = paginate(found, page, key=lambda b: (b.name, b.integration, b.identifier))
    return Page(data=items, next_cursor=cursor)


@router.delete("/agents/{agentId}/integrations/{integration}/bindings/{name}", status_code=204)
async def delete_binding(
    request: Request,
    agent_id: str = AgentId,
    integration: str = IntegrationName,
    name: str = Path(min_length=1, max_length=128),
    identifier: str = Query("default", min_length=1, max_length=255),
    principal: Principal = Depends(require("skills:write")),
) -> Response:
    bridge = service_of(request).bridge(principal.tenant_id)

    def delete() -> None:
        bridge.agents.agent(agent_id)
        mine = [
            r for r in agent_bindings(bridge, agent_id)
            if (r.connection_name, r.identifier, r.name) == (integration, identifier, name)
        ]  # fmt: skip
        if not mine:
            raise NotFound(f"Agent {agent_id!r} has no binding {name!r} on {integration} ({identifier}).")
        bridge.store.snapshots.delete_binding(bridge.tenant_id, integration, identifier, name)

    await asyncio.to_thread(delete)
    return Response(status_code=204)

"""Agents: create one, install the Connector Pack of an integration on it (showing which skills were
created and which were already there), read its skills with their policies, delete a skill after a
confirmation page, and opt it in or out of installs on connect.

Every action is one call into ``bridge.agents`` or ``server/agent_actions.py``, the functions the
``/agents`` and ``/skills`` API routes call.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...core.agent_skills import delete_agent_skill
from ...errors import InvalidInput
from ..agent_actions import agent_skills
from ..agent_models import AgentOut, InstallOut
from ..service import service_of
from .guard import Viewer, need, posted
from .render import SECURITY_HEADERS, page

__all__ = ["router"]

router = APIRouter()
AgentId = Path(min_length=1, max_length=128)
SkillName = Path(min_length=1, max_length=128)
_NOTICES = {
    "created": "Agent created.",
    "auto_on": "Connecting an integration now installs its pack on this agent.",
    "auto_off": "Connecting an integration no longer installs its pack on this agent.",
    "deleted": "Skill deleted.",
    "installed": "Binding installed as a skill.",
}


def _home(agent_id: str, done: str) -> Response:
    target = f"/dashboard/agents/{quote(agent_id, safe='')}?done={done}"
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


@router.get("/agents")
async def agents_page(
    request: Request,
    who: Viewer = Depends(need("integrations:read")),
) -> Response:
    agents = service_of(request).bridge(who.tenant_id).agents
    found = [AgentOut.of(a) for a in await asyncio.to_thread(agents.list_agents)]
    found.sort(key=lambda a: (a.created_at, a.id))
    return page(request, "agents.html", who, current="agents", title="Agents", agents=found)


@router.post("/agents")
async def create_agent(request: Request, who: Viewer = Depends(need("skills:write"))) -> Response:
    form = await posted(request, who)
    agents = service_of(request).bridge(who.tenant_id).agents
    made = await agents.acreate_agent(form.get("name", ""), auto_install=form.get("auto_install") == "on")
    return _home(made["id"], "created")


@router.get("/agents/{agent_id}")
async def agent_page(
    request: Request,
    agent_id: str = AgentId,
    done: str = Query("", max_length=16),
    who: Viewer = Depends(need("integrations:read")),
) -> Response:
    return await _agent_page(request, who, agent_id, notice=_NOTICES.get(done, ""))


async def _agent_page(
    request: Request, who: Viewer, agent_id: str, *, installed: InstallOut | None = None, notice: str = ""
) -> Response:
    bridge = service_of(request).bridge(who.tenant_id)
    agent = AgentOut.of(await asyncio.to_thread(bridge.agents.get_agent, agent_id))
    skills = await asyncio.to_thread(agent_skills, bridge, agent_id)
    integrations = [c.name for c in await bridge.alist_connections()]
    return page(
        request, "agent.html", who, current="agents", title=f"Agent {agent.name}", agent=agent,
        skills=skills, integrations=integrations, installed=installed, notice=notice,
    )  # fmt: skip


@router.post("/agents/{agent_id}/auto-install")
async def auto_install(
    request: Request, agent_id: str = AgentId, who: Viewer = Depends(need("skills:write"))
) -> Response:
    form = await posted(request, who)
    value = form.get("auto_install", "")
    if value not in ("on", "off"):
        raise InvalidInput("auto_install must be 'on' or 'off'.", field="auto_install")
    agents = service_of(request).bridge(who.tenant_id).agents
    await asyncio.to_thread(agents.set_auto_install, agent_id, value == "on")
    return _home(agent_id, f"auto_{value}")


@router.post("/agents/{agent_id}/pack")
async def install_pack(
    request: Request, agent_id: str = AgentId, who: Viewer = Depends(need("skills:write"))
) -> Response:
    """Answers with the agent's page and the install's outcome (created vs already present)."""
    form = await posted(request, who)
    integration = form.get("integration", "")
    if not integration:
        raise InvalidInput("Choose an integration.", field="integration")
    agents = service_of(request).bridge(who.tenant_id).agents
    done = await agents.ainstall_pack(agent_id, integration, identifier=form.get("identifier") or "default")
    return await _agent_page(request, who, agent_id, installed=InstallOut.of(done))


@router.get("/agents/{agent_id}/skills/{name}/delete")
async def confirm_delete_skill(
    request: Request,
    agent_id: str = AgentId,
    name: str = SkillName,
    who: Viewer = Depends(need("skills:write")),
) -> Response:
    agents = service_of(request).bridge(who.tenant_id).agents
    agent = await asyncio.to_thread(agents.agent, agent_id)
    return page(
        request, "skill_delete.html", who, current="agents", title="Delete skill", agent=agent, name=name
    )


@router.post("/agents/{agent_id}/skills/{name}/delete")
async def delete_skill(
    request: Request,
    agent_id: str = AgentId,
    name: str = SkillName,
    who: Viewer = Depends(need("skills:write")),
) -> Response:
    await posted(request, who)
    bridge = service_of(request).bridge(who.tenant_id)
    await asyncio.to_thread(delete_agent_skill, bridge, agent_id, name)
    return _home(agent_id, "deleted")

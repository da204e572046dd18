"""Helpers for the agent-platform routes: a Pipedrive account connected as ``default`` over HTTP and
agents made through the API."""

from __future__ import annotations

from typing import Any

from crmbridge.providers.pipedrive.pack import PACK as PIPEDRIVE_PACK

from .service_env import ServiceEnv

#: The Pipedrive Connector Pack's skill names, read from the provider's data (not a copy of it).
PACK = {template.name for template in PIPEDRIVE_PACK.templates}


async def new_agent(env: ServiceEnv, name: str = "Front desk", **body: Any) -> dict[str, Any]:
    r = await env.api.post("/agents", headers=env.headers(), json={"name": name, **body})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def skill_names(env: ServiceEnv, agent_id: str) -> set[str]:
    r = await env.api.get(f"/agents/{agent_id}/skills", headers=env.headers())
    assert r.status_code == 200, r.text
    return {s["name"] for s in r.json()["data"]}


async def execute(
    env: ServiceEnv, agent_id: str, skill: str, payload: dict[str, Any], **more: Any
) -> dict[str, Any]:
    r = await env.api.post(
        f"/agents/{agent_id}/skills/{skill}/execute", headers=env.headers(), json={"input": payload, **more}
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def connected_agent(env: ServiceEnv) -> str:
    """An agent with the Pipedrive pack installed (by connecting, after the agent exists)."""
    agent = await new_agent(env)
    await env.pipedrive_api_key(identifier="default")
    return str(agent["id"])

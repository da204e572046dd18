"""What the agent, skill and binding routes do, shared by the JSON API and the dashboard.

Like ``actions.py`` for integrations: the routes parse and answer HTTP, these functions are the use case
over the tenant's Bridge, so the API and the dashboard list, install and remove skills the same way.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..bindings.service import compiled_definition
from ..core.agent_skills import agent_bindings
from ..errors import Conflict
from .agent_models import BindingOut, SkillOut

__all__ = ["agent_skills", "binding_out", "delete_agent", "install_binding"]


def agent_skills(bridge: Any, agent_id: str) -> list[SkillOut]:
    """Every skill of the agent: its pack skills, then its bindings (drifted ones with their problems)."""
    out = [
        SkillOut(
            name=s["name"],
            kind="pack",
            integration=s["integration"],
            identifier=s["identifier"],
            description=s["description"],
            access=s["access"],
            input_schema=s["input_schema"],
            policy=s["policy"],
            template=s["template"],
            resolved=s["resolved"],
            updated_at=s["updated_at"],
        )
        for s in bridge.agents.list_skills(agent_id)
    ]
    for b in agent_bindings(bridge, agent_id):
        writes = b.definition.get("kind") == "restWrite"
        out.append(
            SkillOut(
                name=b.name,
                kind="binding",
                integration=b.connection_name,
                identifier=b.identifier,
                description=b.definition.get("description") or None,
                access="write" if writes else "read",
                policy={"gated": writes, "verified_identity": False},
                status=b.status,
                problems=b.problems,
                updated_at=b.updated_at.isoformat(),
            )
        )
    return out


def delete_agent(bridge: Any, agent_id: str) -> None:
    """The agent with its skills, installs, conversations and the bindings installed on it."""
    bridge.agents.agent(agent_id)  # 404 before anything is removed
    for record in agent_bindings(bridge, agent_id):
        bridge.store.snapshots.delete_binding(
            bridge.tenant_id, record.connection_name, record.identifier, record.name
        )
    bridge.agents.delete_agent(agent_id)


def binding_out(record: Any) -> BindingOut:
    return BindingOut(
        name=record.name, integration=record.connection_name, identifier=record.identifier,
        agent_id=record.agent_id, definition=record.definition, status=record.status,
        problems=record.problems, snapshot_version=record.snapshot_version,
        updated_at=record.updated_at.isoformat(),
    )  # fmt: skip


def _free(bridge: Any, agent_id: str, integration: str, identifier: str, name: str) -> None:
    """Refuse a name a pack skill of the agent, or another agent's binding on the account, already has."""
    if any(s["name"] == name for s in bridge.agents.list_skills(agent_id)):
        raise Conflict(
            f"Agent {agent_id!r} already has a pack skill {name!r}; give the binding another name.",
            field="name",
        )
    for record in bridge.bindings.list(integration, identifier):
        if record.name == name and record.agent_id != agent_id:
            raise Conflict(
                f"A binding {name!r} of another agent exists on this account; give this one another name.",
                field="name",
            )


async def install_binding(
    bridge: Any, agent_id: str, integration: str, identifier: str, binding: dict[str, Any]
) -> dict[str, Any]:
    """Validate against the account's latest schema, check the name is free, save on the agent."""
    compiled = await bridge.bindings.acompile(integration, identifier, binding)
    await asyncio.to_thread(_free, bridge, agent_id, integration, identifier, compiled.name)
    compiled = await bridge.bindings.asave(integration, identifier, binding, agent_id=agent_id)
    saved = next(r for r in await asyncio.to_thread(bridge.bindings.list, integration, identifier)
                 if r.name == compiled.name)  # fmt: skip
    return {"binding": binding_out(saved), "skill": compiled_definition(compiled)}

"""Discovery and bindings over HTTP: discover, browse, search; author a binding (dry run, 422 problems,
install), describe one, and run bindings as the agent's skills (writes gated like the pack's)."""

from __future__ import annotations

from typing import Any

import pytest

from .agent_env import PACK, connected_agent, execute, skill_names
from .service_env import ServiceEnv

pytestmark = pytest.mark.anyio

ADD_ORG = {
    "kind": "restWrite",
    "name": "add_organization",
    "object": "organizations",
    "operation": "create",
    "fields": [{"property": "name", "from": "name", "required": True}],
}
ORG_BY_NAME = {
    "kind": "restSearch",
    "name": "organization_by_name",
    "object": "organizations",
    "filters": [{"property": "name", "operator": "EQ", "from": "name"}],
    "result": "one",
    "properties": ["name"],
}


async def _discovered(env: ServiceEnv) -> str:
    agent_id = await connected_agent(env)
    r = await env.api.post("/integrations/pipedrive/discover", headers=env.headers(), json={})
    assert r.status_code == 200, r.text
    return agent_id


async def _bind(env: ServiceEnv, agent_id: str, binding: dict[str, Any], **more: Any) -> Any:
    return await env.api.post(
        f"/agents/{agent_id}/integrations/pipedrive/bindings",
        headers=env.headers(),
        json={"binding": binding, **more},
    )


async def test_discover_browse_and_search(env: ServiceEnv) -> None:
    await connected_agent(env)
    before = await env.api.get("/integrations/pipedrive/objects", headers=env.headers())
    assert before.status_code == 404 and before.json()["code"] == "schema_not_discovered"

    r = await env.api.post(
        "/integrations/pipedrive/discover", headers=env.headers(), json={"identifier": "default"}
    )
    assert r.status_code == 200, r.text
    summary = r.json()
    assert summary["version"] == 1 and summary["objects"] >= 7 and summary["properties"] > 50
    again = await env.api.post("/integrations/pipedrive/discover", headers=env.headers())
    assert again.json()["version"] == 2 and again.json()["driftedBindings"] == []

    objects = await env.api.get("/integrations/pipedrive/objects", headers=env.headers(), params={"limit": 3})
    assert objects.status_code == 200 and len(objects.json()["data"]) == 3 and objects.json()["nextCursor"]
    persons = await env.api.get("/integrations/pipedrive/objects/persons", headers=env.headers())
    assert persons.status_code == 200 and any(p["key"] == "name" for p in persons.json()["properties"])
    typo = await env.api.get("/integrations/pipedrive/objects/persns", headers=env.headers())
    assert typo.status_code == 404 and "persons" in typo.json()["details"]["candidates"]

    hits = await env.api.get(
        "/integrations/pipedrive/search", headers=env.headers(), params={"q": "job titel"}
    )
    assert hits.status_code == 200 and hits.json()["data"][0]["label"] == "Job title"
    assert (await env.api.get("/integrations/pipedrive/search", headers=env.headers())).status_code == 422


async def test_schema_refusals(env: ServiceEnv) -> None:
    await connected_agent(env)
    reader = env.new_key("acme", ["integrations:read"])
    denied = await env.api.post("/integrations/pipedrive/discover", headers=env.headers(reader))
    assert denied.status_code == 403
    unknown = await env.api.post("/integrations/nope/discover", headers=env.headers())
    assert unknown.status_code == 404
    foreign = await env.api.get("/integrations/pipedrive/objects", headers=env.headers(env.new_key("globex")))
    assert foreign.status_code == 404
    nobody = await env.api.post(
        "/integrations/pipedrive/discover", headers=env.headers(), json={"identifier": "nobody"}
    )
    assert 400 <= nobody.status_code < 500 and nobody.headers["content-type"] == "application/problem+json"


async def test_a_binding_is_previewed_refused_installed_and_run_as_a_skill(env: ServiceEnv) -> None:
    agent_id = await _discovered(env)
    preview = await _bind(env, agent_id, {**ORG_BY_NAME, "result": "many"}, dryRun=True)
    assert preview.status_code == 200, preview.text
    assert preview.json()["dryRun"] is True and 1 <= len(preview.json()["samples"]) <= 3
    assert await skill_names(env, agent_id) == PACK  # a dry run installs nothing

    wrong = {
        **ORG_BY_NAME,
        "properties": ["nmae"],
        "filters": [{"property": "naem", "operator": "EQ", "from": "n"}],
    }
    invalid = await _bind(env, agent_id, wrong)
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_binding"
    problems = invalid.json()["details"]["problems"]
    assert len(problems) == 2 and all(p["suggestions"][0].startswith("name") for p in problems)

    installed = await _bind(env, agent_id, ADD_ORG)
    assert installed.status_code == 201, installed.text
    assert installed.json()["skill"]["name"] == "add_organization"
    assert (await _bind(env, agent_id, ORG_BY_NAME)).status_code == 201
    assert await skill_names(env, agent_id) == PACK | {"add_organization", "organization_by_name"}

    asked = await execute(env, agent_id, "add_organization", {"name": "Initech"})
    assert asked["error"]["code"] == "confirmation_required"
    assert asked["error"]["summary"] == "Create an Organization: Name Initech."
    assert (await execute(env, agent_id, "organization_by_name", {"name": "Initech"}))["data"][
        "found"
    ] is False
    done = await execute(
        env, agent_id, "add_organization", {"name": "Initech"}, confirmation=asked["error"]["confirmation"]
    )
    assert done["ok"] is True and done["data"]["created"] is True
    again = await execute(
        env, agent_id, "add_organization", {"name": "Initech"}, confirmation=asked["error"]["confirmation"]
    )
    assert again["error"]["code"] == "confirmation_mismatch"
    found = await execute(env, agent_id, "organization_by_name", {"name": "Initech"})
    assert found["data"]["found"] is True and found["data"]["record"]["name"] == "Initech"

    listed = await env.api.get(f"/agents/{agent_id}/bindings", headers=env.headers())
    assert [b["name"] for b in listed.json()["data"]] == ["add_organization", "organization_by_name"]
    assert listed.json()["data"][0]["status"] == "ok"
    gone = await env.api.delete(
        f"/agents/{agent_id}/integrations/pipedrive/bindings/add_organization", headers=env.headers()
    )
    assert gone.status_code == 204
    removed = await env.api.delete(f"/agents/{agent_id}/skills/organization_by_name", headers=env.headers())
    assert removed.status_code == 204
    assert await skill_names(env, agent_id) == PACK


async def test_binding_names_and_agents_are_checked(env: ServiceEnv) -> None:
    agent_id = await _discovered(env)
    clash = await _bind(env, agent_id, {**ORG_BY_NAME, "name": "find_contact"})
    assert clash.status_code == 409 and clash.json()["code"] == "conflict"
    other = (await env.api.post("/agents", headers=env.headers(), json={"name": "Other"})).json()["id"]
    assert (await _bind(env, other, ORG_BY_NAME)).status_code == 201
    taken = await _bind(env, agent_id, ORG_BY_NAME)
    assert taken.status_code == 409
    foreign = await env.api.post(
        f"/agents/{agent_id}/integrations/pipedrive/bindings",
        headers=env.headers(env.new_key("globex")),
        json={"binding": ORG_BY_NAME},
    )
    assert foreign.status_code == 404
    missing = await env.api.delete(
        f"/agents/{agent_id}/integrations/pipedrive/bindings/organization_by_name", headers=env.headers()
    )
    assert missing.status_code == 404  # it is the other agent's


async def test_describe_it_proposes_then_installs(env: ServiceEnv) -> None:
    agent_id = await _discovered(env)
    url = f"/agents/{agent_id}/integrations/pipedrive/bindings/auto"
    goal = "find a person by email"
    dry = await env.api.post(url, headers=env.headers(), json={"goal": goal, "dryRun": True})
    assert dry.status_code == 200, dry.text
    proposal = dry.json()
    assert proposal["binding"]["object"] == "persons" and proposal["installed"] is False
    assert proposal["explanation"] and proposal["skill"]["name"]

    made = await env.api.post(url, headers=env.headers(), json={"goal": goal, "name": "person_by_email"})
    assert made.status_code == 201 and made.json()["installed"] is True
    assert "person_by_email" in await skill_names(env, agent_id)
    ran = await execute(env, agent_id, "person_by_email", {"email": "nobody@example.invalid"})
    assert ran["ok"] is True and ran["data"]["found"] is False

    vague = await env.api.post(url, headers=env.headers(), json={"goal": "do the thing"})
    assert vague.status_code == 200 and vague.json()["binding"] is None and vague.json()["warnings"]
    assert (await env.api.post(url, headers=env.headers(), json={"goal": ""})).status_code == 422


async def test_the_library_twin_runs_bindings_with_the_same_gate(env: ServiceEnv) -> None:
    from crmbridge.core.agent_skills import aexecute_skill

    agent_id = await _discovered(env)
    assert (await _bind(env, agent_id, ADD_ORG)).status_code == 201
    bridge = env.runtime.tenant("acme")
    asked = await aexecute_skill(bridge, agent_id, "add_organization", {"name": "Umbrella"})
    assert asked.error is not None and asked.error.code == "confirmation_required"
    token = asked.error.details["confirmation"]
    other = await aexecute_skill(bridge, agent_id, "add_organization", {"name": "Hooli"}, confirmation=token)
    assert other.error is not None and other.error.code == "confirmation_mismatch"
    asked = await aexecute_skill(bridge, agent_id, "add_organization", {"name": "Umbrella"})
    assert asked.error is not None
    done = await aexecute_skill(
        bridge,
        agent_id,
        "add_organization",
        {"name": "Umbrella"},
        confirmation=asked.error.details["confirmation"],
    )
    assert done.ok and done.data["created"] is True
    unknown = await aexecute_skill(bridge, agent_id, "no_such_skill", {})
    assert unknown.error is not None and unknown.error.code == "unknown_tool"

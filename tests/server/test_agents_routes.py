"""``/agents``, packs and installs over HTTP: create/list/get/patch/delete agents, the pack of an
integration, installing it (idempotently, on connect, for the agents ``connect`` names)."""

from __future__ import annotations

import pytest

from .agent_env import PACK, connected_agent, new_agent, skill_names
from .service_env import ServiceEnv

pytestmark = pytest.mark.anyio


async def test_agents_are_created_listed_read_and_deleted(env: ServiceEnv) -> None:
    first = await new_agent(env, "One")
    assert first["name"] == "One" and first["autoInstall"] is True and first["installs"] == []
    second = await new_agent(env, "Two", autoInstall=False)
    assert second["autoInstall"] is False

    page = await env.api.get("/agents", headers=env.headers(), params={"limit": 1})
    assert page.status_code == 200 and [a["id"] for a in page.json()["data"]] == [first["id"]]
    rest = await env.api.get(
        "/agents", headers=env.headers(), params={"limit": 1, "cursor": page.json()["nextCursor"]}
    )
    assert [a["id"] for a in rest.json()["data"]] == [second["id"]] and rest.json()["nextCursor"] is None

    got = await env.api.get(f"/agents/{first['id']}", headers=env.headers())
    assert got.status_code == 200 and got.json()["name"] == "One"
    gone = await env.api.delete(f"/agents/{first['id']}", headers=env.headers())
    assert gone.status_code == 204
    again = await env.api.get(f"/agents/{first['id']}", headers=env.headers())
    assert again.status_code == 404 and again.headers["content-type"] == "application/problem+json"


async def test_agent_requests_the_api_refuses(env: ServiceEnv) -> None:
    reader = env.new_key("acme", ["integrations:read"])
    refused = await env.api.post("/agents", headers=env.headers(reader), json={"name": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert (await env.api.get("/agents")).status_code == 401
    typo = await env.api.post("/agents", headers=env.headers(), json={"name": "x", "autoInstal": True})
    assert typo.status_code == 422 and typo.json()["errors"][0]["path"] == "autoInstal"
    blank = await env.api.post("/agents", headers=env.headers(), json={"name": ""})
    assert blank.status_code == 422

    agent = await new_agent(env)
    other = env.new_key("globex")
    for method, path in [("GET", ""), ("DELETE", ""), ("GET", "/skills"), ("GET", "/bindings")]:
        r = await env.api.request(method, f"/agents/{agent['id']}{path}", headers=env.headers(other))
        assert r.status_code == 404, (method, path, r.text)
    patch = await env.api.patch(
        f"/agents/{agent['id']}", headers=env.headers(other), json={"autoInstall": False}
    )
    assert patch.status_code == 404


async def test_the_pack_of_an_integration(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    r = await env.api.get("/integrations/pipedrive/pack", headers=env.headers())
    assert r.status_code == 200, r.text
    pack = r.json()
    assert pack["provider"] == "pipedrive" and {s["name"] for s in pack["skills"]} == PACK
    create = next(s for s in pack["skills"] if s["name"] == "create_contact")
    assert create["access"] == "write" and create["policy"]["gated"] is True
    unknown = await env.api.get("/integrations/nope/pack", headers=env.headers())
    assert unknown.status_code == 404
    foreign = await env.api.get("/integrations/pipedrive/pack", headers=env.headers(env.new_key("globex")))
    assert foreign.status_code == 404


async def test_connecting_installs_the_pack_and_a_reinstall_creates_nothing(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    assert await skill_names(env, agent_id) == PACK
    got = (await env.api.get(f"/agents/{agent_id}", headers=env.headers())).json()
    assert [i["trigger"] for i in got["installs"]] == ["connect"] and got["installs"][0]["ok"] is True

    url = f"/agents/{agent_id}/integrations/pipedrive/pack/install"
    again = await env.api.post(url, headers=env.headers(), json={"identifier": "default"})
    assert again.status_code == 200, again.text
    assert {s["name"] for s in again.json()["skills"]} == PACK
    assert not any(s["created"] for s in again.json()["skills"])

    late = await new_agent(env, "Late")  # created after the connect: gets the pack at once
    assert late["installs"][0]["integration"] == "pipedrive"
    assert all(s["created"] for s in late["installs"][0]["skills"])


async def test_install_errors_are_problems(env: ServiceEnv) -> None:
    agent = await new_agent(env, autoInstall=False)  # so that connecting installs nothing on it
    await env.pipedrive_api_key(identifier="u1")
    url = f"/agents/{agent['id']}/integrations/pipedrive/pack/install"
    not_connected = await env.api.post(url, headers=env.headers(), json={"identifier": "nobody"})
    assert not_connected.status_code == 400 and "not connected" in not_connected.json()["detail"]
    unknown = await env.api.post(
        f"/agents/{agent['id']}/integrations/nope/pack/install", headers=env.headers(), json={}
    )
    assert unknown.status_code == 404
    foreign = await env.api.post(
        url.replace(agent["id"], "agent-of-nobody"), headers=env.headers(), json={"identifier": "u1"}
    )
    assert foreign.status_code == 404
    done = await env.api.post(url, headers=env.headers(), json={"identifier": "u1"})
    assert done.status_code == 200 and all(s["created"] for s in done.json()["skills"])


async def test_connect_names_its_agents_and_an_agent_may_opt_out(env: ServiceEnv) -> None:
    chosen, left_out, opted_out = [await new_agent(env, n) for n in ("A", "B", "C")]
    patched = await env.api.patch(
        f"/agents/{opted_out['id']}", headers=env.headers(), json={"autoInstall": False}
    )
    assert patched.status_code == 200 and patched.json()["autoInstall"] is False

    company = await env.control("/_sandbox/pipedrive/companies", {"seed": 5})
    put = await env.api.put(
        "/integrations/pipedrive",
        headers=env.headers(),
        json={"auth": "api_key", "baseUrl": "http://sandbox/pipedrive"},
    )
    assert put.status_code == 200
    unknown = await env.api.post(
        "/integrations/pipedrive/connect",
        headers=env.headers(),
        json={"identifier": "default", "apiKey": company["api_token"], "agentIds": ["no-such-agent"]},
    )
    assert unknown.status_code == 404
    r = await env.api.post(
        "/integrations/pipedrive/connect",
        headers=env.headers(),
        json={"identifier": "default", "apiKey": company["api_token"], "agentIds": [chosen["id"]]},
    )
    assert r.status_code == 200, r.text
    assert await skill_names(env, chosen["id"]) == PACK
    assert await skill_names(env, left_out["id"]) == set()
    assert await skill_names(env, opted_out["id"]) == set()

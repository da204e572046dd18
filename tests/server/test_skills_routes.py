"""An agent's skills over HTTP: list, run (200 whatever the skill answered, gated writes confirmed once),
verify a caller, delete; and the 4xx the API itself answers."""

from __future__ import annotations

from typing import Any

import pytest

from .agent_env import PACK, connected_agent, execute, skill_names
from .service_env import ServiceEnv

pytestmark = pytest.mark.anyio


def _persons(env: ServiceEnv, agent_id: str, phone: str) -> Any:
    return execute(env, agent_id, "find_contact", {"phone": phone})


async def test_skills_are_listed_with_their_policies(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    r = await env.api.get(f"/agents/{agent_id}/skills", headers=env.headers(), params={"limit": 4})
    assert r.status_code == 200 and len(r.json()["data"]) == 4 and r.json()["nextCursor"]
    update = next(
        s
        for s in (await env.api.get(f"/agents/{agent_id}/skills", headers=env.headers())).json()["data"]
        if s["name"] == "update_contact"
    )
    assert update["kind"] == "pack" and update["integration"] == "pipedrive"
    assert update["policy"] == {"gated": True, "verified_identity": True}
    assert update["inputSchema"]["type"] == "object" and update["resolved"] is not None


async def test_a_gated_write_is_confirmed_once_over_http(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    args = {"phone": "+1 415 555 0177", "first_name": "Ann"}
    none = await _persons(env, agent_id, "4155550177")
    assert none["ok"] is True and none["data"]["status"] == "none"

    asked = await execute(env, agent_id, "create_contact", args)
    assert asked["ok"] is False and asked["error"]["code"] == "confirmation_required"
    token = asked["error"]["confirmation"]
    assert token.startswith("cfm_") and "0177" in asked["error"]["summary"]
    assert (await _persons(env, agent_id, "4155550177"))["data"]["status"] == "none"  # nothing written

    changed = await execute(
        env, agent_id, "create_contact", {**args, "first_name": "Eve"}, confirmation=token
    )
    assert changed["error"]["code"] == "confirmation_mismatch"
    asked = await execute(env, agent_id, "create_contact", args)
    token = asked["error"]["confirmation"]
    done = await execute(env, agent_id, "create_contact", args, confirmation=token)
    assert done["ok"] is True and done["data"]["created"] is True
    replayed = await execute(env, agent_id, "create_contact", args, confirmation=token)
    assert replayed["error"]["code"] == "confirmation_mismatch" and replayed["error"]["reason"] == "used"
    assert (await _persons(env, agent_id, "+14155550177"))["data"]["status"] == "found"


async def test_updates_need_a_verified_caller(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    agents = env.runtime.tenant("acme").agents
    asked = await execute(env, agent_id, "create_contact", {"phone": "+1 415 555 0188"})
    made = await execute(
        env,
        agent_id,
        "create_contact",
        {"phone": "+1 415 555 0188"},
        confirmation=asked["error"]["confirmation"],
    )
    contact_id = str(made["data"]["contact"]["id"])
    call = agents.start_conversation(agent_id, channel="voice", caller={"phone": "+1 415 555 0188"})
    update = {"contact_id": contact_id, "email": "ann@example.com"}

    refused = await execute(env, agent_id, "update_contact", update, conversationId=call["id"])
    assert refused["ok"] is False and refused["error"]["code"] == "identity_not_verified"

    bad = await env.api.post(
        f"/conversations/{call['id']}/verify",
        headers=env.headers(),
        json={"contactId": contact_id, "method": "sms"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    missing = await env.api.post(
        "/conversations/nope/verify", headers=env.headers(), json={"contactId": contact_id, "method": "otp"}
    )
    assert missing.status_code == 404
    foreign = await env.api.post(
        f"/conversations/{call['id']}/verify",
        headers=env.headers(env.new_key("globex")),
        json={"contactId": contact_id, "method": "otp"},
    )
    assert foreign.status_code == 404
    verified = await env.api.post(
        f"/conversations/{call['id']}/verify",
        headers=env.headers(),
        json={"contactId": contact_id, "method": "caller_id"},
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] == {"contactId": contact_id, "method": "caller_id"}

    asked = await execute(env, agent_id, "update_contact", update, conversationId=call["id"])
    assert asked["error"]["code"] == "confirmation_required"
    done = await execute(
        env,
        agent_id,
        "update_contact",
        update,
        conversationId=call["id"],
        confirmation=asked["error"]["confirmation"],
    )
    assert done["ok"] is True, done


async def test_execute_refusals_are_4xx_problems(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    url = f"/agents/{agent_id}/skills/find_contact/execute"
    cases: list[tuple[str, dict[str, Any], dict[str, str], int]] = [
        (f"/agents/{agent_id}/skills/no_such_skill/execute", {"input": {}}, env.headers(), 404),
        (url, {"input": {}, "conversationId": "nope"}, env.headers(), 404),
        (url, {"input": {}, "confirmationToken": "x"}, env.headers(), 422),
        (url, {"input": "text"}, env.headers(), 422),
        (url, {"input": {}}, env.headers(env.new_key("acme", ["skills:write"])), 403),
        (url, {"input": {}}, env.headers(env.new_key("globex")), 404),
        (url, {"input": {}}, {}, 401),
    ]
    for path, body, headers, status in cases:
        r = await env.api.post(path, headers=headers, json=body)
        assert r.status_code == status, (path, body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    bad_input = await execute(env, agent_id, "find_contact", {"phone": "not a number"})
    assert bad_input["ok"] is False and bad_input["error"]["code"] == "invalid_input"


async def test_an_idempotent_execute_runs_once(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    args = {"phone": "+1 415 555 0199"}
    asked = await execute(env, agent_id, "create_contact", args)
    body = {"input": args, "confirmation": asked["error"]["confirmation"]}
    headers = {**env.headers(), "Idempotency-Key": "exec-1"}
    url = f"/agents/{agent_id}/skills/create_contact/execute"
    first = await env.api.post(url, headers=headers, json=body)
    second = await env.api.post(url, headers=headers, json=body)
    assert first.json()["ok"] is True and second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"


async def test_a_skill_is_deleted(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    r = await env.api.delete(f"/agents/{agent_id}/skills/log_note", headers=env.headers())
    assert r.status_code == 204
    assert await skill_names(env, agent_id) == PACK - {"log_note"}
    again = await env.api.delete(f"/agents/{agent_id}/skills/log_note", headers=env.headers())
    assert again.status_code == 404
    foreign = await env.api.delete(
        f"/agents/{agent_id}/skills/find_contact", headers=env.headers(env.new_key("globex"))
    )
    assert foreign.status_code == 404

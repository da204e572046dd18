"""Interaction logging over HTTP: writeback settings, start/end/status, a Pipedrive call log and note
written once, bad input as 422 naming the allowed values, tenant isolation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.durable.dbosutil import shared_runner
from tests.server.service_env import ServiceEnv, build_env, close_env

pytestmark = pytest.mark.anyio

CARD = "4111-1111-1111-1111"


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[ServiceEnv]:
    built = await build_env(tmp_path, durable=shared_runner())
    yield built
    await close_env(built)


async def pipedrive(env: ServiceEnv) -> tuple[str, dict[str, str]]:
    company = await env.pipedrive_api_key()
    agent = await asyncio.to_thread(
        lambda: env.app.state.service.bridge("acme").agents.create_agent("bot", auto_install=False)
    )
    return str(agent["id"]), {"x-api-token": company["api_token"]}


async def person(env: ServiceEnv, crm: dict[str, str], phone: str) -> int:
    r = await env.crm.post(
        "/pipedrive/api/v2/persons",
        headers=crm,
        json={"name": "Ann", "phones": [{"value": phone, "primary": True}]},
    )
    assert r.status_code in (200, 201), r.text
    return int(r.json()["data"]["id"])


async def wait(env: ServiceEnv, cid: str) -> dict[str, Any]:
    for _ in range(500):
        r = await env.api.get(f"/conversations/{cid}", headers=env.headers())
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["interaction"]["status"] != "queued":
            return body
        await asyncio.sleep(0.02)
    raise AssertionError("still queued")


async def test_settings_default_off_and_bad_values_are_422(env: ServiceEnv) -> None:
    await pipedrive(env)
    r = await env.api.get("/integrations/pipedrive/writeback", headers=env.headers())
    assert r.status_code == 200
    assert r.json() == {
        "mode": "off", "onNoMatch": "skip", "enabledAt": None,
        "stats": {"logged": 0, "skippedNoMatch": 0, "failed": 0, "pending": 0},
    }  # fmt: skip
    r = await env.api.patch("/integrations/pipedrive/writeback", headers=env.headers(), json={"mode": "all"})
    assert r.status_code == 422 and "off, summary, summary_transcript" in r.text
    r = await env.api.patch(
        "/integrations/pipedrive/writeback", headers=env.headers(), json={"mode": "summary", "onNoMatch": "x"}
    )
    assert r.status_code == 422 and "skip, create" in r.text
    r = await env.api.patch(
        "/integrations/pipedrive/writeback",
        headers=env.headers(),
        json={"mode": "summary", "onNoMatch": "create"},
    )
    assert r.status_code == 200 and r.json()["enabledAt"] is not None
    r = await env.api.patch(
        "/integrations/pipedrive/writeback", headers=env.headers(), json={"mode": "summary"}
    )
    assert r.json()["onNoMatch"] == "create"
    r = await env.api.get("/integrations/nope/writeback", headers=env.headers())
    assert r.status_code == 404


async def test_voice_becomes_one_pipedrive_call_log_and_chat_a_note(env: ServiceEnv) -> None:
    agent, crm = await pipedrive(env)
    ann = await person(env, crm, "14155552671")
    await env.api.patch(
        "/integrations/pipedrive/writeback", headers=env.headers(), json={"mode": "summary_transcript"}
    )
    r = await env.api.post(
        f"/agents/{agent}/conversations", headers=env.headers(),
        json={"channel": "voice", "caller": {"phone": "+1 415 555 2671"}, "direction": "inbound"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    end = {
        "transcript": [{"role": "caller", "text": f"card {CARD}"}],
        "durationMs": 30000,
        "outcome": "connected",
    }
    r = await env.api.post(f"/conversations/{cid}/end", headers=env.headers(), json=end)
    assert r.status_code == 202 and r.json()["status"] == "queued", r.text
    again = await env.api.post(f"/conversations/{cid}/end", headers=env.headers(), json=end)
    assert again.status_code == 202 and again.json()["interactionId"] == r.json()["interactionId"]
    done = await wait(env, cid)
    ix = done["interaction"]
    assert ix["status"] == "logged" and ix["contactId"] == str(ann) and ix["crmRecordId"]
    logs = (await env.crm.get("/pipedrive/v1/callLogs", headers=crm)).json()["data"]
    assert len(logs) == 1 and logs[0]["id"] == ix["crmRecordId"] and logs[0]["person_id"] == ann
    assert logs[0]["duration"] == "30" and logs[0]["outcome"] == "connected"
    assert "[card number]" in logs[0]["note"] and "4111" not in logs[0]["note"]

    r = await env.api.post(
        f"/agents/{agent}/conversations",
        headers=env.headers(),
        json={"channel": "chat", "caller": {"phone": "4155552671"}},
    )
    chat = r.json()["id"]
    await env.api.post(
        f"/conversations/{chat}/end", headers=env.headers(), json={"summary": "Asked about hours."}
    )
    assert (await wait(env, chat))["interaction"]["status"] == "logged"
    notes = (await env.crm.get("/pipedrive/v1/notes", headers=crm, params={"person_id": ann})).json()["data"]
    assert [n for n in notes if "Asked about hours." in n["content"]]
    r = await env.api.get("/integrations/pipedrive/writeback", headers=env.headers())
    assert r.json()["stats"]["logged"] == 2


async def test_off_is_disabled_never_back_filled_and_other_tenants_see_nothing(env: ServiceEnv) -> None:
    agent, crm = await pipedrive(env)
    await person(env, crm, "+14155552671")
    r = await env.api.post(
        f"/agents/{agent}/conversations",
        headers=env.headers(),
        json={"channel": "voice", "caller": {"phone": "+14155552671"}},
    )
    cid = r.json()["id"]
    r = await env.api.post(f"/conversations/{cid}/end", headers=env.headers(), json={"summary": "hi"})
    assert r.status_code == 202 and r.json()["status"] == "disabled"
    await env.api.patch("/integrations/pipedrive/writeback", headers=env.headers(), json={"mode": "summary"})
    r = await env.api.post(f"/conversations/{cid}/end", headers=env.headers(), json={"summary": "hi"})
    assert r.json()["status"] == "disabled"
    assert (await env.crm.get("/pipedrive/v1/callLogs", headers=crm)).json()["data"] == []
    other = env.new_key("globex")
    assert (await env.api.get(f"/conversations/{cid}", headers=env.headers(other))).status_code == 404
    r = await env.api.post(f"/conversations/{cid}/end", headers=env.headers(other), json={})
    assert r.status_code == 404
    r = await env.api.post(
        f"/agents/{agent}/conversations", headers=env.headers(other), json={"channel": "voice"}
    )
    assert r.status_code == 404
    r = await env.api.post(f"/agents/{agent}/conversations", headers=env.headers(), json={"channel": "fax"})
    assert r.status_code == 422


async def test_failed_interactions_are_retried_once_the_account_is_reauthorised(env: ServiceEnv) -> None:
    agent, crm = await pipedrive(env)
    company = next(iter(env.sandbox.pipedrive.companies.values()))
    token = crm["x-api-token"]
    ann = await person(env, crm, "+14155552671")
    await env.api.patch("/integrations/pipedrive/writeback", headers=env.headers(), json={"mode": "summary"})
    r = await env.api.post(
        f"/agents/{agent}/conversations",
        headers=env.headers(),
        json={"channel": "voice", "caller": {"phone": "+14155552671"}},
    )
    cid = r.json()["id"]
    user = company.api_tokens.pop(token)  # the key is revoked in the CRM
    await env.api.post(f"/conversations/{cid}/end", headers=env.headers(), json={"summary": "Refund asked."})
    failed = (await wait(env, cid))["interaction"]
    assert failed["status"] == "failed" and failed["reason"], failed
    assert (await env.api.get("/integrations/pipedrive/writeback", headers=env.headers())).json()["stats"][
        "failed"
    ] == 1

    company.api_tokens[token] = user  # the user re-authorises the account
    r = await env.api.post(
        "/integrations/pipedrive/connect", headers=env.headers(), json={"identifier": "u1", "apiKey": token}
    )
    assert r.status_code == 200, r.text
    for _ in range(500):
        ix = (await env.api.get(f"/conversations/{cid}", headers=env.headers())).json()["interaction"]
        if ix["status"] == "logged":
            break
        await asyncio.sleep(0.02)
    assert ix["status"] == "logged" and ix["reason"] is None and ix["contactId"] == str(ann), ix
    logs = (await env.crm.get("/pipedrive/v1/callLogs", headers=crm)).json()["data"]
    assert [log["id"] for log in logs] == [ix["crmRecordId"]]
    stats = (await env.api.get("/integrations/pipedrive/writeback", headers=env.headers())).json()["stats"]
    assert stats["logged"] == 1 and stats["failed"] == 0

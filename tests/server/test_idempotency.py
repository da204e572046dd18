"""``Idempotency-Key``: one write in the CRM per key, the first answer replayed, another body refused, a
retryable failure not kept, and two simultaneous requests with one key running once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from .service_env import ServiceEnv

pytestmark = pytest.mark.anyio

CREATE = "/tools/pipedrive_person_create/execute"


async def person_writes(env: ServiceEnv) -> int:
    """POSTs that reached the sandbox's Pipedrive persons endpoint (each one makes a person)."""
    log = (await env.crm.get("/_sandbox/requests", params={"provider": "pipedrive"})).json()
    return sum(1 for r in log["requests"] if r["method"] == "POST" and r["path"].endswith("/persons"))


def create(env: ServiceEnv, key: str, name: str) -> dict[str, Any]:
    return {
        "headers": {**env.headers(), "Idempotency-Key": key},
        "json": {"identifier": "u1", "input": {"name": name}},
    }


async def test_the_same_key_and_body_writes_once_and_replays_the_answer(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    first = await env.api.post(CREATE, **create(env, "k-1", "Ada Lovelace"))
    assert first.status_code == 200 and first.json()["ok"] is True, first.text
    assert "idempotent-replayed" not in first.headers
    # The same body, serialised differently (key order, spacing), is the same request.
    again = await env.api.post(
        CREATE,
        headers={**env.headers(), "Idempotency-Key": "k-1", "content-type": "application/json"},
        content=b'{ "input": {"name": "Ada Lovelace"},  "identifier": "u1" }',
    )
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await person_writes(env) == 1
    # Another key is another request.
    other = await env.api.post(CREATE, **create(env, "k-2", "Ada Lovelace"))
    assert other.json()["data"] != first.json()["data"]
    assert await person_writes(env) == 2


async def test_the_same_key_with_another_body_is_refused(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    assert (await env.api.post(CREATE, **create(env, "k-1", "Grace Hopper"))).status_code == 200
    reused = await env.api.post(CREATE, **create(env, "k-1", "Alan Turing"))
    assert reused.status_code == 422
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert reused.json()["code"] == "idempotency_key_reused"
    # Another route with the same key is another request too.
    elsewhere = await env.api.post(
        "/tools/pipedrive_organization_create/execute",
        headers={**env.headers(), "Idempotency-Key": "k-1"},
        json={"identifier": "u1", "input": {"name": "Grace Hopper"}},
    )
    assert elsewhere.status_code == 422
    assert await person_writes(env) == 1


async def test_keys_are_per_tenant(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    beta = env.new_key("beta")
    await env.pipedrive_api_key(key=beta, identifier="u1")
    mine = await env.api.post(CREATE, **create(env, "shared", "Ada"))
    theirs = await env.api.post(
        CREATE,
        headers={**env.headers(beta), "Idempotency-Key": "shared"},
        json={"identifier": "u1", "input": {"name": "Ada"}},
    )
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["ok"] is True and theirs.json()["data"] != mine.json()["data"]
    assert await person_writes(env) == 2


async def test_a_retryable_tool_error_is_not_kept(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    await env.control("/_sandbox/faults", {"pipedrive": {"500": 1.0}})
    request = {
        "headers": {**env.headers(), "Idempotency-Key": "read-1"},
        "json": {"identifier": "u1", "input": {}},
    }
    failed = await env.api.post("/tools/pipedrive_deals_list/execute", **request)
    assert failed.status_code == 200, failed.text
    assert failed.json()["ok"] is False and failed.json()["error"]["retryable"] is True
    await env.control("/_sandbox/faults", {"pipedrive": {}})
    retried = await env.api.post("/tools/pipedrive_deals_list/execute", **request)
    assert retried.json()["ok"] is True, retried.text
    assert "idempotent-replayed" not in retried.headers
    replayed = await env.api.post("/tools/pipedrive_deals_list/execute", **request)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == retried.json()


async def test_a_final_tool_error_is_kept(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    request = {
        "headers": {**env.headers(), "Idempotency-Key": "bad-1"},
        "json": {"identifier": "u1", "input": {}},
    }
    first = await env.api.post(CREATE, **request)
    assert first.json()["ok"] is False and first.json()["error"]["retryable"] is False
    second = await env.api.post(CREATE, **request)
    assert second.headers["idempotent-replayed"] == "true" and second.json() == first.json()


async def test_two_simultaneous_requests_with_one_key_run_once(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    await env.control("/_sandbox/faults", {"pipedrive": {"latency_ms": 400}})
    request = create(env, "race-1", "Katherine Johnson")

    async def send() -> httpx.Response:
        return await env.api.post(CREATE, **request)

    answers = await asyncio.gather(send(), send(), send())
    await env.control("/_sandbox/faults", {"pipedrive": {}})
    ran = [r for r in answers if "idempotent-replayed" not in r.headers and r.status_code == 200]
    assert len(ran) == 1, [(r.status_code, dict(r.headers)) for r in answers]
    for other in answers:
        if other is ran[0]:
            continue
        if other.status_code == 409:  # still running when the waiter gave up: retry gets the answer
            assert other.json()["code"] == "idempotency_key_in_use" and other.headers["retry-after"]
            other = await send()
        assert other.headers["idempotent-replayed"] == "true"
        assert other.json() == ran[0].json()
    assert await person_writes(env) == 1


async def test_a_bad_idempotency_key_is_a_problem(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    for key in (" ", "x" * 256):
        r = await env.api.post(CREATE, **create(env, key, "Ada"))
        assert r.status_code == 400 and r.json()["code"] == "invalid_idempotency_key", r.text
    assert await person_writes(env) == 0

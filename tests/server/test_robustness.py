"""Bad requests get clear 4xx problems, never a 500: oversized bodies, malformed JSON, wrong types and
unknown fields (each invalid field named by its path); and cursor pages walk a list exactly once."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from crmbridge.server.middleware import REQUEST_ID_HEADER

from .service_env import SANDBOX, ServiceEnv

pytestmark = pytest.mark.anyio

EXECUTE = "/tools/pipedrive_deals_list/execute"


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers[REQUEST_ID_HEADER]
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    if code is not None:
        assert body["code"] == code
    return body


async def test_a_body_over_the_cap_is_413_whether_declared_or_streamed(env: ServiceEnv) -> None:
    cap = env.app.state.service.settings.max_body_bytes
    big = json.dumps({"identifier": "u1", "input": {"text": "x" * cap}}).encode()
    declared = await env.api.post(
        EXECUTE, headers={**env.headers(), "content-type": "application/json"}, content=big
    )
    assert_problem(declared, 413, "body_too_large")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the cap counts what arrives
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    streamed = await env.api.post(
        EXECUTE, headers={**env.headers(), "content-type": "application/json"}, content=chunks()
    )
    assert_problem(streamed, 413, "body_too_large")
    # Just under the cap is read (and refused for what it says, not for its size).
    small = await env.api.post(EXECUTE, headers=env.headers(), json={"identifier": "u1", "input": {}})
    assert small.status_code != 413


async def test_malformed_json_is_422_naming_where(env: ServiceEnv) -> None:
    for raw in (b"{not json", b"", b"[1, 2", b'{"identifier": "u1",}', b"\xff\xfe"):
        r = await env.api.post(
            EXECUTE, headers={**env.headers(), "content-type": "application/json"}, content=raw
        )
        body = assert_problem(r, 422, "invalid_request")
        assert body["errors"], raw


async def test_wrong_types_and_unknown_fields_list_every_invalid_path(env: ServiceEnv) -> None:
    r = await env.api.post(
        EXECUTE,
        headers=env.headers(),
        json={"identifier": 5, "input": [], "deadlineMs": "soon", "inptu": {}, "extra": 1},
    )
    body = assert_problem(r, 422, "invalid_request")
    errors = body["errors"]
    assert isinstance(errors, list)
    paths = {e["path"] for e in errors}
    assert paths == {"identifier", "input", "deadlineMs", "inptu", "extra"}, errors
    assert all(e["in"] == "body" and e["message"] for e in errors)
    nested = await env.api.put(
        "/integrations/hubspot",
        headers=env.headers(),
        json={"clientId": "x", "scopes": ["a", 7], "optionalScopes": "b", "auth": "password"},
    )
    nested_paths = {e["path"] for e in assert_problem(nested, 422)["errors"]}  # type: ignore[attr-defined]
    assert nested_paths == {"scopes/1", "optionalScopes", "auth"}
    query = await env.api.get("/tools?format=xml", headers=env.headers())
    errors = assert_problem(query, 422)["errors"]
    assert [(e["in"], e["path"]) for e in errors] == [("query", "format")]  # type: ignore[attr-defined]
    path = await env.api.get("/integrations/bad%20name!", headers=env.headers())
    assert [(e["in"], e["path"]) for e in assert_problem(path, 422)["errors"]] == [  # type: ignore[attr-defined]
        ("path", "integration")
    ]


async def test_a_body_that_is_not_json_at_all_is_4xx(env: ServiceEnv) -> None:
    form = await env.api.post(EXECUTE, headers=env.headers(), data={"identifier": "u1"})
    assert 400 <= form.status_code < 500, form.text
    assert form.headers["content-type"].startswith("application/problem+json")
    array = await env.api.post(EXECUTE, headers=env.headers(), json=[1, 2])
    assert_problem(array, 422)


async def seed_accounts(env: ServiceEnv, count: int) -> list[str]:
    r = await env.api.put(
        "/integrations/pipedrive",
        headers=env.headers(),
        json={"auth": "api_key", "baseUrl": f"{SANDBOX}/pipedrive"},
    )
    assert r.status_code == 200
    names = [f"user-{i:03d}" for i in range(count)]
    for name in names:
        env.runtime.store.accounts.get_or_create("acme", "pipedrive", name)
    return names


async def walk(env: ServiceEnv, limit: int, **params: str) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        query = {"limit": str(limit), **params, **({"cursor": cursor} if cursor else {})}
        page = await env.api.get("/integrations/pipedrive/accounts", headers=env.headers(), params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["data"]) <= limit
        seen += [a["identifier"] for a in body["data"]]
        cursor = body["nextCursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


async def test_cursor_pages_walk_every_account_exactly_once(env: ServiceEnv) -> None:
    names = await seed_accounts(env, 23)
    assert await walk(env, 5) == names
    assert await walk(env, 23) == names
    assert await walk(env, 200) == names
    assert await walk(env, 5, status="PENDING") == names
    assert await walk(env, 5, status="ACTIVE") == []


async def test_pages_stay_correct_while_items_are_added_before_the_cursor(env: ServiceEnv) -> None:
    await seed_accounts(env, 6)
    first = (await env.api.get("/integrations/pipedrive/accounts?limit=3", headers=env.headers())).json()
    env.runtime.store.accounts.get_or_create("acme", "pipedrive", "user-000a")  # sorts before the cursor
    rest = await env.api.get(
        "/integrations/pipedrive/accounts",
        headers=env.headers(),
        params={"limit": "10", "cursor": first["nextCursor"]},
    )
    assert [a["identifier"] for a in rest.json()["data"]] == ["user-003", "user-004", "user-005"]


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


async def test_a_bad_cursor_is_a_problem(env: ServiceEnv) -> None:
    await seed_accounts(env, 3)
    for cursor in ("!!!", "bm90IGpzb24", _cursor({"a": 1}), _cursor(None), _cursor([1, 2]), "x" * 600):
        r = await env.api.get(
            "/integrations/pipedrive/accounts", headers=env.headers(), params={"cursor": cursor}
        )
        body = assert_problem(r, 422)
        assert "cursor" in json.dumps(body), body
    for limit in ("0", "201", "many"):
        r = await env.api.get(
            "/integrations/pipedrive/accounts", headers=env.headers(), params={"limit": limit}
        )
        assert_problem(r, 422)


async def test_unknown_routes_and_methods_are_problems(env: ServiceEnv) -> None:
    missing = await env.api.get("/no/such/route", headers=env.headers())
    assert_problem(missing, 404, "not_found")
    wrong_method = await env.api.patch("/integrations", headers=env.headers())
    assert_problem(wrong_method, 405, "method_not_allowed")
    assert "GET" in wrong_method.headers.get("allow", "")

"""Pipedrive v1 users: /users/me, list, get, find."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.pipedrive.store import Company

pytestmark = pytest.mark.anyio


def _company(sandbox: Sandbox, company: dict[str, Any]) -> Company:
    return sandbox.pipedrive.companies[company["company_id"]]


async def _get(
    client: httpx.AsyncClient, company: dict[str, Any], path: str, **params: Any
) -> httpx.Response:
    return await client.get(f"{company['prefix']}{path}", headers=company["headers"], params=params)


async def test_me_describes_user_and_company(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    r = await _get(client, company, "/v1/users/me")
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True and "additional_data" in body
    me = body["data"]
    admin = _company(sandbox, company).admin()
    assert me["id"] == admin.id and me["email"] == admin.email and me["name"] == admin.name
    assert me["company_id"] == company["company_id"]
    assert me["company_domain"] == company["company_domain"]
    assert me["company_name"] == _company(sandbox, company).name
    assert me["is_you"] is True and me["active_flag"] is True and me["has_created_company"] is True
    assert me["default_currency"] == "USD"
    for key in ("timezone_name", "timezone_offset", "locale", "lang", "created", "access", "language"):
        assert key in me
    assert len(me["created"]) == len("2026-01-01 00:00:00")


async def test_list_paginates_with_start_and_limit(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    store = _company(sandbox, company)
    for i in range(4):
        sandbox.pipedrive.new_user(store, name=f"User {i}", email=f"u{i}@example.com")
    expected = sorted(store.users)
    assert len(expected) >= 5
    seen: list[int] = []
    start = 0
    while True:
        page = (await _get(client, company, "/v1/users", start=start, limit=3)).json()
        seen += [u["id"] for u in page["data"]]
        pagination = page["additional_data"]["pagination"]
        assert (pagination["start"], pagination["limit"]) == (start, 3)
        if not pagination["more_items_in_collection"]:
            assert "next_start" not in pagination
            break
        assert pagination["next_start"] == start + 3
        start = pagination["next_start"]
    assert seen == expected
    first = (await _get(client, company, "/v1/users")).json()["data"]
    assert [u["is_you"] for u in first] == [u == store.admin().id for u in expected]
    assert "company_id" not in first[0]


@pytest.mark.parametrize(("params", "fragment"), [({"limit": 501}, "limit"), ({"start": "x"}, "start")])
async def test_list_rejects_bad_paging(
    client: httpx.AsyncClient, company: dict[str, Any], params: dict[str, Any], fragment: str
) -> None:
    r = await _get(client, company, "/v1/users", **params)
    assert r.status_code == 400
    assert fragment in r.json()["error"]


async def test_get_one_user_and_missing_user(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    rep = sandbox.pipedrive.new_user(
        _company(sandbox, company), name="Rep", email="rep@x.example", is_admin=False
    )
    data = (await _get(client, company, f"/api/v1/users/{rep.id}")).json()["data"]
    assert (data["id"], data["name"], data["is_you"], data["access"][0]["admin"]) == (
        rep.id,
        "Rep",
        False,
        False,
    )
    missing = await _get(client, company, "/v1/users/999")
    assert missing.status_code == 404
    assert missing.json()["success"] is False and missing.json()["error"] == "User not found"


async def test_find_by_name_or_email(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    store = _company(sandbox, company)
    ann = sandbox.pipedrive.new_user(store, name="Ann Qwzxsmith", email="ann@qwz-corp.example")
    bob = sandbox.pipedrive.new_user(store, name="Bob Qwzxsmithers", email="bob@other.example")
    by_name = (await _get(client, company, "/v1/users/find", term="QWZXSMITH")).json()["data"]
    assert [u["id"] for u in by_name] == [ann.id, bob.id]
    by_email = (await _get(client, company, "/v1/users/find", term="qwz-corp", search_by_email=1)).json()
    assert [u["id"] for u in by_email["data"]] == [ann.id]
    none = (await _get(client, company, "/v1/users/find", term="zzz")).json()
    assert none["success"] is True and none["data"] is None
    r = await _get(client, company, "/v1/users/find")
    assert r.status_code == 400 and "term" in r.json()["error"]

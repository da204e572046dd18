"""v1 followers of deals, persons, organizations and products over the v2 follower store, and the
followers of a user (v1 and v2): shapes per the client's v1 models, v1↔v2 consistency, errors, state."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

CREATE = {
    "deals": {"title": "Followed"},
    "persons": {"name": "Followed"},
    "organizations": {"name": "Followed"},
    "products": {"name": "Followed"},
}
#: the key each v1 follower item names its record by (AddDealFollowerResponseData, …)
RECORD_KEY = {"deals": "deal_id", "persons": "person_id", "organizations": "org_id", "products": "product_id"}
V1_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_item(item: dict[str, Any], segment: str, record_id: int, user_id: int) -> None:
    assert set(item) == {"id", "user_id", RECORD_KEY[segment], "add_time"}, item
    assert _is_int(item["id"]) and item["user_id"] == user_id and item[RECORD_KEY[segment]] == record_id
    assert V1_TIME.match(item["add_time"]), item["add_time"]


async def _record(api: CompanyApi, segment: str) -> int:
    r = await api.post(f"/api/v2/{segment}", json=CREATE[segment])
    assert r.status_code in (200, 201), r.text
    record_id: int = r.json()["data"]["id"]
    return record_id


@pytest.fixture
async def team(company_api: CompanyApi, sandbox: Sandbox) -> tuple[CompanyApi, list[int]]:
    """The seeded company's API and three user ids: the admin and two new regular users."""
    store = sandbox.pipedrive.companies[company_api.company["company_id"]]
    new = [
        sandbox.pipedrive.new_user(store, name=f"u{i}", email=f"u{i}@example.com", is_admin=False).id
        for i in (1, 2)
    ]
    return company_api, [store.admin().id, *new]


@pytest.mark.parametrize("segment", list(CREATE))
async def test_v1_add_list_remove_and_v2_sees_the_same(
    team: tuple[CompanyApi, list[int]], segment: str
) -> None:
    api, (me, other, third) = team
    record = await _record(api, segment)
    v1, v2 = f"/v1/{segment}/{record}/followers", f"/api/v2/{segment}/{record}/followers"
    added = await api.post(v1, json={"user_id": me})
    assert added.status_code == 200, added.text
    assert added.json()["success"] is True
    _check_item(added.json()["data"], segment, record, me)
    relation = added.json()["data"]["id"]
    # A follower added through v2 shows in v1 with its own relation id, and the other way round.
    assert (await api.post(v2, json={"user_id": other})).status_code == 201  # v2 adds answer 201
    listed = await api.get(v1)
    assert listed.status_code == 200
    body = listed.json()
    assert set(body) == {"success", "data", "additional_data"} and body["success"] is True
    assert body["additional_data"] == {
        "pagination": {"start": 0, "limit": 100, "more_items_in_collection": False}
    }
    for item in body["data"]:
        _check_item(item, segment, record, item["user_id"])
    assert [f["user_id"] for f in body["data"]] == [me, other]
    assert len({f["id"] for f in body["data"]}) == 2 and body["data"][0]["id"] == relation
    assert [f["user_id"] for f in (await api.data(v2))] == [me, other]
    # Following twice is refused whichever version added the first follow.
    twice = await api.post(v1, json={"user_id": other})
    assert twice.status_code == 400 and "already follows" in twice.json()["error"]
    # Remove by relation id (v1), then by user id (v2).
    removed = await api.delete(f"{v1}/{relation}")
    assert removed.status_code == 200 and removed.json() == {"success": True, "data": {"id": relation}}
    assert [f["user_id"] for f in await api.data(v2)] == [other]
    assert (await api.delete(f"{v2}/{other}")).status_code == 200
    assert await api.data(v1) == []
    again = await api.delete(f"{v1}/{relation}")
    assert again.status_code == 404 and again.json()["success"] is False
    assert again.json()["error_info"] == "Object was not found."
    # Every write, either version, is in the v2 changelog.
    log = await api.data(f"{v2}/changelog")
    assert [(e["action"], e["follower_user_id"]) for e in log] == [
        ("added", me),
        ("added", other),
        ("removed", me),
        ("removed", other),
    ]
    # The /api/v1 alias is the same route; a third user, form-encoded as v1 allows.
    form_api = CompanyApi(
        api.client, api.company, {**api.headers, "content-type": "application/x-www-form-urlencoded"}
    )
    form = await form_api.post(
        f"/api/v1/{segment}/{record}/followers",
        content=f"user_id={third}",
    )
    assert form.status_code == 200, form.text
    assert form.json()["data"]["user_id"] == third


async def test_v1_follower_relation_of_another_record_is_404(team: tuple[CompanyApi, list[int]]) -> None:
    api, (me, _other, _third) = team
    first, second = await _record(api, "deals"), await _record(api, "deals")
    relation = (await api.post(f"/v1/deals/{first}/followers", json={"user_id": me})).json()["data"]["id"]
    r = await api.delete(f"/v1/deals/{second}/followers/{relation}")
    assert r.status_code == 404 and r.json()["errorCode"] == 404
    assert [f["id"] for f in await api.data(f"/v1/deals/{first}/followers")] == [relation]


async def test_v1_follower_pagination(team: tuple[CompanyApi, list[int]]) -> None:
    api, users = team
    record = await _record(api, "products")
    for user in users:
        assert (await api.post(f"/v1/products/{record}/followers", json={"user_id": user})).status_code == 200
    r = await api.get(f"/v1/products/{record}/followers", params={"start": 0, "limit": 2})
    page = r.json()
    assert [f["user_id"] for f in page["data"]] == users[:2]
    assert page["additional_data"]["pagination"] == {
        "start": 0,
        "limit": 2,
        "more_items_in_collection": True,
        "next_start": 2,
    }
    rest = await api.get(f"/v1/products/{record}/followers", params={"start": 2, "limit": 2})
    assert [f["user_id"] for f in rest.json()["data"]] == users[2:]
    assert rest.json()["additional_data"]["pagination"]["more_items_in_collection"] is False
    bad = await api.get(f"/v1/products/{record}/followers", params={"limit": 0})
    assert bad.status_code == 400 and bad.json()["success"] is False


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "'user_id' is required"),
        ({"user_id": None}, "'user_id' is required"),
        ({"user_id": "abc"}, "expected an integer"),
        ({"user_id": 987654}, "User with id 987654"),
    ],
)
async def test_v1_follow_validation(
    team: tuple[CompanyApi, list[int]], body: dict[str, Any], needle: str
) -> None:
    api, _users = team
    record = await _record(api, "organizations")
    r = await api.post(f"/v1/organizations/{record}/followers", json=body)
    assert r.status_code == 400 and needle in r.json()["error"], r.text
    assert r.json()["data"] is None and r.json()["errorCode"] == 400
    assert await api.data(f"/v1/organizations/{record}/followers") == []


async def test_v1_followers_of_missing_and_deleted_records(team: tuple[CompanyApi, list[int]]) -> None:
    api, (me, _other, _third) = team
    for segment in CREATE:
        r = await api.get(f"/v1/{segment}/987654/followers")
        assert r.status_code == 404 and r.json() == NOT_FOUND
        assert (await api.post(f"/v1/{segment}/987654/followers", json={"user_id": me})).json() == NOT_FOUND
    record = await _record(api, "persons")
    relation = (await api.post(f"/v1/persons/{record}/followers", json={"user_id": me})).json()["data"]["id"]
    await api.delete(f"/api/v2/persons/{record}")
    assert (await api.post(f"/v1/persons/{record}/followers", json={"user_id": me})).status_code == 410
    assert (await api.delete(f"/v1/persons/{record}/followers/{relation}")).status_code == 410
    assert [f["id"] for f in await api.data(f"/v1/persons/{record}/followers")] == [relation]


async def test_v1_follower_scopes_and_costs(
    client: httpx.AsyncClient, sandbox: Sandbox, team: tuple[CompanyApi, list[int]]
) -> None:
    api, (me, _other, _third) = team
    deal = await _record(api, "deals")
    path = f"/v1/deals/{deal}/followers"
    reader = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, ["deals:read"]))
    assert (await reader.get(path)).status_code == 200
    refused = await reader.post(path, json={"user_id": me})
    assert refused.status_code == 403 and refused.json()["error"] == "Scope and URL mismatch"
    contacts = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, ["contacts:full"]))
    assert (await contacts.get(path)).status_code == 403
    person = await _record(api, "persons")
    assert (await contacts.post(f"/v1/persons/{person}/followers", json={"user_id": me})).status_code == 200

    async def cost(method: str, url: str, **kw: Any) -> tuple[int, httpx.Response]:
        """Tokens the call took (remaining after a read, then after the call)."""
        before = int((await api.get("/v1/users/me")).headers["x-daily-ratelimit-token-remaining"])
        r = await api.request(method, url, **kw)
        assert r.status_code == 200, r.text
        return before - int(r.headers["x-daily-ratelimit-token-remaining"]), r

    assert (await cost("GET", path))[0] == 20
    spent, added = await cost("POST", path, json={"user_id": me})
    assert spent == 10
    assert (await cost("DELETE", f"{path}/{added.json()['data']['id']}"))[0] == 6


async def test_followers_of_a_user_are_empty(
    client: httpx.AsyncClient, sandbox: Sandbox, team: tuple[CompanyApi, list[int]]
) -> None:
    api, (me, other, _third) = team
    # Following records does not make anyone a follower of the user.
    deal = await _record(api, "deals")
    await api.post(f"/v1/deals/{deal}/followers", json={"user_id": other})
    for user in (me, other):
        v1 = await api.get(f"/v1/users/{user}/followers")
        assert v1.status_code == 200 and v1.json() == {"success": True, "data": []}
        v2 = await api.get(f"/api/v2/users/{user}/followers")
        assert v2.status_code == 200
        assert v2.json() == {"success": True, "data": [], "additional_data": {"next_cursor": None}}
    assert (await api.get(f"/api/v1/users/{me}/followers")).status_code == 200
    for path in ("/v1/users/987654/followers", "/api/v2/users/987654/followers"):
        r = await api.get(path)
        assert r.status_code == 404 and r.json()["success"] is False and r.json()["error"] == "User not found"
    scoped = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, ["deals:full"]))
    assert (await scoped.get(f"/v1/users/{me}/followers")).status_code == 403
    assert (await scoped.get(f"/api/v2/users/{me}/followers")).status_code == 403
    users = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, ["users:read"]))
    assert (await users.get(f"/api/v2/users/{me}/followers")).status_code == 200

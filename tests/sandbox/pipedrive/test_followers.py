"""Followers (v2) of deals, persons, organizations and products, with their changelog."""

from __future__ import annotations

import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio

CREATE = {
    "deals": {"title": "Followed"},
    "persons": {"name": "Followed"},
    "organizations": {"name": "Followed"},
    "products": {"name": "Followed"},
}


@pytest.mark.parametrize("segment", list(CREATE))
async def test_follow_list_unfollow_and_changelog(company_api: CompanyApi, segment: str) -> None:
    me = (await company_api.data("/v1/users/me"))["id"]
    row = (await company_api.post(f"/api/v2/{segment}", json=CREATE[segment])).json()["data"]
    base = f"/api/v2/{segment}/{row['id']}/followers"
    added = await company_api.post(base, json={"user_id": me})
    assert added.status_code == 201, added.text
    assert added.json()["data"]["user_id"] == me and added.json()["data"]["add_time"].endswith("Z")
    listed = (await company_api.get(base)).json()
    assert [f["user_id"] for f in listed["data"]] == [me] and listed["additional_data"]["next_cursor"] is None
    twice = await company_api.post(base, json={"user_id": me})
    assert twice.status_code == 400 and "already follows" in twice.json()["error"]
    if segment != "products":  # products have no include_fields
        counted = await company_api.data(
            f"/api/v2/{segment}/{row['id']}", params={"include_fields": "followers_count"}
        )
        assert counted["followers_count"] == 1
    removed = await company_api.delete(f"{base}/{me}")
    assert removed.status_code == 200 and removed.json()["data"] == {"user_id": me}
    assert (await company_api.delete(f"{base}/{me}")).status_code == 404
    log = (await company_api.get(f"{base}/changelog")).json()["data"]
    assert [(e["action"], e["follower_user_id"], e["actor_user_id"]) for e in log] == [
        ("added", me, me),
        ("removed", me, me),
    ]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({}, 400, "'user_id' is required"),
        ({"user_id": "1"}, 400, "expected an integer"),
        ({"user_id": 987654}, 400, "User with id 987654"),
    ],
)
async def test_follow_validation(
    company_api: CompanyApi, body: dict[str, object], status: int, needle: str
) -> None:
    deal = (await company_api.all("/api/v2/deals"))[0]
    r = await company_api.post(f"/api/v2/deals/{deal['id']}/followers", json=body)
    assert r.status_code == status and needle in r.json()["error"], r.text


async def test_followers_of_missing_or_deleted_entities(company_api: CompanyApi) -> None:
    me = (await company_api.data("/v1/users/me"))["id"]
    assert (await company_api.get("/api/v2/deals/987654/followers")).status_code == 404
    deal = (await company_api.post("/api/v2/deals", json={"title": "Doomed"})).json()["data"]
    await company_api.delete(f"/api/v2/deals/{deal['id']}")
    r = await company_api.post(f"/api/v2/deals/{deal['id']}/followers", json={"user_id": me})
    assert r.status_code == 410, r.text

"""``GET /v1/leads/{id}/permittedUsers``: the spec's ``userIds`` answer, visibility rules, 404, 403, cost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
async def team(client: httpx.AsyncClient, sandbox: Sandbox) -> tuple[CompanyApi, dict[str, int]]:
    """An empty company with a second admin, two regular users and a deactivated one."""
    r = await client.post(
        "/_sandbox/pipedrive/companies", json={"seed": 5, "persons": 0, "organizations": 0, "deals": 0}
    )
    company: dict[str, Any] = r.json()
    company["headers"] = {"x-api-token": company["api_token"]}
    company["prefix"] = f"/pipedrive/{company['company_domain']}"
    pd = sandbox.pipedrive
    store = pd.companies[company["company_id"]]
    ids = {"admin": store.admin().id}
    for name, admin in (("admin2", True), ("rep", False), ("rep2", False), ("gone", False)):
        ids[name] = pd.new_user(store, name=name, email=f"{name}@example.com", is_admin=admin).id
    store.users[ids["gone"]].active = False
    # Seeding adds regular users of its own: name them too.
    named = set(ids.values())
    ids.update({f"seeded{u.id}": u.id for u in store.users.values() if u.id not in named})
    assert not any(store.users[v].is_admin for k, v in ids.items() if k.startswith("seeded"))
    return CompanyApi(client, company), ids


def _admins(ids: dict[str, int]) -> list[int]:
    return [ids["admin"], ids["admin2"]]


async def _lead(api: CompanyApi, **values: Any) -> dict[str, Any]:
    org = await api.post("/api/v2/organizations", json={"name": "Vandelay Industries"})
    body = {"title": "Latex import", "organization_id": org.json()["data"]["id"], **values}
    r = await api.post("/v1/leads", json=body)
    assert r.status_code == 201, r.text
    lead: dict[str, Any] = r.json()["data"]
    return lead


async def test_owner_only_lead_is_seen_by_its_owner_and_the_admins(
    team: tuple[CompanyApi, dict[str, int]],
) -> None:
    api, ids = team
    lead = await _lead(api, owner_id=ids["rep"], visible_to="1")
    r = await api.get(f"/v1/leads/{lead['id']}/permittedUsers")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"success", "data"} and body["success"] is True
    assert all(isinstance(i, int) and not isinstance(i, bool) for i in body["data"])
    assert body["data"] == sorted([*_admins(ids), ids["rep"]])
    assert ids["rep2"] not in body["data"] and ids["gone"] not in body["data"]


async def test_company_wide_lead_is_seen_by_every_active_user(
    team: tuple[CompanyApi, dict[str, int]],
) -> None:
    api, ids = team
    lead = await _lead(api, owner_id=ids["rep"])
    assert lead["visible_to"] == "3"
    everyone = sorted(v for k, v in ids.items() if k != "gone")  # not the deactivated user
    assert await api.data(f"/v1/leads/{lead['id']}/permittedUsers") == everyone
    assert await api.data(f"/api/v1/leads/{lead['id']}/permittedUsers") == everyone
    # A lead made owner-only later narrows at once; groups (5, 7) read as the one default group.
    await api.patch(f"/v1/leads/{lead['id']}", json={"visible_to": "1"})
    assert ids["rep2"] not in await api.data(f"/v1/leads/{lead['id']}/permittedUsers")
    await api.patch(f"/v1/leads/{lead['id']}", json={"visible_to": "7"})
    assert await api.data(f"/v1/leads/{lead['id']}/permittedUsers") == everyone


@pytest.mark.parametrize("lead_id", ["3f2504e0-4f89-41d3-9a0c-0305e82c3301", "not-a-uuid", "1"])
async def test_unknown_lead_is_404(team: tuple[CompanyApi, dict[str, int]], lead_id: str) -> None:
    api, _ids = team
    r = await api.get(f"/v1/leads/{lead_id}/permittedUsers")
    assert r.status_code == 404 and r.json() == NOT_FOUND


async def test_deleted_lead_is_404(team: tuple[CompanyApi, dict[str, int]]) -> None:
    api, _ids = team
    lead = await _lead(api)
    await api.delete(f"/v1/leads/{lead['id']}")
    r = await api.get(f"/v1/leads/{lead['id']}/permittedUsers")
    assert r.status_code == 404 and r.json() == NOT_FOUND


async def test_scopes_and_cost(
    client: httpx.AsyncClient, sandbox: Sandbox, team: tuple[CompanyApi, dict[str, int]]
) -> None:
    api, _ids = team
    lead = await _lead(api)
    path = f"/v1/leads/{lead['id']}/permittedUsers"
    deals_only = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, ["deals:read"]))
    r = await deals_only.get(path)
    assert r.status_code == 403
    assert r.json() == {
        "success": False,
        "error": "Scope and URL mismatch",
        "errorCode": 403,
        "error_info": "Please check developers.pipedrive.com",
    }
    for scope in ("leads:read", "leads:full"):
        scoped = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, [scope]))
        assert (await scoped.get(path)).status_code == 200
    before = int((await api.get(path)).headers["x-daily-ratelimit-token-remaining"])
    after = int((await api.get(path)).headers["x-daily-ratelimit-token-remaining"])
    assert before - after == 10  # the spec's x-token-cost
    r = await client.get(api.company["prefix"] + path)
    assert r.status_code == 401 and r.json()["errorCode"] == 401

"""``GET /v1/{deals,persons,organizations,products}/{id}/permittedUsers``: the lead rule (leadusers.py)
on every record with a ``visible_to``, answered as the spec's ``data: [user id]``; 404, 403, cost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

CREATE = {
    "deals": {"title": "Seen"},
    "persons": {"name": "Seen"},
    "organizations": {"name": "Seen"},
    "products": {"name": "Seen"},
}
READ_SCOPE = {
    "deals": "deals:read",
    "persons": "contacts:read",
    "organizations": "contacts:read",
    "products": "products:read",
}


@pytest.fixture
async def team(client: httpx.AsyncClient, sandbox: Sandbox) -> tuple[CompanyApi, dict[str, int]]:
    """An empty company with a second admin, two regular users and a deactivated one."""
    r = await client.post(
        "/_sandbox/pipedrive/companies", json={"seed": 5, "persons": 0, "organizations": 0, "deals": 0}
    )
    company: dict[str, Any] = r.json()
    company["headers"] = {"x-api-token": company["api_token"]}
    company["prefix"] = f"/pipedrive/{company['company_domain']}"
    store = sandbox.pipedrive.companies[company["company_id"]]
    ids = {"admin": store.admin().id}
    for name, admin in (("admin2", True), ("rep", False), ("rep2", False), ("gone", False)):
        ids[name] = sandbox.pipedrive.new_user(store, name=name, email=f"{name}@x.example", is_admin=admin).id
    store.users[ids["gone"]].active = False
    named = set(ids.values())
    ids.update({f"seeded{u.id}": u.id for u in store.users.values() if u.id not in named})
    return CompanyApi(client, company), ids


async def _record(api: CompanyApi, segment: str, **values: Any) -> int:
    r = await api.post(f"/api/v2/{segment}", json={**CREATE[segment], **values})
    assert r.status_code in (200, 201), r.text
    record_id: int = r.json()["data"]["id"]
    return record_id


@pytest.mark.parametrize("segment", list(CREATE))
async def test_visibility_decides_who_is_permitted(
    team: tuple[CompanyApi, dict[str, int]], segment: str
) -> None:
    api, ids = team
    everyone = sorted(v for k, v in ids.items() if k != "gone")
    record = await _record(api, segment, owner_id=ids["rep"])
    path = f"/v1/{segment}/{record}/permittedUsers"
    r = await api.get(path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"success", "data"} and body["success"] is True
    assert all(isinstance(i, int) and not isinstance(i, bool) for i in body["data"])
    assert body["data"] == everyone  # visible_to 3: every active user
    # Owner-only narrows to the owner and the admins, at once; groups (5, 7) are the one default group.
    assert (await api.patch(f"/api/v2/{segment}/{record}", json={"visible_to": 1})).status_code == 200
    assert await api.data(path) == sorted([ids["admin"], ids["admin2"], ids["rep"]])
    await api.patch(f"/api/v2/{segment}/{record}", json={"visible_to": 7})
    assert await api.data(f"/api/v1/{segment}/{record}/permittedUsers") == everyone


async def test_same_rule_as_the_lead_route(team: tuple[CompanyApi, dict[str, int]]) -> None:
    """A deal and a lead with the same owner and visibility name the same users."""
    api, ids = team
    org = (await api.post("/api/v2/organizations", json={"name": "O"})).json()["data"]["id"]
    lead = await api.post(
        "/v1/leads", json={"title": "L", "organization_id": org, "owner_id": ids["rep2"], "visible_to": "1"}
    )
    assert lead.status_code == 201, lead.text
    deal = await _record(api, "deals", owner_id=ids["rep2"], visible_to=1)
    assert await api.data(f"/v1/deals/{deal}/permittedUsers") == await api.data(
        f"/v1/leads/{lead.json()['data']['id']}/permittedUsers"
    )


@pytest.mark.parametrize("segment", list(CREATE))
async def test_unknown_record_is_404(team: tuple[CompanyApi, dict[str, int]], segment: str) -> None:
    api, _ids = team
    r = await api.get(f"/v1/{segment}/987654/permittedUsers")
    assert r.status_code == 404 and r.json() == NOT_FOUND


async def test_soft_deleted_record_still_answers(team: tuple[CompanyApi, dict[str, int]]) -> None:
    api, ids = team
    deal = await _record(api, "deals", owner_id=ids["rep"], visible_to=1)
    await api.delete(f"/api/v2/deals/{deal}")
    assert ids["rep"] in await api.data(f"/v1/deals/{deal}/permittedUsers")


@pytest.mark.parametrize("segment", list(CREATE))
async def test_scopes_and_cost(
    client: httpx.AsyncClient, sandbox: Sandbox, team: tuple[CompanyApi, dict[str, int]], segment: str
) -> None:
    api, _ids = team
    record = await _record(api, segment)
    path = f"/v1/{segment}/{record}/permittedUsers"
    wrong = "leads:read"
    r = await CompanyApi(client, api.company, oauth_headers(sandbox, api.company, [wrong])).get(path)
    assert r.status_code == 403
    assert r.json() == {
        "success": False,
        "error": "Scope and URL mismatch",
        "errorCode": 403,
        "error_info": "Please check developers.pipedrive.com",
    }
    scoped = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, [READ_SCOPE[segment]]))
    assert (await scoped.get(path)).status_code == 200
    before = int((await api.get(path)).headers["x-daily-ratelimit-token-remaining"])
    after = int((await api.get(path)).headers["x-daily-ratelimit-token-remaining"])
    assert before - after == 10

"""Search v2: per-entity search, itemSearch, term rules, exact matches, cursors, scopes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
async def globex_api(client: httpx.AsyncClient) -> CompanyApi:
    """The API of a small company holding only hand-made Globex rows, so expectations are exact."""
    r = await client.post(
        "/_sandbox/pipedrive/companies", json={"seed": 3, "persons": 0, "organizations": 0, "deals": 0}
    )
    company = r.json()
    company["headers"] = {"x-api-token": company["api_token"]}
    company["prefix"] = f"/pipedrive/{company['company_domain']}"
    api = CompanyApi(client, company)
    org = (await api.post("/api/v2/organizations", json={"name": "Globex Corporation"})).json()["data"]
    person = await api.post(
        "/api/v2/persons",
        json={"name": "Hank Scorpio", "org_id": org["id"], "emails": [{"value": "hank@globex.example"}]},
    )
    pid = person.json()["data"]["id"]
    for title in ("Globex rollout", "Globex renewal", "Initech pilot"):
        await api.post("/api/v2/deals", json={"title": title, "person_id": pid, "org_id": org["id"]})
    await api.post("/api/v2/deals", json={"title": "globex"})
    await api.post("/v1/notes", json={"content": "Budget is approved by Hank", "org_id": org["id"]})
    await api.post("/v1/leads", json={"title": "Globex upsell", "person_id": pid})
    return api


async def _search(globex_api: CompanyApi, path: str, **params: Any) -> list[dict[str, Any]]:
    r = await globex_api.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]["items"]


async def test_deal_search_items(globex_api: CompanyApi) -> None:
    items = await _search(globex_api, "/api/v2/deals/search", term="GLOBEX")
    titles = [i["item"]["title"] for i in items]
    assert sorted(titles) == ["Globex renewal", "Globex rollout", "globex"]
    assert titles[0] == "globex" and items[0]["result_score"] == 1.0
    item = next(i["item"] for i in items if i["item"]["title"] == "Globex rollout")
    assert item["type"] == "deal" and set(item["owner"]) == {"id"}
    assert item["person"]["name"] == "Hank Scorpio" and item["organization"]["name"] == "Globex Corporation"
    assert set(item["stage"]) == {"id", "name"} and item["status"] == "open"
    exact = await _search(globex_api, "/api/v2/deals/search", term="Globex", exact_match="true")
    assert [i["item"]["title"] for i in exact] == ["globex"]
    org_id = item["organization"]["id"]
    filtered = await _search(globex_api, "/api/v2/deals/search", term="globex", organization_id=org_id)
    assert len(filtered) == 2


async def test_term_rules_and_cursor(globex_api: CompanyApi) -> None:
    for params, needle in [({}, "'term' is required"), ({"term": "g"}, "at least 2 characters")]:
        r = await globex_api.get("/api/v2/deals/search", params=params)
        assert r.status_code == 400 and needle in r.json()["error"]
    assert (
        await globex_api.get("/api/v2/deals/search", params={"term": "g", "exact_match": "true"})
    ).status_code == 200
    assert (
        await globex_api.get("/api/v2/deals/search", params={"term": "gl", "fields": "nope"})
    ).status_code == 400
    assert (
        await globex_api.get("/api/v2/deals/search", params={"term": "gl", "limit": 501})
    ).status_code == 400
    first = await globex_api.get("/api/v2/deals/search", params={"term": "globex", "limit": 2})
    cursor = first.json()["additional_data"]["next_cursor"]
    second = await globex_api.get(
        "/api/v2/deals/search", params={"term": "globex", "limit": 2, "cursor": cursor}
    )
    assert second.json()["additional_data"]["next_cursor"] is None
    ids = [i["item"]["id"] for i in first.json()["data"]["items"] + second.json()["data"]["items"]]
    assert len(ids) == len(set(ids)) == 3


async def test_person_org_product_lead_search(globex_api: CompanyApi) -> None:
    by_email = await _search(globex_api, "/api/v2/persons/search", term="hank@globex", fields="email")
    assert [i["item"]["name"] for i in by_email] == ["Hank Scorpio"]
    assert by_email[0]["item"]["emails"] == ["hank@globex.example"]
    assert await _search(globex_api, "/api/v2/persons/search", term="hank@globex", fields="name") == []
    orgs = await _search(globex_api, "/api/v2/organizations/search", term="approved", fields="notes")
    assert orgs[0]["item"]["name"] == "Globex Corporation" and orgs[0]["item"]["notes"] == [
        "Budget is approved by Hank"
    ]
    products = await _search(globex_api, "/api/v2/products/search", term="plan")
    assert {i["item"]["name"] for i in products} >= {"Starter plan", "Professional plan"}
    assert all(i["item"]["type"] == "product" for i in products)
    leads = await _search(globex_api, "/api/v2/leads/search", term="upsell")
    assert [i["item"]["title"] for i in leads] == ["Globex upsell"]
    assert leads[0]["item"]["person"]["name"] == "Hank Scorpio"


async def test_deleted_rows_are_not_found(globex_api: CompanyApi) -> None:
    items = await _search(globex_api, "/api/v2/deals/search", term="initech")
    await globex_api.delete(f"/api/v2/deals/{items[0]['item']['id']}")
    assert await _search(globex_api, "/api/v2/deals/search", term="initech") == []


async def test_item_search(globex_api: CompanyApi) -> None:
    r = await globex_api.get(
        "/api/v2/itemSearch", params={"term": "globex", "item_types": "deal,organization"}
    )
    data = r.json()["data"]
    assert {i["item"]["type"] for i in data["items"]} == {"deal", "organization"}
    assert data["related_items"] == []
    related = await globex_api.get(
        "/api/v2/itemSearch",
        params={"term": "rollout", "item_types": "deal", "search_for_related_items": "true"},
    )
    rel = {(i["item"]["type"], i["item"]["name"]) for i in related.json()["data"]["related_items"]}
    assert rel == {("person", "Hank Scorpio"), ("organization", "Globex Corporation")}
    assert (
        await globex_api.get("/api/v2/itemSearch", params={"term": "globex", "limit": 101})
    ).status_code == 400
    assert (
        await globex_api.get("/api/v2/itemSearch", params={"term": "globex", "item_types": "cat"})
    ).status_code == 400
    everything = (await globex_api.get("/api/v2/itemSearch", params={"term": "globex"})).json()["data"][
        "items"
    ]
    assert {i["item"]["type"] for i in everything} == {"deal", "person", "organization", "lead"}


async def test_search_scopes(client: httpx.AsyncClient, sandbox: Sandbox, globex_api: CompanyApi) -> None:
    search_only = CompanyApi(
        client, globex_api.company, oauth_headers(sandbox, globex_api.company, ["search:read"])
    )
    assert (await search_only.get("/api/v2/deals/search", params={"term": "globex"})).status_code == 200
    assert (await search_only.get("/api/v2/itemSearch", params={"term": "globex"})).status_code == 200
    assert (await search_only.get("/api/v2/deals")).status_code == 403
    deals_only = CompanyApi(
        client, globex_api.company, oauth_headers(sandbox, globex_api.company, ["deals:read"])
    )
    assert (await deals_only.get("/api/v2/deals/search", params={"term": "globex"})).status_code == 200
    assert (await deals_only.get("/api/v2/persons/search", params={"term": "hank"})).status_code == 403
    assert (await deals_only.get("/api/v2/itemSearch", params={"term": "globex"})).status_code == 403

"""``GET /v1/leads/search``: the spec's ``GetLeadSearchResponse`` shape, the same leads and scores as
``/api/v2/leads/search``, offset paging, ``include_fields``, 400/403 bodies and the search cost/window."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.pipedrive.fields import custom_field

from .helpers import CompanyApi, advance, oauth_headers

pytestmark = pytest.mark.anyio
V1, V2 = "/v1/leads/search", "/api/v2/leads/search"


class Leads:
    """An empty company holding hand-made leads, so expectations are exact."""

    def __init__(self, api: CompanyApi, ids: dict[str, Any]) -> None:
        self.api, self.ids = api, ids

    async def get(self, path: str, **params: Any) -> httpx.Response:
        """One search call; the sandbox clock moves on so the 10-per-2-s search window never trips."""
        await advance(self.api.client, 0.25)
        return await self.api.get(path, params=params)

    async def items(self, path: str = V1, **params: Any) -> list[dict[str, Any]]:
        r = await self.get(path, **params)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["data"]["items"]
        return items

    async def titles(self, **params: Any) -> list[str]:
        return [i["item"]["title"] for i in await self.items(**params)]


@pytest.fixture
async def leads(client: httpx.AsyncClient, sandbox: Sandbox) -> Leads:
    r = await client.post(
        "/_sandbox/pipedrive/companies", json={"seed": 4, "persons": 0, "organizations": 0, "deals": 0}
    )
    company: dict[str, Any] = r.json()
    company["headers"] = {"x-api-token": company["api_token"]}
    company["prefix"] = f"/pipedrive/{company['company_domain']}"
    api = CompanyApi(client, company)
    store = sandbox.pipedrive.companies[company["company_id"]]
    competitor = custom_field(store, "deal", "Competitor").field_code
    org = (await api.post("/api/v2/organizations", json={"name": "Globex Corporation"})).json()["data"]
    person = await api.post(
        "/api/v2/persons",
        json={"name": "Hank Scorpio", "emails": [{"value": "hank@globex.example"}],
              "phones": [{"value": "+1 555 0100"}]},
    )  # fmt: skip
    pid, oid = person.json()["data"]["id"], org["id"]
    ids: dict[str, Any] = {"person": pid, "org": oid, "competitor": competitor}
    for key, body in {
        "upsell": {"title": "Globex upsell", "person_id": pid, "value": {"amount": 1200, "currency": "EUR"}},
        "renewal": {"title": "Globex renewal", "organization_id": oid},
        "bare": {"title": "globex", "organization_id": oid, "visible_to": "1"},
        "pilot": {"title": "Initech pilot", "organization_id": oid, competitor: "Globex Ltd"},
        "other": {"title": "Vandelay latex", "person_id": pid},
    }.items():
        r = await api.post("/v1/leads", json=body)
        assert r.status_code == 201, r.text
        ids[key] = r.json()["data"]["id"]
    await api.post("/v1/notes", json={"content": "Call about the globex merger", "lead_id": ids["other"]})
    await api.patch(f"/v1/leads/{ids['renewal']}", json={"was_seen": True})
    return Leads(api, ids)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_item(item: dict[str, Any]) -> None:
    """Every field of the spec's LeadSearchItemItem, with its type."""
    assert set(item) == {
        "id", "type", "title", "owner", "person", "organization", "phones", "emails",
        "custom_fields", "notes", "value", "currency", "visible_to", "is_archived",
    }  # fmt: skip
    assert isinstance(item["id"], str) and item["type"] == "lead" and isinstance(item["title"], str)
    assert set(item["owner"]) == {"id"} and _is_int(item["owner"]["id"])
    for ref in ("person", "organization"):
        assert item[ref] is None or (
            set(item[ref]) == {"id", "name"}
            and _is_int(item[ref]["id"])
            and isinstance(item[ref]["name"], str)
        )
    for key in ("phones", "emails", "custom_fields", "notes"):
        assert isinstance(item[key], list) and all(isinstance(v, str) for v in item[key])
    assert item["value"] is None or isinstance(item["value"], int | float)
    assert item["currency"] is None or isinstance(item["currency"], str)
    assert item["visible_to"] in (1, 3, 5, 7) and isinstance(item["is_archived"], bool)


async def test_response_shape(leads: Leads) -> None:
    r = await leads.get(V1, term="globex")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"success", "data", "additional_data"} and body["success"] is True
    assert set(body["data"]) == {"items"}
    assert body["additional_data"] == {
        "pagination": {"start": 0, "limit": 100, "more_items_in_collection": False}
    }
    items = body["data"]["items"]
    assert len(items) == 5
    for entry in items:
        assert set(entry) == {"result_score", "item"} and isinstance(entry["result_score"], int | float)
        _check_item(entry["item"])
    assert [i["result_score"] for i in items] == sorted((i["result_score"] for i in items), reverse=True)
    assert items[0]["item"]["title"] == "globex" and items[0]["result_score"] == 1.0
    assert items[0]["item"]["visible_to"] == 1
    upsell = next(i["item"] for i in items if i["item"]["id"] == leads.ids["upsell"])
    assert upsell["person"] == {"id": leads.ids["person"], "name": "Hank Scorpio"}
    assert (upsell["emails"], upsell["phones"]) == (["hank@globex.example"], ["+1 555 0100"])
    assert (upsell["value"], upsell["currency"], upsell["organization"]) == (1200, "EUR", None)
    pilot = next(i["item"] for i in items if i["item"]["id"] == leads.ids["pilot"])
    assert pilot["custom_fields"] == ["Globex Ltd"] and pilot["organization"]["name"] == "Globex Corporation"
    other = next(i["item"] for i in items if i["item"]["id"] == leads.ids["other"])
    assert other["notes"] == ["Call about the globex merger"] and other["title"] == "Vandelay latex"


@pytest.mark.parametrize(
    "params",
    [
        {"term": "globex"},
        {"term": "GLOBEX", "fields": "title"},
        {"term": "globex", "fields": "notes,custom_fields"},
        {"term": "Globex", "exact_match": "true"},
        {"term": "g", "exact_match": "true"},
        {"term": "lob"},
        {"term": "globex", "organization_id": "__org__"},
        {"term": "globex", "person_id": "__person__"},
        {"term": "nothing here"},
    ],
)
async def test_v1_and_v2_find_the_same_leads(leads: Leads, params: dict[str, str]) -> None:
    params = {
        k: str(leads.ids["org"]) if v == "__org__" else str(leads.ids["person"]) if v == "__person__" else v
        for k, v in params.items()
    }
    v1 = await leads.items(V1, **params)
    v2 = await leads.items(V2, **params)
    assert [(i["result_score"], i["item"]) for i in v1] == [(i["result_score"], i["item"]) for i in v2]


async def test_matching(leads: Leads) -> None:
    ids = leads.ids
    assert sorted(await leads.titles(term="GLOBEX", fields="title")) == [
        "Globex renewal", "Globex upsell", "globex",
    ]  # fmt: skip
    assert await leads.titles(term="globex", exact_match="true") == ["globex"]
    assert await leads.titles(term="globex ltd", fields="custom_fields") == ["Initech pilot"]
    assert await leads.titles(term="merger", fields="notes") == ["Vandelay latex"]
    assert await leads.titles(term="merger", fields="title") == []
    assert sorted(await leads.titles(term="globex", person_id=ids["person"])) == [
        "Globex upsell", "Vandelay latex",
    ]  # fmt: skip
    assert len(await leads.titles(term="globex", organization_id=ids["org"])) == 3
    assert await leads.titles(term="globex", organization_id=999_999) == []
    await leads.api.delete(f"/v1/leads/{ids['bare']}")
    assert await leads.titles(term="globex", exact_match="true") == []


async def test_offset_paging(leads: Leads) -> None:
    r = await leads.get(V1, term="globex", limit=2)
    assert r.json()["additional_data"]["pagination"] == {
        "start": 0, "limit": 2, "more_items_in_collection": True, "next_start": 2,
    }  # fmt: skip
    seen = [i["item"]["id"] for i in r.json()["data"]["items"]]
    r = await leads.get(V1, term="globex", limit=2, start=2)
    assert r.json()["additional_data"]["pagination"]["next_start"] == 4
    seen += [i["item"]["id"] for i in r.json()["data"]["items"]]
    r = await leads.get(V1, term="globex", limit=2, start=4)
    last = r.json()
    assert last["additional_data"]["pagination"] == {
        "start": 4,
        "limit": 2,
        "more_items_in_collection": False,
    }
    seen += [i["item"]["id"] for i in last["data"]["items"]]
    assert len(seen) == len(set(seen)) == 5
    assert [i["item"]["id"] for i in await leads.items(term="globex")] == seen
    beyond = await leads.get(V1, term="globex", start=50)
    assert beyond.json()["data"]["items"] == []


async def test_include_fields_was_seen(leads: Leads) -> None:
    items = await leads.items(term="globex", include_fields="lead.was_seen")
    seen = {i["item"]["id"]: i["item"]["was_seen"] for i in items}
    assert seen[leads.ids["renewal"]] is True
    assert all(v is False for k, v in seen.items() if k != leads.ids["renewal"])
    assert all("was_seen" not in i["item"] for i in await leads.items(term="globex"))


def _error(r: httpx.Response, needle: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["success"] is False and needle in body["error"]
    assert (body["errorCode"], body["data"], body["additional_data"]) == (400, None, None)
    assert isinstance(body["error_info"], str)


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "'term' is required"),
        ({"term": "  "}, "'term' is required"),
        ({"term": "g"}, "at least 2 characters"),
        ({"term": "globex", "fields": "name"}, "'fields'"),
        ({"term": "globex", "exact_match": "yes"}, "'exact_match'"),
        ({"term": "globex", "person_id": "abc"}, "'person_id'"),
        ({"term": "globex", "organization_id": "0"}, "'organization_id'"),
        ({"term": "globex", "include_fields": "deal.cc_email"}, "'include_fields'"),
        ({"term": "globex", "limit": "0"}, "'limit'"),
        ({"term": "globex", "limit": "501"}, "'limit'"),
        ({"term": "globex", "start": "-1"}, "'start'"),
    ],
)
async def test_invalid_requests(leads: Leads, params: dict[str, str], needle: str) -> None:
    _error(await leads.get(V1, **params), needle)


async def test_scopes_cost_and_search_window(
    client: httpx.AsyncClient, sandbox: Sandbox, leads: Leads
) -> None:
    company = leads.api.company
    for scopes, status in ((["search:read"], 200), (["leads:read"], 200), (["deals:full"], 403)):
        scoped = CompanyApi(client, company, oauth_headers(sandbox, company, scopes))
        r = await scoped.get(V1, params={"term": "globex"})
        assert r.status_code == status, scopes
    assert r.json() == {
        "success": False, "error": "Scope and URL mismatch", "errorCode": 403,
        "error_info": "Please check developers.pipedrive.com",
    }  # fmt: skip
    first = await leads.get(V1, term="globex")
    second = await leads.get(V1, term="globex")
    spent = int(first.headers["x-daily-ratelimit-token-remaining"]) - int(
        second.headers["x-daily-ratelimit-token-remaining"]
    )
    assert spent == 40  # the v1 spec's x-token-cost for this route
    assert second.headers["x-ratelimit-limit"] == "10"  # the search window, not the plan's
    await advance(client, 5)
    burst = [await leads.api.get(V1, params={"term": "globex"}) for _ in range(11)]
    assert [r.status_code for r in burst] == [200] * 10 + [429]

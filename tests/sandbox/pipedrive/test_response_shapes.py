"""Response fields and envelopes found missing when the sandbox's answers were checked against Pipedrive's
published response schemas (issue 15, conformance audit). Each table names the field and its type."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio

NUMBER_OR_NULL = (int, float, type(None))
#: v2 deal fields on every read: recurring revenue, number or null.
DEAL_REVENUE = {"arr": NUMBER_OR_NULL, "mrr": NUMBER_OR_NULL, "acv": NUMBER_OR_NULL}
#: v2 activity fields on every read: the conference meeting link, string or null.
ACTIVITY_CONFERENCE = {
    "conference_meeting_client": (str, type(None)),
    "conference_meeting_url": (str, type(None)),
    "conference_meeting_id": (str, type(None)),
}
#: v1 note fields on every read: project and task links.
NOTE_LINKS = {
    "project": (dict, type(None)),
    "task_id": (int, type(None)),
    "task": (dict, type(None)),
    "pinned_to_project_flag": bool,
    "pinned_to_task_flag": bool,
}


def _typed(row: dict[str, Any], table: dict[str, Any]) -> None:
    for key, kinds in table.items():
        assert key in row, key
        assert isinstance(row[key], kinds) and not (kinds is not bool and isinstance(row[key], bool)), (
            key,
            row[key],
        )


async def _deal_with(api: CompanyApi, *lines: dict[str, Any]) -> int:
    deal: int = (await api.post("/api/v2/deals", json={"title": "Recurring"})).json()["data"]["id"]
    for line in lines:
        product = (await api.post("/api/v2/products", json={"name": "Plan"})).json()["data"]["id"]
        body = {"product_id": product, "item_price": 10, "quantity": 1, **line}
        r = await api.post(f"/api/v2/deals/{deal}/products", json=body)
        assert r.status_code == 201, r.text
    return deal


async def test_deal_reads_carry_recurring_revenue(company_api: CompanyApi) -> None:
    created = (await company_api.post("/api/v2/deals", json={"title": "Plain"})).json()["data"]
    _typed(created, DEAL_REVENUE)
    assert (created["arr"], created["mrr"], created["acv"]) == (None, None, None)  # no products
    for row in await company_api.all("/api/v2/deals"):
        _typed(row, DEAL_REVENUE)
    monthly = await _deal_with(company_api, {"billing_frequency": "monthly"})
    got = await company_api.data(f"/api/v2/deals/{monthly}")
    assert (got["mrr"], got["arr"], got["acv"]) == (10, 120, 120)
    once = await _deal_with(company_api, {})
    got = await company_api.data(f"/api/v2/deals/{once}")
    assert (got["mrr"], got["arr"], got["acv"]) == (0, 0, 0)
    short = await _deal_with(company_api, {"billing_frequency": "monthly", "billing_frequency_cycles": 3}, {})
    got = await company_api.data(f"/api/v2/deals/{short}")
    assert (got["mrr"], got["arr"], got["acv"]) == (10, 120, 30)
    patched = await company_api.patch(f"/api/v2/deals/{short}", json={"title": "Renamed"})
    assert patched.json()["data"]["acv"] == 30


async def test_lite_plan_deals_have_no_recurring_revenue(client: httpx.AsyncClient) -> None:
    made = (await client.post("/_sandbox/pipedrive/companies", json={"seed": 7, "plan": "lite"})).json()
    prefix = f"/pipedrive/{made['company_domain']}"
    api = CompanyApi(client, {**made, "headers": {"x-api-token": made["api_token"]}, "prefix": prefix})
    deal = await _deal_with(api, {"billing_frequency": "monthly"})
    got = await api.data(f"/api/v2/deals/{deal}")
    assert (got["arr"], got["mrr"], got["acv"]) == (None, None, None)


async def test_activity_reads_carry_conference_fields(company_api: CompanyApi) -> None:
    created = (await company_api.post("/api/v2/activities", json={"subject": "Call", "type": "call"})).json()
    _typed(created["data"], ACTIVITY_CONFERENCE)
    _typed(await company_api.data(f"/api/v2/activities/{created['data']['id']}"), ACTIVITY_CONFERENCE)
    for row in (await company_api.get("/api/v2/activities", params={"limit": 5})).json()["data"]:
        _typed(row, ACTIVITY_CONFERENCE)


async def test_v1_notes_carry_project_and_task_links(company_api: CompanyApi) -> None:
    created = (await company_api.post("/v1/notes", json={"content": "Hi", "deal_id": 1})).json()["data"]
    _typed(created, NOTE_LINKS)
    assert created["pinned_to_project_flag"] is False and created["task"] is None
    _typed(await company_api.data(f"/v1/notes/{created['id']}"), NOTE_LINKS)
    for row in await company_api.data("/v1/notes", params={"limit": 5}):
        _typed(row, NOTE_LINKS)


async def test_v1_leads_carry_source_deal_id(company_api: CompanyApi) -> None:
    lead = (await company_api.post("/v1/leads", json={"title": "Fresh", "person_id": 1})).json()["data"]
    assert "source_deal_id" in lead and lead["source_deal_id"] is None
    deal = (await company_api.post("/api/v2/deals", json={"title": "Back", "person_id": 1})).json()["data"]
    cid = (await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead", json={})).json()["data"][
        "conversion_id"
    ]
    status = await company_api.data(f"/api/v2/deals/{deal['id']}/convert/status/{cid}")
    converted = await company_api.data(f"/v1/leads/{status['lead_id']}")
    assert converted["source_deal_id"] == deal["id"] and isinstance(converted["source_deal_id"], int)
    listed = {row["id"]: row for row in await company_api.data("/v1/leads", params={"limit": 500})}
    assert listed[status["lead_id"]]["source_deal_id"] == deal["id"]


async def test_field_option_writes_answer_additional_data_null(company_api: CompanyApi) -> None:
    body = {"field_name": "Tier", "field_type": "enum", "options": [{"label": "Gold"}]}
    code = (await company_api.post("/api/v2/dealFields", json=body)).json()["data"]["field_code"]
    base = f"/api/v2/dealFields/{code}/options"
    added = await company_api.post(base, json=[{"label": "Silver"}])
    assert added.status_code == 200 and added.json()["additional_data"] is None, added.text
    option = added.json()["data"][0]["id"]
    for method, items in (("PATCH", [{"id": option, "label": "Bronze"}]), ("DELETE", [{"id": option}])):
        r = await company_api.request(method, base, json=items)
        assert r.status_code == 200 and set(r.json()) == {"success", "data", "additional_data"}, r.text
        assert r.json()["additional_data"] is None


async def test_deal_products_bulk_delete_says_whether_more_remain(company_api: CompanyApi) -> None:
    deal = await _deal_with(company_api, {}, {})
    r = await company_api.delete(f"/api/v2/deals/{deal}/products")
    assert r.status_code == 200, r.text
    assert len(r.json()["data"]["ids"]) == 2
    assert r.json()["additional_data"] == {"more_items_in_collection": False}


async def test_archived_deals_take_include_fields(company_api: CompanyApi) -> None:
    deal = (await company_api.post("/api/v2/deals", json={"title": "Shelved"})).json()["data"]
    await company_api.patch(f"/api/v2/deals/{deal['id']}", json={"is_archived": True})
    r = await company_api.get(
        "/api/v2/deals/archived", params={"include_fields": "notes_count,smart_bcc_email"}
    )
    row = next(d for d in r.json()["data"] if d["id"] == deal["id"])
    assert row["notes_count"] == 0 and isinstance(row["smart_bcc_email"], str)


#: include_fields of the v2 searches: route, term, include name → item key and its type.
SEARCH_INCLUDES = [
    ("/api/v2/deals/search", "Barnes", "deal.cc_email", "cc_email", str),
    ("/api/v2/persons/search", "Tammy", "person.picture", "picture", type(None)),
    ("/api/v2/products/search", "Starter", "product.price", "price", (int, float)),
    ("/api/v2/leads/search", "lead", "lead.was_seen", "was_seen", bool),
]


@pytest.mark.parametrize(("path", "term", "name", "key", "kind"), SEARCH_INCLUDES)
async def test_search_include_fields(
    company_api: CompanyApi, path: str, term: str, name: str, key: str, kind: Any
) -> None:
    plain = (await company_api.data(path, params={"term": term}))["items"]
    assert plain and all(key not in i["item"] for i in plain)
    items = (await company_api.data(path, params={"term": term, "include_fields": name}))["items"]
    assert items and all(isinstance(i["item"][key], kind) for i in items), items[0]
    wrong = await company_api.get(path, params={"term": term, "include_fields": "deal.nope"})
    assert wrong.status_code == 400 and "include_fields" in wrong.json()["error"], wrong.text


async def test_item_search_include_fields(company_api: CompanyApi) -> None:
    params = {"term": "an", "include_fields": "deal.cc_email,person.picture,product.price", "limit": 100}
    items = [i["item"] for i in (await company_api.data("/api/v2/itemSearch", params=params))["items"]]
    keys = {"deal": "cc_email", "person": "picture", "product": "price"}
    assert {i["type"] for i in items} >= {"deal", "person"}
    for item in items:
        if item["type"] in keys:
            assert keys[item["type"]] in item, item
    wrong = await company_api.get(
        "/api/v2/itemSearch", params={"term": "ab", "include_fields": "lead.was_seen"}
    )
    assert wrong.status_code == 400, wrong.text


async def test_deal_fields_always_carry_a_description(company_api: CompanyApi) -> None:
    """Deal fields: ``description`` is a string or null on every field; person fields have no such key."""
    for row in await company_api.all("/api/v2/dealFields"):
        assert "description" in row and isinstance(row["description"], (str, type(None))), row
    made = await company_api.post("/api/v2/dealFields", json={"field_name": "Plain", "field_type": "varchar"})
    assert made.json()["data"]["description"] is None, made.text
    code = made.json()["data"]["field_code"]
    assert (await company_api.data(f"/api/v2/dealFields/{code}"))["description"] is None
    renamed = await company_api.patch(f"/api/v2/dealFields/{code}", json={"field_name": "Renamed"})
    assert renamed.json()["data"]["description"] is None
    assert all("description" not in row for row in await company_api.all("/api/v2/personFields"))

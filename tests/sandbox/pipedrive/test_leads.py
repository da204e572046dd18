"""Leads (v1) and notes (v1): UUID ids, value objects, offset pagination, hard deletes, attachments."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from .helpers import NOT_FOUND, CompanyApi

pytestmark = pytest.mark.anyio


async def _first_person(company_api: CompanyApi) -> dict[str, Any]:
    return (await company_api.data("/api/v2/persons", params={"limit": 1}))[0]


async def test_lead_crud(company_api: CompanyApi) -> None:
    person = await _first_person(company_api)
    body = {"title": "Inbound", "person_id": person["id"], "value": {"amount": 500, "currency": "EUR"}}
    r = await company_api.post("/v1/leads", json=body)
    assert r.status_code == 201, r.text
    lead = r.json()["data"]
    assert uuid.UUID(lead["id"]).version == 4
    assert lead["source_name"] == "API" and lead["organization_id"] is None and lead["visible_to"] == "3"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", lead["add_time"])
    assert await company_api.data(f"/v1/leads/{lead['id']}") == lead
    assert await company_api.data(f"/api/v1/leads/{lead['id']}") == lead
    patched = await company_api.patch(
        f"/v1/leads/{lead['id']}", json={"title": "Inbound (hot)", "value": None}
    )
    assert patched.json()["data"]["title"] == "Inbound (hot)" and patched.json()["data"]["value"] is None
    r = await company_api.patch(f"/v1/leads/{lead['id']}", json={"person_id": None})
    assert r.status_code == 400 and "person or an organization" in r.json()["error"]
    assert (await company_api.delete(f"/v1/leads/{lead['id']}")).json() == {
        "success": True,
        "data": {"id": lead["id"]},
    }
    assert (await company_api.get(f"/v1/leads/{lead['id']}")).json() == NOT_FOUND


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"person_id": 1}, "'title' is required"),
        ({"title": "x"}, "person or an organization"),
        ({"title": "x", "org_id": 1}, "Unknown field(s): org_id"),
        ({"title": "x", "person_id": 1, "value": 500}, "amount"),
        ({"title": "x", "person_id": 1, "value": {"amount": 500}}, "both amount and currency"),
        ({"title": "x", "person_id": 1, "value": {"amount": "5", "currency": "EUR"}}, "expected a number"),
        ({"title": "x", "organization_id": 9999}, "Organization with id 9999"),
        ({"title": "x", "person_id": 1, "label_ids": [1]}, "UUID"),
    ],
)
async def test_lead_validation(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    r = await company_api.post("/v1/leads", json=body)
    assert r.status_code == 400 and needle in r.json()["error"], r.text


async def test_lead_offset_pagination_and_filters(company_api: CompanyApi) -> None:
    rows: list[dict[str, Any]] = []
    start: int | None = 0
    while start is not None:
        r = await company_api.get("/v1/leads", params={"start": start, "limit": 3})
        page = r.json()
        rows.extend(page["data"])
        pagination = page["additional_data"]["pagination"]
        assert pagination["start"] == start and pagination["limit"] == 3
        start = pagination.get("next_start") if pagination["more_items_in_collection"] else None
    everything = await company_api.data("/v1/leads", params={"limit": 500})
    assert [r["id"] for r in rows] == [r["id"] for r in everything] and len(rows) == 8
    person_id = everything[0]["person_id"]
    mine = await company_api.data("/v1/leads", params={"person_id": person_id})
    assert mine and all(r["person_id"] == person_id for r in mine)


async def test_lead_custom_fields_flat_v1(company_api: CompanyApi) -> None:
    fields = {f["field_name"]: f for f in await company_api.data("/api/v2/dealFields", params={"limit": 500})}
    source = fields["Source"]
    person = await _first_person(company_api)
    option = source["options"][0]["id"]
    r = await company_api.post(
        "/v1/leads", json={"title": "CF", "person_id": person["id"], source["field_code"]: option}
    )
    assert r.status_code == 201, r.text
    assert (await company_api.data(f"/v1/leads/{r.json()['data']['id']}"))[source["field_code"]] == str(
        option
    )
    bad = await company_api.post(
        "/v1/leads", json={"title": "CF", "person_id": person["id"], source["field_code"]: 999999}
    )
    assert bad.status_code == 400


async def test_archived_leads(company_api: CompanyApi) -> None:
    lead = (await company_api.data("/v1/leads", params={"limit": 1}))[0]
    assert (await company_api.patch(f"/v1/leads/{lead['id']}", json={"is_archived": True})).status_code == 200
    assert lead["id"] not in [r["id"] for r in await company_api.data("/v1/leads", params={"limit": 500})]
    assert [r["id"] for r in await company_api.data("/v1/leads/archived")] == [lead["id"]]
    assert (await company_api.patch(f"/v1/leads/{lead['id']}", json={"title": "x"})).status_code == 400
    assert (
        await company_api.patch(f"/v1/leads/{lead['id']}", json={"is_archived": False})
    ).status_code == 200


async def test_note_crud_and_filters(company_api: CompanyApi) -> None:
    deal = (await company_api.data("/api/v2/deals", params={"limit": 1}))[0]
    r = await company_api.post(
        "/v1/notes", json={"content": "<p>Hi</p><script>alert(1)</script>", "deal_id": deal["id"]}
    )
    assert r.status_code == 200, r.text
    note = r.json()["data"]
    assert note["content"] == "<p>Hi</p>" and note["deal"] == {"title": deal["title"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", note["add_time"]) and note["active_flag"] is True
    assert await company_api.data(f"/v1/notes/{note['id']}") == note
    for_deal = await company_api.data("/v1/notes", params={"deal_id": deal["id"], "limit": 500})
    assert note["id"] in [n["id"] for n in for_deal] and all(n["deal_id"] == deal["id"] for n in for_deal)
    r = await company_api.put(
        f"/v1/notes/{note['id']}", json={"content": "Updated", "pinned_to_deal_flag": 1}
    )
    assert r.json()["data"]["content"] == "Updated" and r.json()["data"]["pinned_to_deal_flag"] is True
    pinned = await company_api.data("/v1/notes", params={"pinned_to_deal_flag": 1})
    assert [n["id"] for n in pinned] == [note["id"]]
    assert (await company_api.delete(f"/v1/notes/{note['id']}")).json() == {"success": True, "data": True}
    assert (await company_api.get(f"/v1/notes/{note['id']}")).status_code == 404


async def test_note_form_body_and_validation(company_api: CompanyApi) -> None:
    person = await _first_person(company_api)
    r = await company_api.post("/v1/notes", data={"content": "From a form", "person_id": str(person["id"])})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["person_id"] == person["id"] and r.json()["data"]["person"] == {
        "name": person["name"]
    }
    for body, needle in [
        ({"deal_id": 1}, "'content' is required"),
        ({"content": "orphan"}, "must be attached"),
        ({"content": "x", "deal_id": 99999}, "Deal with id 99999"),
        ({"content": "x", "lead_id": "nope"}, "Lead with id nope"),
    ]:
        r = await company_api.post("/v1/notes", json=body)
        assert r.status_code == 400 and needle in r.json()["error"], (body, r.text)


async def test_note_offset_pagination(company_api: CompanyApi) -> None:
    everything = await company_api.data("/v1/notes", params={"limit": 500})
    page = await company_api.get("/v1/notes", params={"start": 2, "limit": 2, "sort": "id DESC"})
    ids = sorted((n["id"] for n in everything), reverse=True)
    assert [n["id"] for n in page.json()["data"]] == ids[2:4]
    assert page.json()["additional_data"]["pagination"] == {
        "start": 2, "limit": 2, "more_items_in_collection": True, "next_start": 4,
    }  # fmt: skip
    assert (await company_api.get("/v1/notes", params={"sort": "nope ASC"})).status_code == 400

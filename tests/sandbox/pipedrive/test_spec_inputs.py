"""Inputs Pipedrive's published v2 spec allows, which the sandbox once refused (issue 15).

The facts below (field names, which fields a create may set) are taken from the spec's request schemas
and encoded here as our own data; the spec itself stays out of the repository.
"""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio

#: Optional AddPersonRequest fields that exist when contact sync is on, with spec-typed values.
PERSON_SYNC_FIELDS: dict[str, Any] = {
    "postal_address": {"value": "1 Main St, Tallinn", "locality": "Tallinn", "country": "Estonia"},
    "notes": "Met at the fair",
    "im": [{"value": "ada.skype", "label": "skype"}],
    "birthday": "1815-12-10",
    "job_title": "Analyst",
}


async def test_person_accepts_the_contact_sync_fields(company_api: CompanyApi) -> None:
    r = await company_api.post("/api/v2/persons", json={"name": "Ada Lovelace", **PERSON_SYNC_FIELDS})
    assert r.status_code == 200, r.text
    person = await company_api.data(f"/api/v2/persons/{r.json()['data']['id']}")
    assert person["notes"] == "Met at the fair" and person["birthday"] == "1815-12-10"
    assert person["job_title"] == "Analyst"
    assert person["im"] == [{"value": "ada.skype", "primary": True, "label": "skype"}]
    assert person["postal_address"]["locality"] == "Tallinn" and person["postal_address"]["route"] is None
    moved = await company_api.patch(f"/api/v2/persons/{person['id']}", json={"job_title": "Countess"})
    assert moved.status_code == 200 and moved.json()["data"]["job_title"] == "Countess", moved.text


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"birthday": "10/12/1815"}, "YYYY-MM-DD"),
        ({"im": ["skype"]}, "only objects"),
        ({"postal_address": {"town": "x"}}, "unknown address part"),
        ({"job_title": 7}, "a string"),
    ],
)
async def test_person_sync_fields_are_still_typed(
    company_api: CompanyApi, body: dict[str, Any], needle: str
) -> None:
    r = await company_api.post("/api/v2/persons", json={"name": "x", **body})
    assert r.status_code == 400 and needle in r.json()["error"], r.text


@pytest.mark.parametrize("path", ["/api/v2/persons", "/api/v2/organizations"])
async def test_add_time_may_be_set_on_create_not_on_update(company_api: CompanyApi, path: str) -> None:
    r = await company_api.post(path, json={"name": "Backfilled", "add_time": "2020-05-01T10:00:00Z"})
    assert r.status_code == 200, r.text
    row = r.json()["data"]
    assert row["add_time"] == "2020-05-01T10:00:00Z"
    again = await company_api.patch(f"{path}/{row['id']}", json={"add_time": "2021-01-01T00:00:00Z"})
    assert again.status_code == 400 and "read-only" in again.json()["error"], again.text


async def test_deal_accepts_is_deleted_false_and_archive_time(company_api: CompanyApi) -> None:
    r = await company_api.post("/api/v2/deals", json={"title": "Live", "is_deleted": False})
    assert r.status_code == 200 and r.json()["data"]["is_deleted"] is False, r.text
    deal = r.json()["data"]
    patched = await company_api.patch(
        f"/api/v2/deals/{deal['id']}",
        json={"is_deleted": False, "is_archived": True, "archive_time": "2024-02-02T00:00:00Z"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["archive_time"] == "2024-02-02T00:00:00Z"
    bad = await company_api.post("/api/v2/deals", json={"title": "x", "is_deleted": "no"})
    assert bad.status_code == 400 and "true or false" in bad.json()["error"], bad.text


async def test_activity_person_id_sets_the_primary_participant(company_api: CompanyApi) -> None:
    a, b = [p["id"] for p in (await company_api.all("/api/v2/persons"))[:2]]
    r = await company_api.post("/api/v2/activities", json={"subject": "Call Ada", "person_id": a})
    assert r.status_code == 200, r.text
    act = r.json()["data"]
    assert act["person_id"] == a and act["participants"] == [{"person_id": a, "primary": True}]
    moved = (await company_api.patch(f"/api/v2/activities/{act['id']}", json={"person_id": b})).json()
    assert moved["data"]["person_id"] == b
    assert moved["data"]["participants"] == [{"person_id": b, "primary": True}]
    cleared = (await company_api.patch(f"/api/v2/activities/{act['id']}", json={"person_id": None})).json()
    assert cleared["data"]["person_id"] is None and cleared["data"]["participants"] == []
    clash = await company_api.post(
        "/api/v2/activities",
        json={"person_id": a, "participants": [{"person_id": b, "primary": True}]},
    )
    assert clash.status_code == 400 and "primary participant" in clash.json()["error"], clash.text
    gone = await company_api.post("/api/v2/activities", json={"person_id": 987654})
    assert gone.status_code == 400 and "Person with id 987654" in gone.json()["error"]


async def test_products_sort_by_name(company_api: CompanyApi) -> None:
    for name in ("Zeta widget", "Alpha widget"):
        assert (await company_api.post("/api/v2/products", json={"name": name})).status_code == 201
    names = [p["name"] for p in await company_api.all("/api/v2/products", sort_by="name")]
    assert names == sorted(names) and len(names) >= 2
    down = [
        p["name"] for p in await company_api.all("/api/v2/products", sort_by="name", sort_direction="desc")
    ]
    assert down == sorted(names, reverse=True)

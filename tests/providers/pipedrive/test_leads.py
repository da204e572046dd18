"""Lead tools (v1) against the Pipedrive sandbox: each one's effect on the CRM, and its main error."""

from __future__ import annotations

import pytest

from ..harness import Account
from ._crm import MISSING_UUID, crm_get, crm_post, crm_status, error_of, first

pytestmark = pytest.mark.anyio


async def test_lead_create_with_value_and_currency(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    data = await pipedrive.ok(
        "pipedrive_lead_create",
        {"title": "Inbound: pricing page", "value": 5000, "currency": "EUR", "person": person["name"]},
    )
    lead = await crm_get(pipedrive, f"/api/v1/leads/{data['id']}")
    assert lead["value"] == {"amount": 5000, "currency": "EUR"}
    assert (lead["title"], lead["person_id"]) == ("Inbound: pricing page", person["id"])
    assert data["value"] == {"amount": 5000, "currency": "EUR"}


async def test_lead_create_value_object_or_default_currency(pipedrive: Account) -> None:
    org = await first(pipedrive, "/api/v2/organizations")
    as_object = await pipedrive.ok(
        "pipedrive_lead_create",
        {"title": "A", "organization": org["id"], "value": {"amount": 1200.0, "currency": "gbp"}},
    )
    plain = await pipedrive.ok(
        "pipedrive_lead_create", {"title": "B", "organization": org["name"], "value": "300"}
    )
    assert (await crm_get(pipedrive, f"/api/v1/leads/{as_object['id']}"))["value"] == {
        "amount": 1200,
        "currency": "GBP",
    }
    lead = await crm_get(pipedrive, f"/api/v1/leads/{plain['id']}")
    assert lead["value"] == {"amount": 300, "currency": "USD"} and lead["organization_id"] == org["id"]


async def test_lead_create_needs_a_person_or_organization(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_lead_create", {"title": "Orphan", "value": 10}))
    assert (error["code"], error["field"]) == ("invalid_input", "person")


async def test_lead_get_returns_the_lead(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v1/leads")
    data = await pipedrive.ok("pipedrive_lead_get", {"id": seeded["id"]})
    assert (data["id"], data["title"]) == (seeded["id"], seeded["title"])


async def test_lead_get_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_lead_get", {"id": MISSING_UUID}))
    assert error["code"] == "not_found" and MISSING_UUID in error["message"]


async def test_leads_list_pages_through_seeded_leads(pipedrive: Account) -> None:
    expected = [lead["id"] for lead in await crm_get(pipedrive, "/api/v1/leads")]
    page1 = await pipedrive.ok("pipedrive_leads_list", {"limit": 3})
    page2 = await pipedrive.ok("pipedrive_leads_list", {"limit": 3, "cursor": page1["next_cursor"]})
    assert [lead["id"] for lead in page1["results"] + page2["results"]] == expected[:6]
    assert page1["next_cursor"] == "3"


async def test_leads_list_ambiguous_person_lists_candidates(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    twin = await crm_post(pipedrive, "/api/v2/persons", {"name": person["name"]})
    error = error_of(await pipedrive.call("pipedrive_leads_list", {"person": person["name"].upper()}))
    assert (error["code"], error["field"]) == ("ambiguous_reference", "person")
    assert sorted(c["id"] for c in error["candidates"]) == sorted([person["id"], twin["id"]])
    assert all(person["name"] in c["label"] for c in error["candidates"])


async def test_lead_update_changes_the_lead(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v1/leads")
    await pipedrive.ok(
        "pipedrive_lead_update",
        {"id": seeded["id"], "title": "Qualified lead", "value": 9000, "currency": "EUR",
         "expected_close_date": "2027-02-01"},
    )  # fmt: skip
    lead = await crm_get(pipedrive, f"/api/v1/leads/{seeded['id']}")
    assert (lead["title"], lead["value"], lead["expected_close_date"]) == (
        "Qualified lead",
        {"amount": 9000, "currency": "EUR"},
        "2027-02-01",
    )


async def test_lead_update_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_lead_update", {"id": MISSING_UUID, "title": "X"}))
    assert error["code"] == "not_found"


async def test_lead_delete_removes_the_lead(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v1/leads")
    assert await pipedrive.ok("pipedrive_lead_delete", {"id": seeded["id"]}) == {
        "id": seeded["id"],
        "deleted": True,
    }
    assert await crm_status(pipedrive, f"/api/v1/leads/{seeded['id']}") == 404


async def test_lead_delete_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_lead_delete", {"id": MISSING_UUID}))
    assert error["code"] == "not_found"

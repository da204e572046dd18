"""Pipedrive's own field names are aliases: what a read returns can be sent back (issue 9, item 13)."""

from __future__ import annotations

import pytest

from ..harness import Account
from ._crm import crm_get, error_of, first, stage_named

pytestmark = pytest.mark.anyio


async def test_a_deal_read_can_be_echoed_into_an_update(pipedrive: Account) -> None:
    """Everything the read returned goes back: the API's names, and what only Pipedrive sets (dropped)."""
    seeded = await first(pipedrive, "/api/v2/deals", status="open")
    read = await pipedrive.ok("pipedrive_deal_get", {"deal_id": seeded["id"]})
    assert {"person_id", "org_id", "owner_id", "stage_id", "add_time", "creator_user_id"} <= set(read)
    stage = await stage_named(pipedrive, "Proposal Made")
    await pipedrive.ok("pipedrive_deal_update", {**read, "title": "Echoed back", "stage_id": stage["id"]})
    stored = await crm_get(pipedrive, f"/api/v2/deals/{seeded['id']}")
    assert (stored["title"], stored["stage_id"]) == ("Echoed back", stage["id"])
    assert (stored["person_id"], stored["org_id"], stored["owner_id"]) == (
        seeded["person_id"], seeded["org_id"], seeded["owner_id"],
    )  # fmt: skip


async def test_deal_create_takes_the_api_names_of_its_references(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    stage = await stage_named(pipedrive, "Proposal Made")
    me = await crm_get(pipedrive, "/api/v1/users/me")
    data = await pipedrive.ok(
        "pipedrive_deal_create",
        {"title": "By API names", "person_id": person["id"], "org_id": person["org_id"], "user_id": me["id"],
         "pipeline_id": stage["pipeline_id"], "stage_id": stage["id"]},
    )  # fmt: skip
    stored = await crm_get(pipedrive, f"/api/v2/deals/{data['id']}")
    assert (stored["person_id"], stored["org_id"], stored["owner_id"], stored["stage_id"]) == (
        person["id"], person["org_id"], me["id"], stage["id"],
    )  # fmt: skip


async def test_person_create_takes_emails_and_phones_as_the_api_spells_them(pipedrive: Account) -> None:
    org = await first(pipedrive, "/api/v2/organizations")
    data = await pipedrive.ok(
        "pipedrive_person_create",
        {"name": "Grace Hopper", "org_id": org["id"],
         "emails": [{"value": "grace@navy.example", "primary": False, "label": "work"},
                    {"value": "grace@home.example", "primary": True, "label": "home"}],
         "phones": [{"value": "+1 555 0100", "label": "mobile"}]},
    )  # fmt: skip
    stored = await crm_get(pipedrive, f"/api/v2/persons/{data['id']}")
    assert stored["org_id"] == org["id"]
    assert [(e["value"], e["primary"], e["label"]) for e in stored["emails"]] == [
        ("grace@navy.example", False, "work"),
        ("grace@home.example", True, "home"),
    ]
    assert [(p["value"], p["primary"], p["label"]) for p in stored["phones"]] == [
        ("+1 555 0100", True, "mobile")
    ]


async def test_a_person_read_can_be_echoed_into_an_update(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/persons")
    read = await pipedrive.ok("pipedrive_person_get", {"person_id": seeded["id"]})
    echoed = {k: v for k, v in read.items() if k not in ("id", "first_name", "last_name")}  # not in the tool
    await pipedrive.ok("pipedrive_person_update", {"person_id": read["id"], **echoed, "name": "Renamed"})
    stored = await crm_get(pipedrive, f"/api/v2/persons/{seeded['id']}")
    assert (stored["name"], stored["emails"], stored["org_id"]) == (
        "Renamed",
        seeded["emails"],
        seeded["org_id"],
    )


async def test_notes_activities_and_leads_take_the_api_names(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    note = await pipedrive.ok("pipedrive_note_create", {"content": "Echo", "person_id": person["id"]})
    assert (await crm_get(pipedrive, f"/api/v1/notes/{note['id']}"))["person_id"] == person["id"]
    activity = await pipedrive.ok(
        "pipedrive_activity_create",
        {"subject": "Call back", "person_id": person["id"], "org_id": person["org_id"]},
    )
    stored = await crm_get(pipedrive, f"/api/v2/activities/{activity['id']}")
    assert (stored["person_id"], stored["org_id"]) == (person["id"], person["org_id"])
    lead = await pipedrive.ok(
        "pipedrive_lead_create", {"title": "Echo lead", "organization_id": person["org_id"]}
    )
    assert (await pipedrive.ok("pipedrive_lead_get", {"lead_id": lead["id"]}))["organization_id"] == person[
        "org_id"
    ]
    org = await pipedrive.ok("pipedrive_organization_get", {"org_id": person["org_id"]})
    assert org["id"] == person["org_id"]


async def test_every_unknown_field_is_named_with_its_closest_field(pipedrive: Account) -> None:
    error = error_of(
        await pipedrive.call(
            "pipedrive_deal_create", {"titel": "Typo", "valeu": 5, "stage_name": "Won", "x": 1}
        )
    )
    assert error["code"] == "invalid_input"
    assert error["unknown"] == [
        {"field": "titel", "closest": "title"},
        {"field": "valeu", "closest": "value"},
        {"field": "stage_name", "closest": "stage"},
        {"field": "x"},
    ]
    assert "'titel' (did you mean 'title'?)" in error["message"] and "'x'" in error["message"]


async def test_an_alias_contradicting_its_field_is_refused(pipedrive: Account) -> None:
    orgs = await crm_get(pipedrive, "/api/v2/organizations", limit=2)
    error = error_of(
        await pipedrive.call(
            "pipedrive_deal_create",
            {"title": "Two orgs", "organization": orgs[0]["id"], "org_id": orgs[1]["id"]},
        )
    )
    assert (error["code"], error["field"]) == ("invalid_input", "organization")


async def test_an_email_object_without_its_value_names_the_item(pipedrive: Account) -> None:
    error = error_of(
        await pipedrive.call(
            "pipedrive_person_create", {"name": "No Value", "emails": ["a@b.example", {"label": "x"}]}
        )
    )
    assert (error["code"], error["field"]) == ("invalid_input", "email[1].value")

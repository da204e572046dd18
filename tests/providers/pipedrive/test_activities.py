"""Activity tools against the Pipedrive sandbox: each one's effect on the CRM, and its main error."""

from __future__ import annotations

import pytest

from ..harness import Account
from ._crm import crm_get, error_of, first

pytestmark = pytest.mark.anyio


async def test_activity_create_links_person_by_name_and_deal(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    deal = await first(pipedrive, "/api/v2/deals")
    data = await pipedrive.ok(
        "pipedrive_activity_create",
        {"subject": "Follow-up call", "type": "call", "due_date": "2027-01-15", "due_time": "10:30",
         "person": person["name"], "deal_id": deal["id"], "owner": "me"},
    )  # fmt: skip
    activity = await crm_get(pipedrive, f"/api/v2/activities/{data['id']}")
    assert (activity["subject"], activity["type"], activity["due_date"], activity["due_time"]) == (
        "Follow-up call",
        "call",
        "2027-01-15",
        "10:30",
    )
    assert activity["person_id"] == person["id"] and activity["deal_id"] == deal["id"]
    assert activity["participants"] == [{"person_id": person["id"], "primary": True}]


async def test_activity_create_without_subject_takes_the_type_name(pipedrive: Account) -> None:
    """Pipedrive requires no subject (it names the activity after its type), so neither does the tool."""
    data = await pipedrive.ok("pipedrive_activity_create", {"type": "call"})
    assert data["subject"] == "Call"


async def test_activity_create_with_a_blank_subject_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_activity_create", {"type": "call", "subject": " "}))
    assert (error["code"], error["field"]) == ("invalid_input", "subject")


async def test_activity_get_returns_the_activity(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/activities")
    data = await pipedrive.ok("pipedrive_activity_get", {"id": seeded["id"]})
    assert (data["id"], data["subject"]) == (seeded["id"], seeded["subject"])


async def test_activity_get_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_activity_get", {"id": 999999}))
    assert error["code"] == "not_found"


async def test_activities_list_filters_by_person_and_done(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/activities", done="false")
    person = await crm_get(pipedrive, f"/api/v2/persons/{seeded['person_id']}")
    expected = await crm_get(pipedrive, "/api/v2/activities", person_id=person["id"], done="false")
    data = await pipedrive.ok("pipedrive_activities_list", {"person": person["name"], "done": False})
    assert [a["id"] for a in data["results"]] == [a["id"] for a in expected]
    assert seeded["id"] in [a["id"] for a in data["results"]]
    assert all(not a.get("done") for a in data["results"])


async def test_activities_list_unknown_person_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_activities_list", {"person": "Nobody Zzyzx"}))
    assert (error["code"], error["field"]) == ("invalid_input", "person")


async def test_activity_update_marks_it_done(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/activities", done="false")
    await pipedrive.ok(
        "pipedrive_activity_update", {"id": seeded["id"], "done": True, "due_date": "2027-03-03"}
    )
    activity = await crm_get(pipedrive, f"/api/v2/activities/{seeded['id']}")
    assert activity["done"] is True and activity["due_date"] == "2027-03-03"


async def test_activity_update_bad_date_names_the_field(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/activities")
    error = error_of(
        await pipedrive.call("pipedrive_activity_update", {"id": seeded["id"], "due_date": "tomorrow"})
    )
    assert (error["code"], error["field"]) == ("invalid_input", "due_date")


async def test_activity_delete_soft_deletes(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/activities")
    await pipedrive.ok("pipedrive_activity_delete", {"id": seeded["id"]})
    assert (await crm_get(pipedrive, f"/api/v2/activities/{seeded['id']}"))["is_deleted"] is True


async def test_activity_delete_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_activity_delete", {"id": 999999}))
    assert error["code"] == "not_found"

"""Note tools (v1) against the Pipedrive sandbox: each one's effect on the CRM, and its main error."""

from __future__ import annotations

import pytest

from ..harness import Account
from ._crm import crm_get, crm_status, error_of, first

pytestmark = pytest.mark.anyio


async def test_note_create_attaches_to_deal_and_person(pipedrive: Account) -> None:
    deal = await first(pipedrive, "/api/v2/deals")
    person = await first(pipedrive, "/api/v2/persons")
    data = await pipedrive.ok(
        "pipedrive_note_create",
        {"content": "<p>Wants a demo next week.</p>", "deal_id": deal["id"], "person": person["name"]},
    )
    note = await crm_get(pipedrive, f"/api/v1/notes/{data['id']}")
    assert (note["content"], note["deal_id"], note["person_id"]) == (
        "<p>Wants a demo next week.</p>",
        deal["id"],
        person["id"],
    )


async def test_note_create_needs_a_target(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_note_create", {"content": "Floating thought"}))
    assert error["code"] == "invalid_input" and error["field"] == "deal_id"


async def test_note_get_returns_the_note(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v1/notes")
    data = await pipedrive.ok("pipedrive_note_get", {"id": seeded["id"]})
    assert (data["content"], data["deal_id"]) == (seeded["content"], seeded["deal_id"])


async def test_note_get_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_note_get", {"id": 999999}))
    assert error["code"] == "not_found"


async def test_notes_list_filters_by_deal(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v1/notes")
    expected = [n["id"] for n in await crm_get(pipedrive, "/api/v1/notes", deal_id=seeded["deal_id"])]
    data = await pipedrive.ok("pipedrive_notes_list", {"deal_id": seeded["deal_id"]})
    assert [n["id"] for n in data["results"]] == expected and seeded["id"] in expected


async def test_notes_list_unknown_organization_names_the_field(pipedrive: Account) -> None:
    error = error_of(
        await pipedrive.call("pipedrive_notes_list", {"organization": "Nonexistent Holdings Zz"})
    )
    assert (error["code"], error["field"]) == ("invalid_input", "organization")


async def test_note_update_replaces_the_content(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v1/notes")
    await pipedrive.ok("pipedrive_note_update", {"id": seeded["id"], "content": "Rewritten"})
    assert (await crm_get(pipedrive, f"/api/v1/notes/{seeded['id']}"))["content"] == "Rewritten"


async def test_note_update_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_note_update", {"id": 999999, "content": "X"}))
    assert error["code"] == "not_found"


async def test_note_delete_removes_the_note(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v1/notes")
    assert await pipedrive.ok("pipedrive_note_delete", {"id": seeded["id"]}) == {
        "id": seeded["id"],
        "deleted": True,
    }
    assert await crm_status(pipedrive, f"/api/v1/notes/{seeded['id']}") == 404


async def test_note_delete_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_note_delete", {"id": 999999}))
    assert error["code"] == "not_found"

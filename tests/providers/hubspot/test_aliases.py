"""HubSpot's own property and field names are aliases: what a read returns, and the API's own inline
associations, can be sent back (issue 9, item 13)."""

from __future__ import annotations

from typing import Any

import pytest

from ..harness import Account
from .helpers import create, first_owner, get, john_smith, linked

pytestmark = pytest.mark.anyio


def inline(record_id: str, type_id: int) -> dict[str, Any]:
    return {
        "to": {"id": record_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


async def test_task_create_takes_hubspot_property_names(hubspot: Account) -> None:
    owner = await first_owner(hubspot)
    data = await hubspot.ok(
        "hubspot_task_create",
        {"hs_task_subject": "Send the quote", "hs_task_body": "By Friday", "hs_task_priority": "HIGH",
         "hs_timestamp": "2026-07-01T09:00:00Z", "hubspot_owner_id": owner["id"]},
    )  # fmt: skip
    stored = await get(
        hubspot,
        "tasks",
        data["id"],
        "hs_task_subject",
        "hs_task_body",
        "hs_task_priority",
        "hubspot_owner_id",
    )
    assert stored["properties"] == {
        "hs_task_subject": "Send the quote", "hs_task_body": "By Friday", "hs_task_priority": "HIGH",
        "hubspot_owner_id": owner["id"],
    }  # fmt: skip


async def test_note_create_takes_hubspot_names_and_inline_associations(hubspot: Account) -> None:
    john = await john_smith(hubspot)
    data = await hubspot.ok(
        "hubspot_note_create", {"hs_note_body": "Called back.", "associations": [inline(john, 202)]}
    )
    assert data["associations"] == {"contacts": [john]}
    assert (await get(hubspot, "notes", data["id"], "hs_note_body"))["properties"][
        "hs_note_body"
    ] == "Called back."
    assert await linked(hubspot, "notes", data["id"], "contacts") == {john: {202}}


async def test_deal_create_takes_hubspots_inline_associations(hubspot: Account) -> None:
    john = await john_smith(hubspot)
    data = await hubspot.ok(
        "hubspot_deal_create",
        {"dealname": "Inline links", "dealstage": "appointmentscheduled", "associations": [inline(john, 3)]},
    )
    assert data["associations"] == {"contacts": [john]}
    assert await linked(hubspot, "deals", data["id"], "contacts") == {john: {3}}


async def test_a_malformed_inline_association_names_the_field(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_company_create", {"name": "Bad link", "associations": [{"to": {"id": "1"}, "types": []}]}
    )
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "associations[0].types"


async def test_a_contact_read_can_be_echoed_into_an_update(hubspot: Account) -> None:
    contact = await create(hubspot, "contacts", email="echo@acme.example", firstname="Echo", lastname="Back")
    read = await hubspot.ok("hubspot_contact_get", {"id": contact})  # createdate and all
    await hubspot.ok(
        "hubspot_contact_update", {"id": read["id"], "properties": {**read["properties"], "jobtitle": "CFO"}}
    )
    stored = await get(hubspot, "contacts", contact, "email", "firstname", "jobtitle")
    assert stored["properties"] == {"email": "echo@acme.example", "firstname": "Echo", "jobtitle": "CFO"}
    by_email = await hubspot.ok("hubspot_contact_get", {"email": "echo@acme.example"})
    assert by_email["id"] == contact


async def test_ticket_create_takes_hubspot_names(hubspot: Account) -> None:
    john = await john_smith(hubspot)
    owner = await first_owner(hubspot)
    data = await hubspot.ok(
        "hubspot_ticket_create",
        {"subject": "Printer", "hs_pipeline_stage": "1", "hubspot_owner_id": owner["id"], "contactId": john},
    )
    assert data["associations"] == {"contacts": [john]}
    stored = await get(hubspot, "tickets", data["id"], "hs_pipeline_stage", "hubspot_owner_id")
    assert stored["properties"] == {"hs_pipeline_stage": "1", "hubspot_owner_id": owner["id"]}


async def test_generic_record_tools_take_hubspots_object_names(hubspot: Account) -> None:
    contact = await create(hubspot, "contacts", email="generic@acme.example")
    data = await hubspot.ok("hubspot_record_get", {"objectType": "contacts", "objectId": contact})
    assert data["id"] == contact


async def test_every_unknown_task_field_is_named_with_its_closest_field(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_task_create", {"subjet": "Typo", "due": "2026-07-01", "ownr": "me"})
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["unknown"] == [
        {"field": "subjet", "closest": "subject"},
        {"field": "due", "closest": "due_date"},
        {"field": "ownr", "closest": "owner"},
    ]

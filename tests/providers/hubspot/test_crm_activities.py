"""Task and note creates against the sandbox, linked to records named in plain language."""

from __future__ import annotations

import time

import pytest

from crmbridge_sandbox import Sandbox

from ..harness import Account
from .helpers import create, engine_losing, first_owner, get, john_smith, linked, search

pytestmark = pytest.mark.anyio


async def test_note_on_the_contact_john_smith(hubspot: Account) -> None:
    data = await hubspot.ok(
        "hubspot_note_create",
        {"body": "Spoke with John about the renewal.", "associations": {"contacts": ["John Smith"]}},
    )
    john = await john_smith(hubspot)
    assert data["associations"] == {"contacts": [john]}
    assert await linked(hubspot, "notes", data["id"], "contacts") == {john: {202}}
    assert data["id"] in await linked(hubspot, "contacts", john, "notes")
    stored = await get(hubspot, "notes", data["id"], "hs_note_body", "hs_timestamp")
    assert stored["properties"]["hs_note_body"] == "Spoke with John about the renewal."
    assert stored["properties"]["hs_timestamp"]  # defaulted to now


async def test_note_links_companies_and_deals_with_a_given_timestamp(hubspot: Account) -> None:
    company = await create(hubspot, "companies", name="Noted Co", domain="noted.co")
    deal = await create(hubspot, "deals", dealname="Noted deal", dealstage="closedwon")
    data = await hubspot.ok(
        "hubspot_note_create",
        {
            "body": "x",
            "timestamp": "2026-05-01T10:00:00Z",
            "associations": {"companies": ["noted.co"], "deals": [deal]},
        },
    )
    assert await linked(hubspot, "notes", data["id"], "companies") == {company: {190}}
    assert await linked(hubspot, "notes", data["id"], "deals") == {deal: {214}}
    stored = await get(hubspot, "notes", data["id"], "hs_timestamp")
    assert stored["properties"]["hs_timestamp"] == "2026-05-01T10:00:00.000Z"


async def test_note_on_an_unknown_contact_names_the_reference(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_note_create", {"body": "x", "associations": {"contacts": ["Zebulon Quark"]}}
    )
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "associations.contacts[0]"
    assert await search(hubspot, "notes", ("hs_note_body", "EQ", "x")) == []


async def test_note_create_after_lost_answer_makes_no_duplicate(hubspot: Account, sandbox: Sandbox) -> None:
    engine, lossy = engine_losing(
        sandbox, lambda r: r.method == "POST" and r.url.path.endswith("/objects/notes")
    )
    result = await engine.execute_named("hubspot_note_create", {"body": "Exactly once"}, hubspot.target)
    await engine.aclose()
    assert result.ok, result.error
    assert lossy.lost == 1
    assert [r["id"] for r in await search(hubspot, "notes", ("hs_note_body", "EQ", "Exactly once"))] == [
        result.data["id"]
    ]


async def test_task_create_with_plain_language_values(hubspot: Account) -> None:
    owner = await first_owner(hubspot)
    deal = await create(hubspot, "deals", dealname="Task deal", dealstage="closedwon")
    data = await hubspot.ok(
        "hubspot_task_create",
        {"subject": "Send proposal", "body": "Pricing v2", "status": "in progress", "priority": "high",
         "type": "call", "due_date": "2026-07-01", "owner": f"{owner['firstName']} {owner['lastName']}",
         "associations": {"deals": ["task deal"], "contacts": ["John Smith"]}},
    )  # fmt: skip
    stored = await get(
        hubspot, "tasks", data["id"], "hs_task_subject", "hs_task_body", "hs_task_status", "hs_task_priority",
        "hs_task_type", "hs_timestamp", "hubspot_owner_id",
    )  # fmt: skip
    assert stored["properties"] == {
        "hs_task_subject": "Send proposal", "hs_task_body": "Pricing v2", "hs_task_status": "IN_PROGRESS",
        "hs_task_priority": "HIGH", "hs_task_type": "CALL", "hs_timestamp": "2026-07-01T00:00:00.000Z",
        "hubspot_owner_id": owner["id"],
    }  # fmt: skip
    assert await linked(hubspot, "tasks", data["id"], "deals") == {deal: {216}}
    assert await linked(hubspot, "tasks", data["id"], "contacts") == {await john_smith(hubspot): {204}}


async def test_task_due_date_defaults_to_now(hubspot: Account) -> None:
    before = time.time()
    data = await hubspot.ok("hubspot_task_create", {"subject": "Call back", "due_date": None})
    stored = await get(hubspot, "tasks", data["id"], "hs_timestamp")
    r = await hubspot.crm.post(
        "/crm/v3/objects/tasks/search",
        json={"filterGroups": [{"filters": [{"propertyName": "hs_timestamp", "operator": "GTE",
                                             "value": str(int(before * 1000) - 1)}]}]},
    )  # fmt: skip
    assert stored["properties"]["hs_timestamp"] and data["id"] in [x["id"] for x in r.json()["results"]]


async def test_task_create_needs_no_subject_but_refuses_a_blank_one(hubspot: Account) -> None:
    """HubSpot requires only hs_timestamp (defaulted to now) of a task; a subject given must say something."""
    data = await hubspot.ok("hubspot_task_create", {"body": "no subject"})
    assert data["properties"]["hs_task_body"] == "no subject"
    result = await hubspot.call("hubspot_task_create", {"subject": "  ", "body": "blank subject"})
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "subject"


async def test_task_create_with_an_unknown_owner_lists_the_users(hubspot: Account) -> None:
    owner = await first_owner(hubspot)
    result = await hubspot.call("hubspot_task_create", {"subject": "Orphan", "owner": "nobody@nowhere.test"})
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "owner" and owner["id"] in result.error.details["allowed"]
    assert owner["email"] in result.error.message
    assert await search(hubspot, "tasks", ("hs_task_subject", "EQ", "Orphan")) == []

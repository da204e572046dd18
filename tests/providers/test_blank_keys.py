"""Empty or blank values of what identifies a record are refused before anything is sent (issue 9, item 14):
an upsert by an empty e-mail overwrote another contact, and a blank title or id names nothing."""

from __future__ import annotations

from typing import Any

import pytest

from .harness import Account
from .hubspot.helpers import get

pytestmark = pytest.mark.anyio

#: (tool, input, the field that is blank): creates and updates of both CRMs, and ids that go in a path.
HUBSPOT: list[tuple[str, dict[str, Any], str]] = [
    ("hubspot_contact_create", {"email": "", "firstname": "Blank"}, "email"),
    ("hubspot_contact_create", {"email": " \t", "firstname": "Blank"}, "email"),
    ("hubspot_contact_create", {"email": "a@b.example", "properties": {"email": " "}}, "properties.email"),
    ("hubspot_contact_update", {"contact_id": "1", "email": ""}, "email"),
    ("hubspot_contact_update", {"contact_id": " ", "firstname": "X"}, "contact_id"),
    ("hubspot_contact_get", {"contact_id": ""}, "contact_id"),
    ("hubspot_company_create", {"name": "  ", "domain": "blank.example"}, "name"),
    ("hubspot_company_get", {"company_id": " "}, "company_id"),
    ("hubspot_deal_create", {"dealname": "", "dealstage": "closedwon"}, "dealname"),
    ("hubspot_deal_update", {"deal_id": "1", "dealname": "   "}, "dealname"),
    ("hubspot_deal_update", {"deal_id": "1", "properties": {"dealname": ""}}, "properties.dealname"),
    ("hubspot_deal_get", {"deal_id": ""}, "deal_id"),
    ("hubspot_task_create", {"subject": " "}, "subject"),
    ("hubspot_note_create", {"body": ""}, "body"),
    ("hubspot_ticket_create", {"subject": "\n"}, "subject"),
    ("hubspot_record_get", {"entity": "contacts", "entityId": ""}, "entityId"),
    ("hubspot_record_update", {"entity": "contacts", "entityId": " ", "properties": {"a": "b"}}, "entityId"),
    ("hubspot_record_archive", {"entity": "contacts", "entityId": ""}, "entityId"),
]
PIPEDRIVE: list[tuple[str, dict[str, Any], str]] = [
    ("pipedrive_person_create", {"name": ""}, "name"),
    ("pipedrive_person_update", {"id": 1, "name": "  "}, "name"),
    ("pipedrive_organization_create", {"name": " "}, "name"),
    ("pipedrive_organization_update", {"id": 1, "name": ""}, "name"),
    ("pipedrive_deal_create", {"title": ""}, "title"),
    ("pipedrive_deal_update", {"id": 1, "title": "\t"}, "title"),
    ("pipedrive_lead_create", {"title": " ", "organization": 1}, "title"),
    ("pipedrive_lead_update", {"id": "x", "title": ""}, "title"),
    ("pipedrive_lead_get", {"id": "  "}, "id"),
    ("pipedrive_activity_create", {"subject": " "}, "subject"),
    ("pipedrive_note_create", {"content": "", "deal_id": 1}, "content"),
    ("pipedrive_note_update", {"id": 1, "content": "  "}, "content"),
]


def _refused(result: Any, field: str) -> None:
    assert result.error is not None, result.data
    assert (result.error.code, result.error.details.get("field")) == ("invalid_input", field), result.error
    assert "must not be empty or blank" in result.error.message


@pytest.mark.parametrize(("tool", "tool_input", "field"), HUBSPOT, ids=[f"{t}:{f}" for t, _, f in HUBSPOT])
async def test_hubspot_refuses_blank_identifying_values(
    hubspot: Account, tool: str, tool_input: dict[str, Any], field: str
) -> None:
    _refused(await hubspot.call(tool, tool_input), field)


@pytest.mark.parametrize(
    ("tool", "tool_input", "field"), PIPEDRIVE, ids=[f"{t}:{f}" for t, _, f in PIPEDRIVE]
)
async def test_pipedrive_refuses_blank_identifying_values(
    pipedrive: Account, tool: str, tool_input: dict[str, Any], field: str
) -> None:
    _refused(await pipedrive.call(tool, tool_input), field)


async def test_a_contact_upsert_by_a_blank_email_overwrites_nothing(hubspot: Account) -> None:
    """The reported case: two upserts by an empty e-mail, the second overwriting the first's contact."""
    kept = await hubspot.ok("hubspot_contact_create", {"email": "kept@acme.example", "firstname": "Kept"})
    for email in ("", "   "):
        result = await hubspot.call("hubspot_contact_create", {"email": email, "firstname": "Overwritten"})
        assert result.error is not None and result.error.code == "invalid_input"
    stored = await get(hubspot, "contacts", kept["id"], "email", "firstname")
    assert stored["properties"] == {"email": "kept@acme.example", "firstname": "Kept"}
    r = await hubspot.crm.post(
        "/crm/v3/objects/contacts/search",
        json={
            "filterGroups": [
                {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "Overwritten"}]}
            ]
        },
    )
    assert r.json()["total"] == 0

"""A create requires what the CRM requires and nothing more (issue 9, item 15).

The audit, against the references and the sandbox's validation:

- HubSpot deal: a name and a stage (its deals guide; the sandbox refuses a deal without a stage), not the
  amount; company: a name or a domain (its companies guide), checked by the preparer; task: only
  ``hs_timestamp``, which defaults to now; note: its body (the tool's purpose; HubSpot itself needs only
  ``hs_timestamp``); ticket: a subject (its name; the status defaults to the pipeline's first); contact:
  the e-mail, which is the key of the upsert; generic record: the object type and its properties.
- Pipedrive deal and lead: a title (a lead also a person or an organization, checked by the preparer);
  person and organization: a name; note: its content (and something to attach it to, checked by the
  preparer); activity: nothing (Pipedrive names it after its type).
"""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge.providers import default_catalog

from .harness import Account
from .pipedrive._crm import first

pytestmark = pytest.mark.anyio

REQUIRED: dict[str, list[str]] = {
    "hubspot_contact_create": ["email"],
    "hubspot_company_create": [],
    "hubspot_deal_create": ["dealname", "dealstage"],
    "hubspot_task_create": [],
    "hubspot_note_create": ["body"],
    "hubspot_ticket_create": ["subject"],
    "hubspot_record_create": ["entity", "properties"],
    "hubspot_association_create": ["fromObjectType", "fromObjectId", "toObjectType", "toObjectId"],
    "pipedrive_deal_create": ["title"],
    "pipedrive_person_create": ["name"],
    "pipedrive_organization_create": ["name"],
    "pipedrive_lead_create": ["title"],
    "pipedrive_activity_create": [],
    "pipedrive_note_create": ["content"],
}


def test_every_create_tool_requires_what_its_crm_requires() -> None:
    creates = {t.name: sorted(t.input_schema.get("required", ())) for t in default_catalog().tools()
               if t.name.endswith("_create")}  # fmt: skip
    assert creates == {name: sorted(fields) for name, fields in REQUIRED.items()}


HUBSPOT_MINIMAL: dict[str, dict[str, Any]] = {
    "hubspot_deal_create": {"dealname": "No amount", "dealstage": "appointmentscheduled"},
    "hubspot_company_create": {"domain": "domain-only.example"},
    "hubspot_task_create": {},
    "hubspot_note_create": {"body": "Just a note."},
    "hubspot_ticket_create": {"subject": "Just a subject"},
    "hubspot_contact_create": {"email": "only-email@acme.example"},
}


@pytest.mark.parametrize(("tool", "tool_input"), HUBSPOT_MINIMAL.items(), ids=list(HUBSPOT_MINIMAL))
async def test_hubspot_creates_with_only_the_required_fields(
    hubspot: Account, tool: str, tool_input: dict[str, Any]
) -> None:
    data = await hubspot.ok(tool, tool_input)
    assert data["id"]


async def test_pipedrive_creates_with_only_the_required_fields(pipedrive: Account) -> None:
    org = await first(pipedrive, "/api/v2/organizations")
    deal = await first(pipedrive, "/api/v2/deals")
    minimal: dict[str, dict[str, Any]] = {
        "pipedrive_deal_create": {"title": "Only a title"},
        "pipedrive_person_create": {"name": "Only A. Name"},
        "pipedrive_organization_create": {"name": "Only Name Ltd"},
        "pipedrive_lead_create": {"title": "Only a title", "organization": org["id"]},
        "pipedrive_activity_create": {},
        "pipedrive_note_create": {"content": "Only content", "deal_id": deal["id"]},
    }
    for tool, tool_input in minimal.items():
        result = await pipedrive.call(tool, tool_input)
        assert result.ok, (tool, result.error)
    assert set(minimal) == {name for name in REQUIRED if name.startswith("pipedrive_")}

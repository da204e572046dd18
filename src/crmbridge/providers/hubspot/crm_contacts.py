"""Contact tools of seed 003: create (or update by e-mail), get, update, list, search."""

from __future__ import annotations

from typing import Any

from ...spec import Output, Tool
from .crm_schema import (
    ANY_PROPERTY,
    NAME,
    OWNER,
    OWNER_REF,
    READ,
    UPDATE,
    get_tool,
    obj,
    record_schema,
    search_tool,
    update_tool,
)

_READ_SCOPE = ("crm.objects.contacts.read",)
_WRITE_SCOPE = ("crm.objects.contacts.write",)
_FIELDS: dict[str, Any] = {
    "email": NAME,
    "firstname": {"type": "string"},
    "lastname": {"type": "string"},
    "phone": {"type": "string"},
    "jobtitle": {"type": "string"},
    "company": {"type": "string", "description": "Company name as text (does not link a company)."},
    "lifecyclestage": {"type": "string", "description": "e.g. lead, opportunity, customer."},
    "hs_lead_status": {"type": "string", "description": "e.g. NEW, OPEN, IN_PROGRESS."},
    "hubspot_owner_id": OWNER,
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_contact_create",
        description="Create a HubSpot contact, or update the one that already has this email (safe to retry)."
        + ANY_PROPERTY,
        input_schema=record_schema(_FIELDS, ("email",)),
        method="POST",
        path="/crm/v3/objects/contacts/batch/upsert",
        body="rest",
        scopes=_WRITE_SCOPE,
        annotations=UPDATE,
        resolve=OWNER_REF,
        prepare="crm_contact_upsert",
        output=Output("record", "results"),
        example={
            "email": "jane@acmecorp.com",
            "firstname": "Jane",
            "lastname": "Smith",
            "lifecyclestage": "lead",
        },
    ),
    get_tool(
        "contact",
        "contacts",
        {"contact_id": "123", "properties": ["email", "firstname", "lastname"]},
        by_email=True,
    ),
    update_tool(
        "contact",
        "contacts",
        "Change properties of a HubSpot contact by id (or email); send only what changes, "
        "'' clears a value." + ANY_PROPERTY,
        _FIELDS,
        {"contact_id": "123", "lifecyclestage": "customer"},
        by_email=True,
    ),
    Tool(
        name="hubspot_contacts_list",
        description="List HubSpot contacts page by page (oldest first); pass next_cursor as after.",
        input_schema=obj(
            {
                "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                "after": {"type": ["string", "integer"]},
                "properties": {"type": "array", "items": {"type": "string"}},
                "archived": {"type": "boolean", "description": "true lists deleted contacts instead."},
            }
        ),
        method="GET",
        path="/crm/v3/objects/contacts",
        query=("limit", "after", "properties", "archived"),
        scopes=_READ_SCOPE,
        annotations=READ,
        prepare="crm_contacts_list",
        output=Output("list", "results"),
        example={"limit": 20},
    ),
    search_tool(
        "contacts",
        "Search HubSpot contacts by free text and/or property filters.",
        "email",
        {"query": "acme corp", "properties": "firstname,lastname,email,jobtitle", "limit": 10},
    ),
)

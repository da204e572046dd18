"""Contact tools of seed 003: create (or update by e-mail), get, update, list, search."""

from __future__ import annotations

from typing import Any

from ..spec import Output, Tool
from .crm_schema import READ, UPDATE, obj, read_fields, record_schema, search_fields

_READ_SCOPE = ("crm.objects.contacts.read",)
_WRITE_SCOPE = ("crm.objects.contacts.write",)
_OWNER = {"type": ["string", "integer"], "description": "Owner id, e-mail or name."}
_FIELDS: dict[str, Any] = {
    "email": {"type": "string"},
    "firstname": {"type": "string"},
    "lastname": {"type": "string"},
    "phone": {"type": "string"},
    "jobtitle": {"type": "string"},
    "company": {"type": "string", "description": "Company name as text (does not link a company)."},
    "lifecyclestage": {"type": "string", "description": "e.g. lead, opportunity, customer."},
    "hs_lead_status": {"type": "string", "description": "e.g. NEW, OPEN, IN_PROGRESS."},
    "hubspot_owner_id": _OWNER,
}
_EXTRA = " Any other (custom) property by internal name."

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_contact_create",
        description="Create a HubSpot contact, or update the one that already has this email (safe to retry)."
        + _EXTRA,
        input_schema=record_schema(_FIELDS, ("email",)),
        method="POST",
        path="/crm/v3/objects/contacts/batch/upsert",
        body="rest",
        scopes=_WRITE_SCOPE,
        annotations=UPDATE,
        resolve={"hubspot_owner_id": "owner"},
        prepare="crm_contact_upsert",
        output=Output("record", "results"),
        example={
            "email": "jane@acmecorp.com",
            "firstname": "Jane",
            "lastname": "Smith",
            "lifecyclestage": "lead",
        },
    ),
    Tool(
        name="hubspot_contact_get",
        description="Get one HubSpot contact by id (or email).",
        input_schema=read_fields("contact_id", "Contact id, or the contact's email."),
        method="GET",
        path="/crm/v3/objects/contacts/{contact_id}",
        query=("properties", "associations", "idProperty"),
        scopes=_READ_SCOPE,
        annotations=READ,
        prepare="crm_contact_read",
        example={"contact_id": "123", "properties": ["email", "firstname", "lastname"]},
    ),
    Tool(
        name="hubspot_contact_update",
        description="Change properties of a HubSpot contact by id (or email); send only what changes, "
        "'' clears a value." + _EXTRA,
        input_schema=record_schema(_FIELDS, id_field="contact_id"),
        method="PATCH",
        path="/crm/v3/objects/contacts/{contact_id}",
        query=("idProperty",),
        body="rest",
        scopes=_WRITE_SCOPE,
        annotations=UPDATE,
        resolve={"hubspot_owner_id": "owner"},
        prepare="crm_contact_update",
        example={"contact_id": "123", "lifecyclestage": "customer"},
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
    Tool(
        name="hubspot_contacts_search",
        description="Search HubSpot contacts by free text and/or property filters.",
        input_schema=search_fields("email"),
        method="POST",
        path="/crm/v3/objects/contacts/search",
        body="rest",
        scopes=_READ_SCOPE,
        annotations=READ,
        prepare="crm_contacts_search",
        output=Output("list", "results"),
        example={"query": "acme corp", "properties": "firstname,lastname,email,jobtitle", "limit": 10},
    ),
)

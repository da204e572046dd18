"""Leads (API v1: v2 has no lead CRUD): create, get, list, update, delete.

A lead's id is a UUID string; its ``value`` is ``{amount, currency}``, which the ``lead`` preparer builds
from a plain number plus ``currency``.
"""

from __future__ import annotations

from typing import Any

from ..spec import Output, Recheck, Tool
from .common import (
    CREATE,
    DELETE,
    ORGANIZATION,
    OWNER,
    PERSON,
    READ,
    UPDATE,
    V1,
    date,
    obj,
    page,
    text,
)

_ID = text("Lead id (UUID).")
_REFS = {"person": "person", "organization": "organization", "owner": "owner"}
_VALUE: dict[str, Any] = {
    "anyOf": [
        {"type": "number"},
        {
            "type": "object",
            "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
            "required": ["amount"],
            "additionalProperties": False,
        },
    ],
    "description": "Amount, e.g. 5000, or {amount, currency}.",
}
_FIELDS = {
    "value": _VALUE,
    "currency": text("3-letter code for value; default: the company's currency."),
    "person": PERSON,
    "organization": ORGANIZATION,
    "owner": OWNER,
    "expected_close_date": date(),
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="pipedrive_lead_create",
        description="Create a Pipedrive lead linked to a person and/or organization (one is required; "
        "names accepted).",
        input_schema=obj({"title": text("Lead title."), **_FIELDS}, required=("title",)),
        method="POST",
        path=f"{V1}/leads",
        scopes=("leads:full",),
        annotations=CREATE,
        body="rest",
        resolve=_REFS,
        prepare="lead",
        recheck=Recheck(("title", "person_id", "organization_id")),
        example={"title": "Acme inbound", "organization": "Acme", "value": 5000, "currency": "EUR"},
    ),
    Tool(
        name="pipedrive_lead_get",
        description="Get one Pipedrive lead by id.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="GET",
        path=f"{V1}/leads/{{id}}",
        scopes=("leads:read",),
        annotations=READ,
    ),
    Tool(
        name="pipedrive_leads_list",
        description="List Pipedrive leads (not archived), oldest first, optionally by person, "
        "organization or owner.",
        input_schema=page(person=PERSON, organization=ORGANIZATION, owner=OWNER),
        method="GET",
        path=f"{V1}/leads",
        scopes=("leads:read",),
        annotations=READ,
        query=("person_id", "organization_id", "owner_id", "limit", "start"),
        resolve=_REFS,
        prepare="lead",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_lead_update",
        description="Update a Pipedrive lead: only the fields given change.",
        input_schema=obj({"id": _ID, "title": text(), **_FIELDS}, required=("id",)),
        method="PATCH",
        path=f"{V1}/leads/{{id}}",
        scopes=("leads:full",),
        annotations=UPDATE,
        body="rest",
        resolve=_REFS,
        prepare="lead",
    ),
    Tool(
        name="pipedrive_lead_delete",
        description="Delete a Pipedrive lead.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="DELETE",
        path=f"{V1}/leads/{{id}}",
        scopes=("leads:full",),
        annotations=DELETE,
        output=Output("deleted"),
    ),
)

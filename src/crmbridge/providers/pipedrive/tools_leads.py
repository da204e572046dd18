"""Leads (API v1: v2 has no lead CRUD): create, get, list, update, delete.

A lead's id is a UUID string; its ``value`` is ``{amount, currency}``, which the ``lead`` preparer builds
from a plain number plus ``currency``.
"""

from __future__ import annotations

from typing import Any

from ...spec import Tool
from .common import (
    ORGANIZATION,
    OWNER,
    PERSON,
    V1,
    create_tool,
    date,
    delete_tool,
    get_tool,
    list_tool,
    non_blank,
    obj,
    page,
    text,
    update_tool,
)

_PATH = f"{V1}/leads"
_ID = non_blank("Lead id (UUID).")
_REFS = {"person": "person", "organization": "organization", "owner": "owner"}
_VALUE: dict[str, Any] = {
    "anyOf": [
        {"type": "number"},
        {
            "type": "object",
            "properties": {
                "amount": {"type": "number"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            },
            "required": ["amount"],
            "additionalProperties": False,
        },
    ],
    "description": "Amount, e.g. 5000, or {amount, currency}.",
}
_FIELDS = {
    "value": _VALUE,
    "currency": text("3-letter code for value; default: the company's currency.", pattern="^[A-Z]{3}$"),
    "person": PERSON,
    "organization": ORGANIZATION,
    "owner": OWNER,
    "expected_close_date": date(),
}

TOOLS: tuple[Tool, ...] = (
    create_tool(
        "lead",
        _PATH,
        "leads",
        "Create a Pipedrive lead linked to a person and/or organization (one is required; names accepted).",
        obj({"title": non_blank("Lead title."), **_FIELDS}, required=("title",)),
        resolve=_REFS,
        recheck=("title", "person_id", "organization_id"),
        example={"title": "Acme inbound", "organization": "Acme", "value": 5000, "currency": "EUR"},
    ),
    get_tool("lead", _PATH, "leads", _ID),
    list_tool(
        "leads",
        _PATH,
        "leads",
        "List Pipedrive leads (not archived), oldest first, optionally by person, organization or owner.",
        page(person=PERSON, organization=ORGANIZATION, owner=OWNER),
        query=("person_id", "organization_id", "owner_id", "limit", "start"),
        resolve=_REFS,
        prepare="lead",
    ),
    update_tool(
        "lead",
        _PATH,
        "leads",
        "Update a Pipedrive lead: only the fields given change.",
        obj({"id": _ID, "title": non_blank(), **_FIELDS}, required=("id",)),
        resolve=_REFS,
    ),
    delete_tool("lead", _PATH, "leads", _ID),
)

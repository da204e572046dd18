"""Persons (API v2): create, get, list, update, delete, search."""

from __future__ import annotations

from ...spec import Tool
from .common import (
    CUSTOM_FIELDS,
    ORGANIZATION,
    OWNER,
    V2,
    create_tool,
    delete_tool,
    get_tool,
    integer,
    list_tool,
    non_blank,
    obj,
    page,
    search_input,
    search_tool,
    update_tool,
)

_PATH = f"{V2}/persons"
_ID = integer("Person id.")
_REFS = {"organization": "organization", "owner": "owner"}
#: An address or number, or the API's own ``{value, label, primary}`` (as reads return ``emails``).
_CONTACT = {"type": ["string", "object"]}
_LIST = {"type": "array", "items": _CONTACT}
_FIELDS = {
    "email": {**_LIST, "description": "Email address(es); the first is primary."},
    "phone": {**_LIST, "description": "Phone number(s); the first is primary."},
    "organization": ORGANIZATION,
    "owner": OWNER,
    "custom_fields": CUSTOM_FIELDS,
}

TOOLS: tuple[Tool, ...] = (
    create_tool(
        "person",
        _PATH,
        "contacts",
        "Create a Pipedrive person (contact). Organization and owner accept names.",
        obj({"name": non_blank("Full name."), **_FIELDS}, required=("name",)),
        resolve=_REFS,
        recheck=("name", "emails"),
        example={"name": "Jane Doe", "email": ["jane@acme.com"], "organization": "Acme"},
    ),
    get_tool("person", _PATH, "contacts", _ID),
    list_tool(
        "persons",
        _PATH,
        "contacts",
        "List Pipedrive persons, oldest first, optionally by organization or owner.",
        page(organization=ORGANIZATION, owner=OWNER),
        query=("org_id", "owner_id", "limit", "cursor"),
        resolve=_REFS,
        prepare="person",
    ),
    update_tool(
        "person",
        _PATH,
        "contacts",
        "Update a Pipedrive person: only the fields given change; email and phone replace "
        "the existing lists.",
        obj({"id": _ID, "name": non_blank(), **_FIELDS}, required=("id",)),
        resolve=_REFS,
    ),
    delete_tool("person", _PATH, "contacts", _ID, recoverable=True),
    search_tool(
        "persons",
        _PATH,
        "contacts",
        "Search Pipedrive persons by name, email, phone, notes or custom fields; best match first.",
        search_input(organization=ORGANIZATION),
        query=("term", "exact_match", "organization_id", "limit", "cursor"),
        resolve={"organization": "organization"},
    ),
)

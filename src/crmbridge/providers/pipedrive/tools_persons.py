"""Persons (API v2): create, get, list, update, delete, search."""

from __future__ import annotations

from ..spec import Output, Recheck, Tool
from .common import (
    CREATE,
    CUSTOM_FIELDS,
    DELETE,
    ORGANIZATION,
    OWNER,
    READ,
    UPDATE,
    V2,
    integer,
    obj,
    page,
    search_input,
    text,
)

_ID = integer("Person id.")
_REFS = {"organization": "organization", "owner": "owner"}
_LIST = {"type": "array", "items": {"type": "string"}}
_FIELDS = {
    "email": {**_LIST, "description": "Email address(es); the first is primary."},
    "phone": {**_LIST, "description": "Phone number(s); the first is primary."},
    "organization": ORGANIZATION,
    "owner": OWNER,
    "custom_fields": CUSTOM_FIELDS,
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="pipedrive_person_create",
        description="Create a Pipedrive person (contact). Organization and owner accept names.",
        input_schema=obj({"name": text("Full name."), **_FIELDS}, required=("name",)),
        method="POST",
        path=f"{V2}/persons",
        scopes=("contacts:full",),
        annotations=CREATE,
        body="rest",
        resolve=_REFS,
        prepare="person",
        recheck=Recheck(("name", "emails")),
        example={"name": "Jane Doe", "email": ["jane@acme.com"], "organization": "Acme"},
    ),
    Tool(
        name="pipedrive_person_get",
        description="Get one Pipedrive person by id.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="GET",
        path=f"{V2}/persons/{{id}}",
        scopes=("contacts:read",),
        annotations=READ,
    ),
    Tool(
        name="pipedrive_persons_list",
        description="List Pipedrive persons, oldest first, optionally by organization or owner.",
        input_schema=page(organization=ORGANIZATION, owner=OWNER),
        method="GET",
        path=f"{V2}/persons",
        scopes=("contacts:read",),
        annotations=READ,
        query=("org_id", "owner_id", "limit", "cursor"),
        resolve=_REFS,
        prepare="person",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_person_update",
        description="Update a Pipedrive person: only the fields given change; email and phone replace "
        "the existing lists.",
        input_schema=obj({"id": _ID, "name": text(), **_FIELDS}, required=("id",)),
        method="PATCH",
        path=f"{V2}/persons/{{id}}",
        scopes=("contacts:full",),
        annotations=UPDATE,
        body="rest",
        resolve=_REFS,
        prepare="person",
    ),
    Tool(
        name="pipedrive_person_delete",
        description="Delete a Pipedrive person (recoverable in Pipedrive for 30 days).",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="DELETE",
        path=f"{V2}/persons/{{id}}",
        scopes=("contacts:full",),
        annotations=DELETE,
        output=Output("deleted"),
    ),
    Tool(
        name="pipedrive_persons_search",
        description="Search Pipedrive persons by name, email, phone, notes or custom fields; best match first.",
        input_schema=search_input(organization=ORGANIZATION),
        method="GET",
        path=f"{V2}/persons/search",
        scopes=("contacts:read",),
        annotations=READ,
        query=("term", "exact_match", "organization_id", "limit", "cursor"),
        resolve={"organization": "organization"},
        prepare="search",
        output=Output("list", "items"),
    ),
)

"""Organizations (API v2): create, get, list, update, delete, search."""

from __future__ import annotations

from ..spec import Output, Recheck, Tool
from .common import (
    CREATE,
    CUSTOM_FIELDS,
    DELETE,
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

_ID = integer("Organization id.")
_FIELDS = {
    "address": text("Full postal address."),
    "website": text(),
    "owner": OWNER,
    "custom_fields": CUSTOM_FIELDS,
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="pipedrive_organization_create",
        description="Create a Pipedrive organization (company). Owner accepts a name or email.",
        input_schema=obj({"name": text("Organization name."), **_FIELDS}, required=("name",)),
        method="POST",
        path=f"{V2}/organizations",
        scopes=("contacts:full",),
        annotations=CREATE,
        body="rest",
        resolve={"owner": "owner"},
        prepare="organization",
        recheck=Recheck(("name",)),
        example={"name": "Acme Ltd", "address": "1 Main St, Springfield"},
    ),
    Tool(
        name="pipedrive_organization_get",
        description="Get one Pipedrive organization by id.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="GET",
        path=f"{V2}/organizations/{{id}}",
        scopes=("contacts:read",),
        annotations=READ,
    ),
    Tool(
        name="pipedrive_organizations_list",
        description="List Pipedrive organizations, oldest first, optionally by owner.",
        input_schema=page(owner=OWNER),
        method="GET",
        path=f"{V2}/organizations",
        scopes=("contacts:read",),
        annotations=READ,
        query=("owner_id", "limit", "cursor"),
        resolve={"owner": "owner"},
        prepare="organization",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_organization_update",
        description="Update a Pipedrive organization: only the fields given change.",
        input_schema=obj({"id": _ID, "name": text(), **_FIELDS}, required=("id",)),
        method="PATCH",
        path=f"{V2}/organizations/{{id}}",
        scopes=("contacts:full",),
        annotations=UPDATE,
        body="rest",
        resolve={"owner": "owner"},
        prepare="organization",
    ),
    Tool(
        name="pipedrive_organization_delete",
        description="Delete a Pipedrive organization (recoverable in Pipedrive for 30 days).",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="DELETE",
        path=f"{V2}/organizations/{{id}}",
        scopes=("contacts:full",),
        annotations=DELETE,
        output=Output("deleted"),
    ),
    Tool(
        name="pipedrive_organizations_search",
        description="Search Pipedrive organizations by name, address, notes or custom fields; best match first.",
        input_schema=search_input(),
        method="GET",
        path=f"{V2}/organizations/search",
        scopes=("contacts:read",),
        annotations=READ,
        query=("term", "exact_match", "limit", "cursor"),
        prepare="search",
        output=Output("list", "items"),
    ),
)

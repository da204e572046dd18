"""Organizations (API v2): create, get, list, update, delete, search."""

from __future__ import annotations

from ...spec import Tool
from .common import (
    CUSTOM_FIELDS,
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
    text,
    update_tool,
)

_PATH = f"{V2}/organizations"
_ID = integer("Organization id.")
_REFS = {"owner": "owner"}
_FIELDS = {
    "address": text("Full postal address."),
    "website": text(),
    "owner": OWNER,
    "custom_fields": CUSTOM_FIELDS,
}

TOOLS: tuple[Tool, ...] = (
    create_tool(
        "organization",
        _PATH,
        "contacts",
        "Create a Pipedrive organization (company). Owner accepts a name or email.",
        obj({"name": non_blank("Organization name."), **_FIELDS}, required=("name",)),
        resolve=_REFS,
        recheck=("name",),
        example={"name": "Acme Ltd", "address": "1 Main St, Springfield"},
    ),
    get_tool("organization", _PATH, "contacts", _ID),
    list_tool(
        "organizations",
        _PATH,
        "contacts",
        "List Pipedrive organizations, oldest first, optionally by owner.",
        page(owner=OWNER),
        query=("owner_id", "limit", "cursor"),
        resolve=_REFS,
        prepare="organization",
    ),
    update_tool(
        "organization",
        _PATH,
        "contacts",
        "Update a Pipedrive organization: only the fields given change.",
        obj({"id": _ID, "name": non_blank(), **_FIELDS}, required=("id",)),
        resolve=_REFS,
    ),
    delete_tool("organization", _PATH, "contacts", _ID, recoverable=True),
    search_tool(
        "organizations",
        _PATH,
        "contacts",
        "Search Pipedrive organizations by name, address, notes or custom fields; best match first.",
        search_input(),
        query=("term", "exact_match", "limit", "cursor"),
    ),
)

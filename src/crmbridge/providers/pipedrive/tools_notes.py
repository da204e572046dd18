"""Notes (API v1: v2 has no notes): create, get, list, update (PUT), delete."""

from __future__ import annotations

from ...spec import Tool
from .common import (
    ORGANIZATION,
    PERSON,
    V1,
    create_tool,
    delete_tool,
    get_tool,
    integer,
    list_tool,
    non_blank,
    obj,
    page,
    text,
    update_tool,
)

_PATH = f"{V1}/notes"
_ID = integer("Note id.")
_REFS = {"person": "person", "organization": "organization"}
_TARGETS = {
    "deal_id": integer(),
    "person": PERSON,
    "organization": ORGANIZATION,
    "lead_id": text("Lead UUID."),
}

TOOLS: tuple[Tool, ...] = (
    create_tool(
        "note",
        _PATH,
        "deals",
        "Add a note to a Pipedrive deal, person, organization or lead (at least one; "
        "person and organization accept names).",
        obj({"content": non_blank("Note text (HTML allowed)."), **_TARGETS}, required=("content",)),
        resolve=_REFS,
        recheck=("content", "deal_id", "person_id", "org_id", "lead_id"),
        example={"content": "Asked for a proposal by Friday.", "deal_id": 42},
    ),
    get_tool("note", _PATH, "deals", _ID),
    list_tool(
        "notes",
        _PATH,
        "deals",
        "List Pipedrive notes, oldest first, optionally of one deal, person, organization or lead.",
        page(**_TARGETS),
        query=("deal_id", "person_id", "org_id", "lead_id", "limit", "start"),
        resolve=_REFS,
        prepare="note",
    ),
    update_tool(
        "note",
        _PATH,
        "deals",
        "Replace the content of a Pipedrive note.",
        obj({"id": _ID, "content": non_blank("New note text (HTML allowed).")}, required=("id", "content")),
        method="PUT",
    ),
    delete_tool("note", _PATH, "deals", _ID),
)

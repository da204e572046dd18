"""Notes (API v1: v2 has no notes): create, get, list, update (PUT), delete."""

from __future__ import annotations

from ..spec import Output, Recheck, Tool
from .common import CREATE, DELETE, ORGANIZATION, PERSON, READ, UPDATE, V1, integer, obj, page, text

_ID = integer("Note id.")
_REFS = {"person": "person", "organization": "organization"}
_TARGETS = {
    "deal_id": integer(),
    "person": PERSON,
    "organization": ORGANIZATION,
    "lead_id": text("Lead UUID."),
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="pipedrive_note_create",
        description="Add a note to a Pipedrive deal, person, organization or lead (at least one; "
        "person and organization accept names).",
        input_schema=obj({"content": text("Note text (HTML allowed)."), **_TARGETS}, required=("content",)),
        method="POST",
        path=f"{V1}/notes",
        scopes=("deals:full",),
        annotations=CREATE,
        body="rest",
        resolve=_REFS,
        prepare="note",
        recheck=Recheck(("content", "deal_id", "person_id", "org_id", "lead_id")),
        example={"content": "Asked for a proposal by Friday.", "deal_id": 42},
    ),
    Tool(
        name="pipedrive_note_get",
        description="Get one Pipedrive note by id.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="GET",
        path=f"{V1}/notes/{{id}}",
        scopes=("deals:read",),
        annotations=READ,
    ),
    Tool(
        name="pipedrive_notes_list",
        description="List Pipedrive notes, oldest first, optionally of one deal, person, organization or lead.",
        input_schema=page(**_TARGETS),
        method="GET",
        path=f"{V1}/notes",
        scopes=("deals:read",),
        annotations=READ,
        query=("deal_id", "person_id", "org_id", "lead_id", "limit", "start"),
        resolve=_REFS,
        prepare="note",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_note_update",
        description="Replace the content of a Pipedrive note.",
        input_schema=obj(
            {"id": _ID, "content": text("New note text (HTML allowed).")}, required=("id", "content")
        ),
        method="PUT",
        path=f"{V1}/notes/{{id}}",
        scopes=("deals:full",),
        annotations=UPDATE,
        body="rest",
        prepare="note",
    ),
    Tool(
        name="pipedrive_note_delete",
        description="Delete a Pipedrive note.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="DELETE",
        path=f"{V1}/notes/{{id}}",
        scopes=("deals:full",),
        annotations=DELETE,
        output=Output("deleted"),
    ),
)

"""Deals (API v2): create, get, list, update, delete, search."""

from __future__ import annotations

from ...spec import Tool
from .common import (
    CUSTOM_FIELDS,
    ORGANIZATION,
    OWNER,
    PERSON,
    PIPELINE,
    STAGE,
    V2,
    create_tool,
    date,
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

_PATH = f"{V2}/deals"
_ID = integer("Deal id.")
_REFS = {"person": "person", "organization": "organization", "owner": "owner", "pipeline": "pipeline",
         "stage": "stage"}  # fmt: skip
_STATUS = {"type": "string", "enum": ["open", "won", "lost"]}
_FIELDS = {
    "value": {"type": "number", "description": "Deal value."},
    "currency": text("3-letter code, e.g. EUR.", pattern="^[A-Z]{3}$"),
    "person": PERSON,
    "organization": ORGANIZATION,
    "pipeline": PIPELINE,
    "stage": STAGE,
    "owner": OWNER,
    "expected_close_date": date(),
}

TOOLS: tuple[Tool, ...] = (
    create_tool(
        "deal",
        _PATH,
        "deals",
        "Create a Pipedrive deal. Person, organization, pipeline, stage and owner accept names. "
        "Without a stage the deal goes to the first stage of the pipeline (default pipeline if none).",
        obj(
            {"title": non_blank("Deal title."), **_FIELDS, "custom_fields": CUSTOM_FIELDS},
            required=("title",),
        ),
        resolve=_REFS,
        recheck=("title", "person_id", "org_id"),
        example={"title": "Acme renewal", "value": 12000, "currency": "EUR", "stage": "Proposal Made"},
    ),
    get_tool("deal", _PATH, "deals", _ID),
    list_tool(
        "deals",
        _PATH,
        "deals",
        "List Pipedrive deals, oldest first, optionally filtered. Default: all not-deleted deals.",
        page(
            status={"type": "string", "enum": ["open", "won", "lost", "deleted"]},
            person=PERSON,
            organization=ORGANIZATION,
            pipeline=PIPELINE,
            stage=STAGE,
            owner=OWNER,
        ),
        query=("status", "person_id", "org_id", "pipeline_id", "stage_id", "owner_id", "limit", "cursor"),
        resolve=_REFS,
        prepare="deal",
    ),
    update_tool(
        "deal",
        _PATH,
        "deals",
        "Update a Pipedrive deal: only the fields given change. Names are accepted for "
        "person, organization, pipeline, stage and owner.",
        obj(
            {
                "id": _ID,
                "title": non_blank(),
                **_FIELDS,
                "status": _STATUS,
                "lost_reason": text("Only with status lost."),
                "custom_fields": CUSTOM_FIELDS,
            },
            required=("id",),
        ),
        resolve=_REFS,
    ),
    delete_tool("deal", _PATH, "deals", _ID, recoverable=True),
    search_tool(
        "deals",
        _PATH,
        "deals",
        "Search Pipedrive deals by words in the title, notes or custom fields; best match first.",
        search_input(status=_STATUS, person=PERSON, organization=ORGANIZATION),
        query=("term", "exact_match", "status", "person_id", "organization_id", "limit", "cursor"),
        resolve={"person": "person", "organization": "organization"},
    ),
)

"""Deals (API v2): create, get, list, update, delete, search."""

from __future__ import annotations

from ..spec import Output, Recheck, Tool
from .common import (
    CREATE,
    CUSTOM_FIELDS,
    DELETE,
    ORGANIZATION,
    OWNER,
    PERSON,
    PIPELINE,
    READ,
    STAGE,
    UPDATE,
    V2,
    date,
    integer,
    obj,
    page,
    search_input,
    text,
)

_ID = integer("Deal id.")
_REFS = {"person": "person", "organization": "organization", "owner": "owner", "pipeline": "pipeline",
         "stage": "stage"}  # fmt: skip
_STATUS = {"type": "string", "enum": ["open", "won", "lost"]}
_FIELDS = {
    "value": {"type": "number", "description": "Deal value."},
    "currency": text("3-letter code, e.g. EUR."),
    "person": PERSON,
    "organization": ORGANIZATION,
    "pipeline": PIPELINE,
    "stage": STAGE,
    "owner": OWNER,
    "expected_close_date": date(),
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="pipedrive_deal_create",
        description="Create a Pipedrive deal. Person, organization, pipeline, stage and owner accept names. "
        "Without a stage the deal goes to the first stage of the pipeline (default pipeline if none).",
        input_schema=obj(
            {"title": text("Deal title."), **_FIELDS, "custom_fields": CUSTOM_FIELDS}, required=("title",)
        ),
        method="POST",
        path=f"{V2}/deals",
        scopes=("deals:full",),
        annotations=CREATE,
        body="rest",
        resolve=_REFS,
        prepare="deal",
        recheck=Recheck(("title", "person_id", "org_id")),
        example={"title": "Acme renewal", "value": 12000, "currency": "EUR", "stage": "Proposal Made"},
    ),
    Tool(
        name="pipedrive_deal_get",
        description="Get one Pipedrive deal by id.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="GET",
        path=f"{V2}/deals/{{id}}",
        scopes=("deals:read",),
        annotations=READ,
    ),
    Tool(
        name="pipedrive_deals_list",
        description="List Pipedrive deals, oldest first, optionally filtered. Default: all not-deleted deals.",
        input_schema=page(
            status={"type": "string", "enum": ["open", "won", "lost", "deleted"]},
            person=PERSON,
            organization=ORGANIZATION,
            pipeline=PIPELINE,
            stage=STAGE,
            owner=OWNER,
        ),
        method="GET",
        path=f"{V2}/deals",
        scopes=("deals:read",),
        annotations=READ,
        query=("status", "person_id", "org_id", "pipeline_id", "stage_id", "owner_id", "limit", "cursor"),
        resolve=_REFS,
        prepare="deal",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_deal_update",
        description="Update a Pipedrive deal: only the fields given change. Names are accepted for "
        "person, organization, pipeline, stage and owner.",
        input_schema=obj(
            {
                "id": _ID,
                "title": text(),
                **_FIELDS,
                "status": _STATUS,
                "lost_reason": text("Only with status lost."),
                "custom_fields": CUSTOM_FIELDS,
            },
            required=("id",),
        ),
        method="PATCH",
        path=f"{V2}/deals/{{id}}",
        scopes=("deals:full",),
        annotations=UPDATE,
        body="rest",
        resolve=_REFS,
        prepare="deal",
    ),
    Tool(
        name="pipedrive_deal_delete",
        description="Delete a Pipedrive deal (recoverable in Pipedrive for 30 days).",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="DELETE",
        path=f"{V2}/deals/{{id}}",
        scopes=("deals:full",),
        annotations=DELETE,
        output=Output("deleted"),
    ),
    Tool(
        name="pipedrive_deals_search",
        description="Search Pipedrive deals by words in the title, notes or custom fields; best match first.",
        input_schema=search_input(status=_STATUS, person=PERSON, organization=ORGANIZATION),
        method="GET",
        path=f"{V2}/deals/search",
        scopes=("deals:read",),
        annotations=READ,
        query=("term", "exact_match", "status", "person_id", "organization_id", "limit", "cursor"),
        resolve={"person": "person", "organization": "organization"},
        prepare="search",
        output=Output("list", "items"),
    ),
)

"""Activities (API v2): create, get, list, update, delete.

The person is set as the activity's primary participant (v2's ``person_id`` is read-only).
"""

from __future__ import annotations

from ..spec import Output, Recheck, Tool
from .common import (
    CREATE,
    DELETE,
    ORGANIZATION,
    OWNER,
    PERSON,
    READ,
    UPDATE,
    V2,
    date,
    integer,
    obj,
    page,
    text,
)

_ID = integer("Activity id.")
_REFS = {"person": "person", "organization": "organization", "owner": "owner"}
_FIELDS = {
    "type": text("Activity type key: call, meeting, task, deadline, email, lunch…"),
    "due_date": date(),
    "due_time": text("HH:MM."),
    "duration": text("HH:MM."),
    "deal_id": integer(),
    "lead_id": text("Lead UUID."),
    "person": PERSON,
    "organization": ORGANIZATION,
    "owner": OWNER,
    "note": text("Note (HTML allowed)."),
    "done": {"type": "boolean"},
}

TOOLS: tuple[Tool, ...] = (
    Tool(
        name="pipedrive_activity_create",
        description="Create a Pipedrive activity (call, meeting, task…) with a due date, linked to a deal, "
        "lead, person or organization (names accepted).",
        input_schema=obj({"subject": text("What the activity is."), **_FIELDS}, required=("subject",)),
        method="POST",
        path=f"{V2}/activities",
        scopes=("activities:full",),
        annotations=CREATE,
        body="rest",
        resolve=_REFS,
        prepare="activity",
        recheck=Recheck(("subject", "deal_id")),
        example={"subject": "Call Jane", "type": "call", "due_date": "2025-06-01", "person": "Jane Doe"},
    ),
    Tool(
        name="pipedrive_activity_get",
        description="Get one Pipedrive activity by id.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="GET",
        path=f"{V2}/activities/{{id}}",
        scopes=("activities:read",),
        annotations=READ,
    ),
    Tool(
        name="pipedrive_activities_list",
        description="List Pipedrive activities, oldest first, optionally by done, deal, person, "
        "organization or owner.",
        input_schema=page(
            done={"type": "boolean"},
            deal_id=integer(),
            person=PERSON,
            organization=ORGANIZATION,
            owner=OWNER,
        ),
        method="GET",
        path=f"{V2}/activities",
        scopes=("activities:read",),
        annotations=READ,
        query=("done", "deal_id", "person_id", "org_id", "owner_id", "limit", "cursor"),
        resolve=_REFS,
        prepare="activity",
        output=Output("list"),
    ),
    Tool(
        name="pipedrive_activity_update",
        description="Update a Pipedrive activity (e.g. mark done, reschedule): only the fields given change.",
        input_schema=obj({"id": _ID, "subject": text(), **_FIELDS}, required=("id",)),
        method="PATCH",
        path=f"{V2}/activities/{{id}}",
        scopes=("activities:full",),
        annotations=UPDATE,
        body="rest",
        resolve=_REFS,
        prepare="activity",
    ),
    Tool(
        name="pipedrive_activity_delete",
        description="Delete a Pipedrive activity.",
        input_schema=obj({"id": _ID}, required=("id",)),
        method="DELETE",
        path=f"{V2}/activities/{{id}}",
        scopes=("activities:full",),
        annotations=DELETE,
        output=Output("deleted"),
    ),
)

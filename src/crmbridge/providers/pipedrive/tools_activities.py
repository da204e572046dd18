"""Activities (API v2): create, get, list, update, delete.

The person is set as the activity's primary participant (v2's ``person_id`` is read-only).
"""

from __future__ import annotations

from ...spec import Tool
from .common import (
    ORGANIZATION,
    OWNER,
    PERSON,
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
    text,
    update_tool,
)

_PATH = f"{V2}/activities"
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
    create_tool(
        "activity",
        _PATH,
        "activities",
        "Create a Pipedrive activity (call, meeting, task…) with a due date, linked to a deal, "
        "lead, person or organization (names accepted).",
        obj({"subject": non_blank("What it is; default: the type's name."), **_FIELDS}),
        resolve=_REFS,
        recheck=("subject", "deal_id"),
        example={"subject": "Call Jane", "type": "call", "due_date": "2025-06-01", "person": "Jane Doe"},
    ),
    get_tool("activity", _PATH, "activities", _ID),
    list_tool(
        "activities",
        _PATH,
        "activities",
        "List Pipedrive activities, oldest first, optionally by done, deal, person, organization or owner.",
        page(
            done={"type": "boolean"},
            deal_id=integer(),
            person=PERSON,
            organization=ORGANIZATION,
            owner=OWNER,
        ),
        query=("done", "deal_id", "person_id", "org_id", "owner_id", "limit", "cursor"),
        resolve=_REFS,
        prepare="activity",
    ),
    update_tool(
        "activity",
        _PATH,
        "activities",
        "Update a Pipedrive activity (e.g. mark done, reschedule): only the fields given change.",
        obj({"id": _ID, "subject": non_blank(), **_FIELDS}, required=("id",)),
        resolve=_REFS,
    ),
    delete_tool("activity", _PATH, "activities", _ID),
)

"""Activities (v2): ``person_id`` is the primary participant; setting either side sets the other."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.routing import BaseRoute

from .common import JSON, rfc3339
from .entity import EntitySpec, Filter, crud_routes
from .errors import bad_request
from .validate import (
    WriteCtx,
    address,
    boolean,
    date,
    fail,
    hhmm,
    integer,
    nullable,
    one_of,
    ref,
    string,
    user_ref,
)

#: The default activity types of a new Pipedrive company: key_string → name.
TYPES = {
    "call": "Call",
    "meeting": "Meeting",
    "task": "Task",
    "deadline": "Deadline",
    "email": "Email",
    "lunch": "Lunch",
}


def participants(ctx: WriteCtx, name: str, value: Any) -> list[JSON]:
    """``[{person_id, primary}]``; persons must exist; at most one primary (the first if none is)."""
    if not isinstance(value, list):
        raise fail(name, "an array of {person_id, primary} objects", value)
    items: list[JSON] = []
    for i, item in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(item, dict) or set(item) - {"person_id", "primary"} or "person_id" not in item:
            raise fail(where, "an object {person_id, primary}", item)
        pid = ref("persons", "Person")(ctx, f"{where}.person_id", item["person_id"])
        items.append(
            {"person_id": pid, "primary": boolean(ctx, f"{where}.primary", item.get("primary", False))}
        )
    primaries = sum(1 for it in items if it["primary"])
    if primaries > 1:
        raise bad_request(f"Invalid field '{name}': at most one participant can be primary")
    if items and primaries == 0:
        items[0]["primary"] = True
    return items


def _with_primary(people: list[JSON], pid: int | None) -> list[JSON]:
    """``people`` with ``pid`` as the (first, only) primary participant; None drops the primary."""
    others = [{**p, "primary": False} for p in people if not p["primary"] and p["person_id"] != pid]
    return ([{"person_id": pid, "primary": True}] if pid is not None else []) + others


def attendees(ctx: WriteCtx, name: str, value: Any) -> list[JSON]:
    keys = {"email", "name", "status", "is_organizer", "person_id", "user_id"}
    if not isinstance(value, list) or any(not isinstance(a, dict) or set(a) - keys for a in value):
        raise fail(name, "an array of {email, name, status, is_organizer, person_id, user_id} objects", value)
    return [{k: a.get(k) for k in sorted(keys)} for a in value]


FIELDS = {
    "subject": string,
    "type": one_of(*TYPES),
    "owner_id": user_ref,
    "deal_id": nullable(ref("deals", "Deal")),
    "lead_id": nullable(ref("leads", "Lead")),
    "org_id": nullable(ref("organizations", "Organization")),
    "project_id": nullable(integer),
    "person_id": nullable(ref("persons", "Person")),
    "outcome": nullable(integer),
    "due_date": nullable(date),
    "due_time": nullable(hhmm),
    "duration": nullable(hhmm),
    "busy": boolean,
    "done": boolean,
    "location": nullable(address),
    "participants": participants,
    "attendees": attendees,
    "public_description": nullable(string),
    "priority": nullable(integer),
    "note": nullable(string),
}


def template(ctx: WriteCtx) -> JSON:
    return {
        "subject": None,
        "type": "task",
        "owner_id": ctx.user.id,
        "creator_user_id": ctx.user.id,
        "is_deleted": False,
        "deal_id": None,
        "lead_id": None,
        "person_id": None,
        "org_id": None,
        "project_id": None,
        "due_date": datetime.fromtimestamp(ctx.now, UTC).strftime("%Y-%m-%d"),
        "due_time": None,
        "duration": None,
        "busy": False,
        "done": False,
        "marked_as_done_time": None,
        "location": None,
        "participants": [],
        "attendees": [],
        "public_description": None,
        "priority": None,
        "note": None,
        "outcome": None,
        "custom_fields": {},
    }


def prepare(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    if not row.get("subject"):
        row["subject"] = TYPES[row["type"]]
    if "person_id" in given:  # the spec (and the official clients) still offer person_id
        primary = next((p["person_id"] for p in row["participants"] if p["primary"]), None)
        if "participants" in given and row["participants"] and primary != row["person_id"]:
            raise bad_request(
                f"Field 'person_id' ({row['person_id']}) must be the primary participant ({primary})"
            )
        row["participants"] = _with_primary(row["participants"], row["person_id"])
    row["person_id"] = next((p["person_id"] for p in row["participants"] if p["primary"]), None)
    if before is None or before["done"] != row["done"]:
        row["marked_as_done_time"] = rfc3339(ctx.now) if row["done"] else None


SPEC = EntitySpec(
    table="activities",
    entity="activity",
    path="/api/v2/activities",
    read_scopes=("activities:read", "activities:full"),
    write_scopes=("activities:full",),
    fields=FIELDS,
    template=template,
    prepare=prepare,
    filters=(
        Filter("ids", "id", "ints"),
        Filter("owner_id", "owner_id"),
        Filter("deal_id", "deal_id"),
        Filter("lead_id", "lead_id", "str"),
        Filter("person_id", "person_id"),
        Filter("org_id", "org_id"),
        Filter("done", "done", "bool"),
    ),
    sort_by=("id", "update_time", "add_time", "due_date"),
)

routes: list[BaseRoute] = crud_routes(SPEC)

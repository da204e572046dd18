"""Persons (v2): name or first+last required; ``emails``/``phones`` as {value, primary, label} objects."""

from __future__ import annotations

from starlette.routing import BaseRoute

from .common import JSON
from .entity import EntitySpec, Filter, crud_routes
from .errors import bad_request
from .validate import (
    VISIBLE_TO,
    WriteCtx,
    contacts,
    date,
    int_list,
    loose_address,
    nonempty,
    nullable,
    one_of,
    ref,
    string,
    timestamp,
    user_ref,
)

FIELDS = {
    "name": nonempty,
    "first_name": nullable(string),
    "last_name": nullable(string),
    "owner_id": user_ref,
    "org_id": nullable(ref("organizations", "Organization")),
    "emails": contacts,
    "phones": contacts,
    "visible_to": one_of(*VISIBLE_TO),
    "label_ids": int_list,
    "marketing_status": one_of("no_consent", "unsubscribed", "subscribed", "archived"),
    "add_time": timestamp,
    # present when contact sync is on; the spec offers them on every create and update
    "postal_address": nullable(loose_address),
    "notes": nullable(string),
    "im": contacts,
    "birthday": nullable(date),
    "job_title": nullable(string),
}


def template(ctx: WriteCtx) -> JSON:
    return {
        "name": None,
        "first_name": None,
        "last_name": None,
        "owner_id": ctx.user.id,
        "org_id": None,
        "emails": [],
        "phones": [],
        "is_deleted": False,
        "visible_to": 3,
        "label_ids": [],
        "picture_id": None,
        "postal_address": None,
        "notes": None,
        "im": [],
        "birthday": None,
        "job_title": None,
        "custom_fields": {},
    }


def prepare(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    """Keep name and first/last consistent whichever side the caller set."""
    if "name" not in given and ({"first_name", "last_name"} & given):
        parts = [row.get("first_name") or "", row.get("last_name") or ""]
        if before is None and not all(parts):
            raise bad_request("Field 'name' is required (or both 'first_name' and 'last_name')")
        row["name"] = " ".join(p for p in parts if p)
    elif "name" in given and not ({"first_name", "last_name"} & given):
        first, _, last = row["name"].strip().partition(" ")
        row["first_name"], row["last_name"] = first, (last or None)
    if not row.get("name"):
        raise bad_request("Field 'name' is required (or both 'first_name' and 'last_name')")


SPEC = EntitySpec(
    table="persons",
    entity="person",
    path="/api/v2/persons",
    read_scopes=("contacts:read", "contacts:full"),
    write_scopes=("contacts:full",),
    fields=FIELDS,
    template=template,
    prepare=prepare,
    create_only=("add_time",),
    filters=(Filter("ids", "id", "ints"), Filter("owner_id", "owner_id"), Filter("org_id", "org_id")),
)

routes: list[BaseRoute] = crud_routes(SPEC)

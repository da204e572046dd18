"""Organizations (v2): name required; ``address`` is an object whose ``value`` is the full address."""

from __future__ import annotations

from starlette.routing import BaseRoute

from .common import JSON
from .entity import EntitySpec, Filter, crud_routes
from .errors import bad_request
from .validate import (
    VISIBLE_TO,
    WriteCtx,
    address,
    int_list,
    integer,
    nonempty,
    nullable,
    one_of,
    string,
    timestamp,
    user_ref,
)

FIELDS = {
    "name": nonempty,
    "owner_id": user_ref,
    "visible_to": one_of(*VISIBLE_TO),
    "label_ids": int_list,
    "address": nullable(address),
    "website": nullable(string),
    "linkedin": nullable(string),
    "industry": nullable(integer),
    "annual_revenue": nullable(integer),
    "employee_count": nullable(integer),
    "add_time": timestamp,
}


def template(ctx: WriteCtx) -> JSON:
    return {
        "name": None,
        "owner_id": ctx.user.id,
        "is_deleted": False,
        "visible_to": 3,
        "label_ids": [],
        "address": None,
        "website": None,
        "linkedin": None,
        "industry": None,
        "annual_revenue": None,
        "employee_count": None,
        "custom_fields": {},
    }


def prepare(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    if not row.get("name"):
        raise bad_request("Field 'name' is required")


SPEC = EntitySpec(
    table="organizations",
    entity="organization",
    path="/api/v2/organizations",
    read_scopes=("contacts:read", "contacts:full"),
    write_scopes=("contacts:full",),
    fields=FIELDS,
    template=template,
    prepare=prepare,
    create_only=("add_time",),
    filters=(Filter("ids", "id", "ints"), Filter("owner_id", "owner_id")),
)

routes: list[BaseRoute] = crud_routes(SPEC)

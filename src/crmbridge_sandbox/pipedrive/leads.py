"""Leads (v1 only): UUID ids, ``organization_id`` (not org_id), ``value = {amount, currency}``, offset pages.

Leads are **hard-deleted**: the v1 lead object has no ``is_deleted`` flag and Pipedrive's 30-day
soft-delete rule is documented for the core v2 entities, so a deleted lead is a 404 straight away.
Leads inherit the deal custom fields, flat at the root in the v1 format.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import customfields
from .auth import require_access
from .common import JSON, coerce_form_ints, iso_ms, missing, now_of, offset_page, ok, q_int, v1_body
from .errors import bad_request
from .store import Company
from .validate import (
    WriteCtx,
    apply,
    boolean,
    date,
    fail,
    integer,
    nonempty,
    nullable,
    number,
    one_of,
    ref,
    string,
    user_ref,
)

READ = ("leads:read", "leads:full")
WRITE = ("leads:full",)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SORTABLE = (
    "id",
    "title",
    "owner_id",
    "creator_id",
    "was_seen",
    "expected_close_date",
    "add_time",
    "update_time",
)


def value(ctx: WriteCtx, name: str, raw: Any) -> JSON:
    if (
        not isinstance(raw, dict)
        or "amount" not in raw
        or "currency" not in raw
        or set(raw) - {"amount", "currency"}
    ):
        raise bad_request(
            'Invalid field \'value\': expected an object {"amount": number, "currency": "EUR"} '
            f"with both amount and currency, got {raw!r}"
        )
    cur = raw["currency"]
    if not isinstance(cur, str) or not re.fullmatch(r"[A-Z]{3}", cur):
        raise fail("value.currency", "a 3-letter currency code such as EUR", cur)
    return {"amount": number(ctx, "value.amount", raw["amount"]), "currency": cur}


def label_ids(ctx: WriteCtx, name: str, raw: Any) -> list[str]:
    if not isinstance(raw, list) or any(not isinstance(v, str) or not UUID_RE.match(v) for v in raw):
        raise fail(name, "an array of label UUID strings", raw)
    return list(raw)


FIELDS = {
    "title": nonempty,
    "owner_id": user_ref,
    "person_id": nullable(ref("persons", "Person")),
    "organization_id": nullable(ref("organizations", "Organization")),
    "value": nullable(value),
    "expected_close_date": nullable(date),
    "label_ids": label_ids,
    "visible_to": one_of("1", "3", "5", "7"),
    "was_seen": boolean,
    "origin_id": nullable(string),
    "channel": nullable(integer),
    "channel_id": nullable(string),
}


def new_lead(ctx: WriteCtx, lead_id: str, title: str, **values: Any) -> JSON:
    """A lead row with defaults; used by the routes and by seeding."""
    ts = iso_ms(ctx.now)
    row: JSON = {
        "id": lead_id,
        "title": title,
        "owner_id": ctx.user.id,
        "creator_id": ctx.user.id,
        "label_ids": [],
        "person_id": None,
        "organization_id": None,
        "source_name": "API",
        "origin": "API",
        "origin_id": None,
        "channel": None,
        "channel_id": None,
        "is_archived": False,
        "was_seen": False,
        "value": None,
        "expected_close_date": None,
        "next_activity_id": None,
        "add_time": ts,
        "update_time": ts,
        "visible_to": "3",
        "cc_email": f"{ctx.company.domain}+lead@pipedrivemail.com",
        "custom_fields": {},
    }
    row.update(values)
    return row


def render(company: Company, row: JSON) -> JSON:
    out = {k: v for k, v in row.items() if k != "custom_fields"}
    out.setdefault("source_deal_id", None)  # set by a deal → lead conversion
    out.update(customfields.render_v1(company.custom_fields("deal"), row.get("custom_fields") or {}))
    return out


def _find(company: Company, lead_id: str) -> JSON:
    row = company.tables["leads"].rows.get(lead_id)
    if row is None:
        raise missing()
    return row


def _write(ctx: WriteCtx, body: JSON, before: JSON | None) -> JSON:
    body = coerce_form_ints(body, ("owner_id", "person_id", "organization_id", "channel"))
    custom = customfields.take_v1(ctx, "deal", body)
    extra = ("is_archived",) if before is not None else ()
    clean = apply(
        ctx,
        {**FIELDS, **({"is_archived": boolean} if extra else {})},
        body,
        read_only=("id", "add_time", "update_time", "creator_id"),
    )
    if before is None:
        if "title" not in clean:
            raise bad_request("Field 'title' is required")
        row = new_lead(ctx, str(uuid.uuid4()), clean.pop("title"))
    else:
        if before["is_archived"] and clean.get("is_archived") is not False:
            raise bad_request(
                "Archived leads cannot be edited; unarchive the lead first (is_archived: false)"
            )
        row = dict(before)
        row["update_time"] = iso_ms(ctx.now)
    row.update(clean)
    row["custom_fields"] = {**row["custom_fields"], **custom}
    if row["person_id"] is None and row["organization_id"] is None:
        raise bad_request(
            "A lead must be linked to a person or an organization: give person_id or organization_id"
        )
    return row


async def list_leads(request: Request, *, archived: bool) -> Response:
    access = require_access(request, scopes_any=READ, cost=40 if archived else 20)
    rows = [r for r in access.company.tables["leads"].rows.values() if r["is_archived"] == archived]
    for param in ("owner_id", "person_id", "organization_id"):
        wanted = q_int(request, param)
        if wanted is not None:
            rows = [r for r in rows if r[param] == wanted]
    sort = (request.query_params.get("sort") or "add_time ASC").split()
    field, direction = sort[0], (sort[1].upper() if len(sort) > 1 else "ASC")
    if field not in SORTABLE or direction not in ("ASC", "DESC"):
        raise bad_request(
            f"Parameter 'sort' must be '<field> ASC|DESC' with field one of {', '.join(SORTABLE)}"
        )
    rows.sort(
        key=lambda r: (r[field] is None, r[field] if r[field] is not None else 0, r["add_time"], r["id"]),
        reverse=direction == "DESC",
    )
    page, pagination = offset_page(request, rows)
    return ok([render(access.company, r) for r in page], {"pagination": pagination})


async def list_live(request: Request) -> Response:
    return await list_leads(request, archived=False)


async def list_archived(request: Request) -> Response:
    return await list_leads(request, archived=True)


async def get_lead(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=2)
    return ok(render(access.company, _find(access.company, request.path_params["id"])))


async def create_lead(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=10)
    body = await v1_body(request)
    row = _write(WriteCtx(access.company, access.user, now_of(request)), body, None)
    access.company.tables["leads"].rows[row["id"]] = row
    return ok(render(access.company, row), status_code=201)


async def update_lead(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=10)
    before = _find(access.company, request.path_params["id"])
    body = await v1_body(request)
    row = _write(WriteCtx(access.company, access.user, now_of(request)), body, before)
    access.company.tables["leads"].rows[row["id"]] = row
    return ok(render(access.company, row))


async def delete_lead(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=6)
    row = _find(access.company, request.path_params["id"])
    del access.company.tables["leads"].rows[row["id"]]
    return ok({"id": row["id"]})


routes: list[BaseRoute] = [
    Route("/v1/leads", list_live, methods=["GET"]),
    Route("/v1/leads", create_lead, methods=["POST"]),
    Route("/v1/leads/archived", list_archived, methods=["GET"]),
    Route("/v1/leads/{id}", get_lead, methods=["GET"]),
    Route("/v1/leads/{id}", update_lead, methods=["PATCH"]),
    Route("/v1/leads/{id}", delete_lead, methods=["DELETE"]),
]

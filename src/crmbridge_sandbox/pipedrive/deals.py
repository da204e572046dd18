"""Deals (v2): declaration plus the rules that place a deal in a stage and stamp status times."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import includes
from .auth import require_access
from .common import JSON, cursor_page, now_of, ok, rfc3339
from .entity import EntitySpec, Filter, crud_routes, listed, render
from .errors import bad_request
from .pipelines import default_pipeline, first_stage
from .store import EntityTable
from .validate import (
    VISIBLE_TO,
    WriteCtx,
    boolean,
    currency,
    date,
    int_list,
    nonempty,
    nullable,
    number,
    one_of,
    ref,
    string,
    timestamp,
    user_ref,
)

STATUSES = ("open", "won", "lost")

FIELDS = {
    "title": nonempty,
    "owner_id": user_ref,
    "person_id": nullable(ref("persons", "Person")),
    "org_id": nullable(ref("organizations", "Organization")),
    "pipeline_id": ref("pipelines", "Pipeline"),
    "stage_id": ref("stages", "Stage"),
    "value": number,
    "currency": currency,
    "status": one_of(*STATUSES),
    "probability": nullable(number),
    "lost_reason": nullable(string),
    "visible_to": one_of(*VISIBLE_TO),
    "close_time": nullable(timestamp),
    "won_time": nullable(timestamp),
    "lost_time": nullable(timestamp),
    "expected_close_date": nullable(date),
    "label_ids": int_list,
    "is_archived": boolean,
    "archive_time": nullable(timestamp),
}


def template(ctx: WriteCtx) -> JSON:
    return {
        "title": None,
        "creator_user_id": ctx.user.id,
        "owner_id": ctx.user.id,
        "value": 0,
        "currency": ctx.company.currency,
        "person_id": None,
        "org_id": None,
        "pipeline_id": None,
        "stage_id": None,
        "status": "open",
        "probability": None,
        "lost_reason": None,
        "visible_to": 3,
        "close_time": None,
        "won_time": None,
        "lost_time": None,
        "expected_close_date": None,
        "stage_change_time": None,
        "label_ids": [],
        "is_archived": False,
        "archive_time": None,
        "is_deleted": False,
        "origin": "API",
        "origin_id": None,
        "channel": None,
        "channel_id": None,
        "custom_fields": {},
    }


def _place(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    """stage_id wins (and implies its pipeline); pipeline_id alone → its first stage; nothing → default."""
    company = ctx.company
    if "stage_id" in given:
        stage = company.tables["stages"].rows[row["stage_id"]]
        if "pipeline_id" in given and row["pipeline_id"] != stage["pipeline_id"]:
            raise bad_request(
                f"Stage {stage['id']} belongs to pipeline {stage['pipeline_id']}, not pipeline {row['pipeline_id']}"
            )
        row["pipeline_id"] = stage["pipeline_id"]
    elif "pipeline_id" in given or before is None:
        pipeline = company.tables["pipelines"].rows.get(row["pipeline_id"]) or default_pipeline(company)
        first = first_stage(company, pipeline["id"]) if pipeline else None
        if pipeline is None or first is None:
            raise bad_request("There is no pipeline with stages to put the deal in")
        row["pipeline_id"], row["stage_id"] = pipeline["id"], first["id"]
    if before is None or before["stage_id"] != row["stage_id"]:
        row["stage_change_time"] = rfc3339(ctx.now) if before is not None else None


def _status_times(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    now = rfc3339(ctx.now)
    if before is None or before["status"] != row["status"]:
        stamped = {"won": ("won_time", "close_time"), "lost": ("lost_time", "close_time")}.get(
            row["status"], ()
        )
        for key in ("won_time", "lost_time", "close_time"):
            if key not in given:
                row[key] = now if key in stamped else None
    if row["status"] != "lost" and row.get("lost_reason"):
        if "lost_reason" in given:
            raise bad_request("Field 'lost_reason' can only be set when status is lost")
        row["lost_reason"] = None


def prepare(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    if before is None and not row.get("title"):
        raise bad_request("Field 'title' is required")
    probability = row.get("probability")
    if probability is not None and not 0 <= probability <= 100:
        raise bad_request(f"Field 'probability' must be between 0 and 100, got {probability}")
    _place(ctx, row, given, before)
    _status_times(ctx, row, given, before)
    if "is_archived" in given and "archive_time" not in given:
        row["archive_time"] = rfc3339(ctx.now) if row["is_archived"] else None


def select(request: Request, table: EntityTable) -> list[JSON]:
    """``status`` = comma list of open,won,lost,deleted (default: every non-deleted); archived deals never."""
    raw = request.query_params.get("status") or "open,won,lost"
    wanted = {s.strip() for s in raw.split(",") if s.strip()}
    bad = sorted(wanted - {*STATUSES, "deleted"})
    if bad:
        raise bad_request(f"Parameter 'status' must be open, won, lost or deleted; got {', '.join(bad)}")
    return [
        r
        for r in table.rows.values()
        if not r.get("is_archived")
        and (("deleted" in wanted) if r.get("is_deleted") else r["status"] in wanted)
    ]


SPEC = EntitySpec(
    table="deals",
    entity="deal",
    path="/api/v2/deals",
    read_scopes=("deals:read", "deals:full"),
    write_scopes=("deals:full",),
    fields=FIELDS,
    template=template,
    prepare=prepare,
    filters=(
        Filter("ids", "id", "ints"),
        Filter("owner_id", "owner_id"),
        Filter("person_id", "person_id"),
        Filter("org_id", "org_id"),
        Filter("pipeline_id", "pipeline_id"),
        Filter("stage_id", "stage_id"),
    ),
    select=select,
)


def select_archived(request: Request, table: EntityTable) -> list[JSON]:
    return [r for r in table.live() if r.get("is_archived")]


ARCHIVED = replace(SPEC, select=select_archived, filters=(*SPEC.filters, Filter("status", "status", "str")))


async def list_archived(request: Request) -> Response:
    """``GET /api/v2/deals/archived``: the archived deals the normal list leaves out."""
    access = require_access(request, scopes_any=SPEC.read_scopes, cost=20)
    rows = listed(request, ARCHIVED, access.company, now_of(request))
    page, next_cursor = cursor_page(request, rows)
    extra = includes.wanted(request, SPEC.entity)  # the spec offers the same include_fields as the list
    data = [
        includes.add(access.company, SPEC.entity, render(access.company, SPEC.entity, r), extra) for r in page
    ]
    return ok(data, {"next_cursor": next_cursor})


routes: list[BaseRoute] = [
    Route("/api/v2/deals/archived", list_archived, methods=["GET"]),
    *crud_routes(SPEC),
]

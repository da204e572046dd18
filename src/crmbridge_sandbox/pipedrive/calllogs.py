"""Call logs (v1 only): ``/v1/callLogs`` list/get/create/delete and ``/{id}/recordings``.

A call log has a string id and, unless it converts an existing ``call`` activity (``activity_id``),
creating one also creates a done ``call`` activity linked to the same deal/lead/person/org, which is how
Pipedrive shows calls in the timeline. Deleted logs answer 410 (the spec documents it for DELETE), and
the list holds the calling user's logs, at most 50 a page.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..bodies import read_bytes
from . import activities
from .auth import require_access
from .common import JSON, missing, now_of, offset_page, ok, q_int, rfc3339, v1_body
from .errors import PipedriveError, bad_request
from .store import Company, EntityTable
from .validate import WriteCtx, apply, fail, nonempty, nullable, one_of, ref, string, user_ref

SCOPES = ("phone-integration",)
OUTCOMES = ("connected", "no_answer", "left_message", "left_voicemail", "wrong_number", "busy")
REQUIRED = ("outcome", "to_phone_number", "start_time", "end_time")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def v1_datetime(ctx: WriteCtx, name: str, value: Any) -> str:
    """``YYYY-MM-DD HH:MM:SS`` (UTC), the format the spec gives for call times."""
    try:
        datetime.strptime(value, TIME_FORMAT)
    except (TypeError, ValueError):
        raise fail(name, "a UTC time YYYY-MM-DD HH:MM:SS", value) from None
    return str(value)


def seconds(ctx: WriteCtx, name: str, value: Any) -> str:
    """``duration``: seconds, sent as a string of digits (a JSON integer is accepted too)."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isdigit():
        raise fail(name, 'a number of seconds such as "60"', value)
    return text


FIELDS = {
    "outcome": one_of(*OUTCOMES),
    "to_phone_number": nonempty,
    "start_time": v1_datetime,
    "end_time": v1_datetime,
    "user_id": user_ref,
    # The spec documents 404 ("a resource required to process the request was not found") for creates.
    "activity_id": ref("activities", "Activity", missing_status=404),
    "subject": nullable(string),
    "duration": nullable(seconds),
    "from_phone_number": nullable(string),
    "person_id": nullable(ref("persons", "Person", missing_status=404)),
    "org_id": nullable(ref("organizations", "Organization", missing_status=404)),
    "deal_id": nullable(ref("deals", "Deal", missing_status=404)),
    "lead_id": nullable(ref("leads", "Lead", missing_status=404)),
    "note": nullable(string),
}


def table_of(company: Company) -> EntityTable:
    return company.tables.setdefault("call_logs", EntityTable())


def _from_activity(ctx: WriteCtx, clean: JSON) -> None:
    """Converting a ``call`` activity: its links win over any given in the body."""
    act = ctx.company.tables["activities"].rows[clean["activity_id"]]
    if act["type"] != "call":
        raise bad_request(
            f"Activity {act['id']} is of type '{act['type']}'; only a 'call' activity can be logged"
        )
    for key in ("deal_id", "lead_id", "person_id", "org_id"):
        clean[key] = act.get(key)
    clean.setdefault("subject", act.get("subject"))


def _new_activity(ctx: WriteCtx, log: JSON) -> int:
    """The done ``call`` activity that shows the logged call in the timeline."""
    start = datetime.strptime(log["start_time"], TIME_FORMAT).replace(tzinfo=UTC)
    table = ctx.company.tables["activities"]
    row: JSON = {"id": table.next_id, **activities.template(ctx)}
    row.update(
        subject=log["subject"] or "Call",
        type="call",
        owner_id=log["user_id"],
        done=True,
        deal_id=log["deal_id"],
        lead_id=log["lead_id"],
        org_id=log["org_id"],
        due_date=start.strftime("%Y-%m-%d"),
        due_time=start.strftime("%H:%M"),
        note=log["note"],
        participants=[{"person_id": log["person_id"], "primary": True}] if log["person_id"] else [],
    )
    activities.prepare(ctx, row, {"subject", "done"}, None)
    row["add_time"] = row["update_time"] = rfc3339(ctx.now)
    table.rows[table.new_id()] = row
    return int(row["id"])


def build(ctx: WriteCtx, body: JSON) -> JSON:
    lacking = [k for k in REQUIRED if body.get(k) is None]
    if lacking:
        raise bad_request(f"Missing required field(s): {', '.join(lacking)}")
    clean = apply(ctx, FIELDS, body)
    if clean.get("activity_id") is not None:
        _from_activity(ctx, clean)
    if clean.get("deal_id") and clean.get("lead_id"):
        raise bad_request("A call log can be linked to a deal or a lead, not both")
    if clean["end_time"] < clean["start_time"]:
        raise bad_request("Field 'end_time' must not be before 'start_time'")
    log: JSON = {
        "id": uuid.uuid4().hex,
        **dict.fromkeys(FIELDS),
        "user_id": ctx.user.id,
        "has_recording": False,
        "company_id": ctx.company.id,
        **clean,
    }
    if log["activity_id"] is None:
        log["activity_id"] = _new_activity(ctx, log)
    return log


def _find(company: Company, request: Request) -> JSON:
    row = table_of(company).rows.get(request.path_params["id"])
    if row is None:
        raise missing()
    if row.get("is_deleted"):
        raise PipedriveError(410, "Call log is no longer available", error_info="The call log was deleted.")
    return row


def render(row: JSON) -> JSON:
    return {k: v for k, v in row.items() if not k.startswith("_") and k not in ("is_deleted", "deleted_at")}


async def list_logs(request: Request) -> Response:
    access = require_access(request, scopes_any=SCOPES, cost=20)
    q_int(request, "limit", minimum=1, maximum=50)  # the spec's upper limit is 50
    mine = [r for r in table_of(access.company).live() if r["user_id"] == access.user.id]
    page, pagination = offset_page(request, mine)
    return ok([render(r) for r in page], {"pagination": pagination})


async def get_log(request: Request) -> Response:
    access = require_access(request, scopes_any=SCOPES, cost=2)
    return ok(render(_find(access.company, request)))


async def create_log(request: Request) -> Response:
    access = require_access(request, scopes_any=SCOPES, cost=10)
    body = await v1_body(request)
    log = build(WriteCtx(access.company, access.user, now_of(request)), body)
    table_of(access.company).rows[log["id"]] = log
    return ok(render(log))


async def delete_log(request: Request) -> Response:
    access = require_access(request, scopes_any=SCOPES, cost=6)
    row = _find(access.company, request)
    row.update(is_deleted=True, deleted_at=now_of(request))
    return success_only()


async def add_recording(request: Request) -> Response:
    """An audio file as multipart/form-data; the sandbox keeps only the fact that there is one."""
    access = require_access(request, scopes_any=SCOPES, cost=10)
    row = _find(access.company, request)
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise bad_request("Send the recording as multipart/form-data with a 'file' part")
    if not (await read_bytes(request)).strip():
        raise bad_request("The recording file is empty")
    row["has_recording"] = True
    return success_only()


def success_only() -> Response:
    """``{"success": true}`` and nothing else: the spec's answer to a call-log delete or recording."""
    return JSONResponse({"success": True})


routes: list[BaseRoute] = [
    Route("/v1/callLogs", list_logs, methods=["GET"]),
    Route("/v1/callLogs", create_log, methods=["POST"]),
    Route("/v1/callLogs/{id}", get_log, methods=["GET"]),
    Route("/v1/callLogs/{id}", delete_log, methods=["DELETE"]),
    Route("/v1/callLogs/{id}/recordings", add_recording, methods=["POST"]),
]

"""Notes (v1 only): HTML content attached to a deal, person, organization or lead; offset pages; PUT.

Notes are hard-deleted (v1 answers ``data: true``), their comments with them; the 30-day soft delete
is a v2 core-entity rule.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import notecomments
from .auth import require_access
from .common import (
    JSON,
    coerce_form_ints,
    missing,
    now_of,
    offset_page,
    ok,
    parse_time,
    q_int,
    v1_body,
    v1_time,
)
from .errors import PipedriveError, bad_request
from .store import Company
from .validate import WriteCtx, apply, fail, nonempty, nullable, ref, user_ref

READ = ("deals:read", "deals:full", "contacts:read", "contacts:full")
WRITE = ("deals:full", "contacts:full")
#: Attachment key → (table, label, pinned flag, display key of the embedded summary).
LINKS = {
    "deal_id": ("deals", "Deal", "pinned_to_deal_flag", "deal", "title"),
    "person_id": ("persons", "Person", "pinned_to_person_flag", "person", "name"),
    "org_id": ("organizations", "Organization", "pinned_to_organization_flag", "organization", "name"),
    "lead_id": ("leads", "Lead", "pinned_to_lead_flag", "lead", "title"),
}
SCRIPT_RE = re.compile(r"<script\b.*?</script\s*>|\son\w+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I | re.S)
SORTABLE = ("id", "user_id", "deal_id", "person_id", "org_id", "content", "add_time", "update_time")


def flag(ctx: WriteCtx, name: str, value: Any) -> bool:
    """v1 flags: true/false or 0/1 (also as strings, for form bodies)."""
    table = {
        True: True,
        False: False,
        "1": True,
        "0": False,
        "true": True,
        "false": False,
    }  # 1/0 == True/False
    if isinstance(value, list | dict) or value not in table:
        raise fail(name, "a flag (0, 1, true or false)", value)
    return table[value]


def add_time(ctx: WriteCtx, name: str, value: Any) -> float:
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise fail(name, "a UTC time 'YYYY-MM-DD HH:MM:SS'", value)
    return parsed


FIELDS = {
    "content": nonempty,
    "user_id": user_ref,
    "add_time": add_time,
    **{key: nullable(ref(table, label)) for key, (table, label, *_rest) in LINKS.items()},
    **{pin: flag for (_t, _l, pin, *_rest) in LINKS.values()},
}


def render(company: Company, row: JSON) -> JSON:
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    out["add_time"], out["update_time"] = v1_time(row["_add"]), v1_time(row["_update"])
    for key, (table, _label, _pin, embed, display) in LINKS.items():
        linked = company.tables[table].rows.get(row[key]) if row[key] is not None else None
        out[embed] = {display: linked[display]} if linked else None
    user = company.users.get(row["user_id"])
    out["user"] = {"email": user.email, "name": user.name, "icon_url": None, "is_you": True} if user else None
    # The spec's project and task links: the sandbox has no projects or tasks, so never set.
    out.update(project=None, task_id=None, task=None, pinned_to_project_flag=False, pinned_to_task_flag=False)
    return out


def build_note(ctx: WriteCtx, body: JSON, before: JSON | None) -> JSON:
    body = coerce_form_ints(body, ("user_id", *LINKS))
    clean = apply(ctx, FIELDS, body, read_only=("id", "update_time", "active_flag"))
    if (
        "user_id" in clean
        and clean["user_id"] != (before or {}).get("user_id", ctx.user.id)
        and not ctx.user.is_admin
    ):
        raise PipedriveError(403, "Only admins can change the author (user_id) of a note")
    if "content" in clean:
        clean["content"] = SCRIPT_RE.sub("", clean["content"])
    when = clean.pop("add_time", None)
    if before is None:
        if "content" not in clean:
            raise bad_request("Field 'content' is required")
        row: JSON = {
            "id": ctx.company.tables["notes"].next_id,
            "user_id": ctx.user.id,
            **dict.fromkeys(LINKS),
            "project_id": None,
            "content": "",
            "active_flag": True,
            **{pin: False for (_t, _l, pin, *_rest) in LINKS.values()},
            "last_update_user_id": None,
            "_add": ctx.now,
        }
    else:
        row = dict(before)
        row["last_update_user_id"] = ctx.user.id
    row.update(clean)
    if when is not None:
        row["_add"] = when
    row["_update"] = ctx.now
    if all(row[k] is None for k in LINKS):
        raise bad_request(
            "A note must be attached to something: give one of deal_id, person_id, org_id or lead_id"
        )
    return row


def _find(company: Company, request: Request) -> JSON:
    row = company.tables["notes"].rows.get(request.path_params["id"])
    if row is None:
        raise missing()
    return row


async def list_notes(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=20)
    rows = list(access.company.tables["notes"].rows.values())
    for param in ("user_id", "deal_id", "person_id", "org_id"):
        wanted = q_int(request, param)
        if wanted is not None:
            rows = [r for r in rows if r[param] == wanted]
    if request.query_params.get("lead_id"):
        rows = [r for r in rows if r["lead_id"] == request.query_params["lead_id"]]
    for _t, _l, pin, *_rest in LINKS.values():
        raw = request.query_params.get(pin)
        if raw:
            rows = [r for r in rows if r[pin] == flag(WriteCtx(access.company, access.user, 0), pin, raw)]
    sort = (request.query_params.get("sort") or "id ASC").split()
    field, direction = sort[0], (sort[1].upper() if len(sort) > 1 else "ASC")
    if field not in SORTABLE or direction not in ("ASC", "DESC"):
        raise bad_request(
            f"Parameter 'sort' must be '<field> ASC|DESC' with field one of {', '.join(SORTABLE)}"
        )
    key = {"add_time": "_add", "update_time": "_update"}.get(field, field)
    rows.sort(
        key=lambda r: (r[key] is None, r[key] if r[key] is not None else 0, r["id"]),
        reverse=direction == "DESC",
    )
    page, pagination = offset_page(request, rows)
    return ok([render(access.company, r) for r in page], {"pagination": pagination})


async def get_note(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=2)
    return ok(render(access.company, _find(access.company, request)))


async def create_note(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=10)
    body = await v1_body(request)
    row = build_note(WriteCtx(access.company, access.user, now_of(request)), body, None)
    table = access.company.tables["notes"]
    table.rows[table.new_id()] = row
    return ok(render(access.company, row))


async def update_note(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=10)
    before = _find(access.company, request)
    body = await v1_body(request)
    row = build_note(WriteCtx(access.company, access.user, now_of(request)), body, before)
    access.company.tables["notes"].rows[row["id"]] = row
    return ok(render(access.company, row))


async def delete_note(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=6)
    row = _find(access.company, request)
    del access.company.tables["notes"].rows[row["id"]]
    notecomments.drop_for_note(access.company, row["id"])
    return ok(True)


routes: list[BaseRoute] = [
    Route("/v1/notes", list_notes, methods=["GET"]),
    Route("/v1/notes", create_note, methods=["POST"]),
    Route("/v1/notes/" + id_param("id"), get_note, methods=["GET"]),
    Route("/v1/notes/" + id_param("id"), update_note, methods=["PUT"]),
    Route("/v1/notes/" + id_param("id"), delete_note, methods=["DELETE"]),
]

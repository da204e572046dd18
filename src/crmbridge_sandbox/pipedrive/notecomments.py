"""Comments on notes (v1): ``/v1/notes/{id}/comments`` list (offset pages) and add, and
``/{commentId}`` get, update (PUT) and delete. Comment ids are UUID strings.

A comment is ``{uuid, active_flag, add_time, update_time, content, object_id, object_type: "note",
user_id, updater_id, company_id}``; ``object_id`` is the note's id as a string. Its content is
sanitised like a note's. Deleting a comment removes it (``data: true``); deleting the note removes
its comments. Sandbox choices where the spec is silent: only the author or an admin may change or
delete a comment (403 otherwise); ``updater_id`` is the author until someone updates it.
"""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import notes
from .auth import require_access
from .common import JSON, missing, now_of, offset_page, ok, v1_body, v1_time
from .errors import PipedriveError, bad_request
from .store import Company, EntityTable, User
from .validate import WriteCtx, apply, nonempty

FIELDS = {"content": nonempty}
READ_ONLY = ("uuid", "active_flag", "add_time", "update_time", "object_id", "object_type", "user_id",
             "updater_id", "company_id")  # fmt: skip


def table_of(company: Company) -> EntityTable:
    return company.tables.setdefault("note_comments", EntityTable())


def drop_for_note(company: Company, note_id: int) -> None:
    """The note is gone: so are its comments."""
    table = table_of(company)
    for key in [k for k, c in table.rows.items() if c["_note_id"] == note_id]:
        del table.rows[key]


def render(company: Company, row: JSON) -> JSON:
    return {
        "uuid": row["uuid"],
        "active_flag": True,
        "add_time": v1_time(row["_add"]),
        "update_time": v1_time(row["_update"]),
        "content": row["content"],
        "object_id": str(row["_note_id"]),
        "object_type": "note",
        "user_id": row["user_id"],
        "updater_id": row["updater_id"],
        "company_id": company.id,  # rendered, not stored: a cloned company shows its own id
    }


def _note(request: Request, company: Company) -> JSON:
    row = company.tables["notes"].rows.get(request.path_params["id"])
    if row is None:
        raise missing()
    return row


def _comment(request: Request, company: Company, note: JSON) -> JSON:
    row = table_of(company).rows.get(str(request.path_params["comment_id"]).lower())
    if row is None or row["_note_id"] != note["id"]:
        raise missing()
    return row


def _content(ctx: WriteCtx, body: JSON) -> str:
    if body.get("content") is None:
        raise bad_request("Field 'content' is required")
    clean = apply(ctx, FIELDS, body, read_only=READ_ONLY)
    text = notes.SCRIPT_RE.sub("", clean["content"])
    if not text.strip():
        raise bad_request("Invalid field 'content': must not be empty once sanitised")
    return text


def _may_change(user: User, row: JSON) -> None:
    if row["user_id"] != user.id and not user.is_admin:
        raise PipedriveError(403, "Only the comment's author or an admin can change or delete it")


async def list_comments(request: Request) -> Response:
    access = require_access(request, scopes_any=notes.READ, cost=20)
    note = _note(request, access.company)
    rows = [c for c in table_of(access.company).rows.values() if c["_note_id"] == note["id"]]
    rows.sort(key=lambda c: (c["_add"], c["_seq"]))
    page, pagination = offset_page(request, rows)
    return ok([render(access.company, c) for c in page], {"pagination": pagination})


async def get_comment(request: Request) -> Response:
    access = require_access(request, scopes_any=notes.READ, cost=2)
    note = _note(request, access.company)
    return ok(render(access.company, _comment(request, access.company, note)))


async def add_comment(request: Request) -> Response:
    access = require_access(request, scopes_any=notes.WRITE, cost=10)
    note = _note(request, access.company)
    now = now_of(request)
    content = _content(WriteCtx(access.company, access.user, now), await v1_body(request))
    table = table_of(access.company)
    row: JSON = {
        "uuid": str(uuid.uuid4()),
        "content": content,
        "user_id": access.user.id,
        "updater_id": access.user.id,
        "_note_id": note["id"],
        "_add": now,
        "_update": now,
        "_seq": table.new_id(),  # keeps creation order among comments added in the same second
    }
    table.rows[row["uuid"]] = row
    return ok(render(access.company, row))


async def update_comment(request: Request) -> Response:
    access = require_access(request, scopes_any=notes.WRITE, cost=10)
    note = _note(request, access.company)
    row = _comment(request, access.company, note)
    _may_change(access.user, row)
    now = now_of(request)
    content = _content(WriteCtx(access.company, access.user, now), await v1_body(request))
    row.update(content=content, updater_id=access.user.id, _update=now)
    return ok(render(access.company, row))


async def delete_comment(request: Request) -> Response:
    access = require_access(request, scopes_any=notes.WRITE, cost=6)
    note = _note(request, access.company)
    row = _comment(request, access.company, note)
    _may_change(access.user, row)
    del table_of(access.company).rows[row["uuid"]]
    return ok(True)


_BASE = "/v1/notes/" + id_param("id") + "/comments"
_ONE = _BASE + "/{comment_id}"
routes: list[BaseRoute] = [
    Route(_BASE, list_comments, methods=["GET"]),
    Route(_BASE, add_comment, methods=["POST"]),
    Route(_ONE, get_comment, methods=["GET"]),
    Route(_ONE, update_comment, methods=["PUT"]),
    Route(_ONE, delete_comment, methods=["DELETE"]),
]

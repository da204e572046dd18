"""Generic v2 CRUD: an :class:`EntitySpec` declares an entity (fields, rules, filters, scopes) and
:func:`crud_routes` turns it into list/get/create/update/soft-delete routes.

Deleted rows stay readable for 30 days (``is_deleted: true``) and are purged lazily when the table is
touched. Writing to a soft-deleted row answers **410 Gone**: the reference lists 410 as "the old resource
is permanently unavailable", which is exactly a soft-deleted row's state; once purged it is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import customfields, includes, shapes
from .auth import require_access
from .common import (
    JSON,
    cursor_page,
    json_body,
    missing,
    now_of,
    ok,
    parse_time,
    public,
    q_bool,
    q_choice,
    q_int,
    q_int_list,
    q_time,
    rfc3339,
    sort_rows,
)
from .errors import PipedriveError, bad_request
from .store import Company, EntityTable
from .validate import Check, WriteCtx, apply


@dataclass(frozen=True, slots=True)
class Filter:
    """A list query parameter matched against a row key (``int`` | ``ints`` | ``bool`` | ``str``)."""

    param: str
    key: str
    kind: str = "int"


Prepare = Callable[[WriteCtx, JSON, set[str], JSON | None], None]
Select = Callable[[Request, EntityTable], list[JSON]]


def live_rows(request: Request, table: EntityTable) -> list[JSON]:
    return table.live()


def no_rules(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    return None


@dataclass(frozen=True)
class EntitySpec:
    table: str  # company.tables key, e.g. "deals"
    entity: str  # custom-field entity, e.g. "deal"
    path: str  # e.g. "/api/v2/deals"
    read_scopes: tuple[str, ...]
    write_scopes: tuple[str, ...]
    fields: Mapping[str, Check]  # writable fields
    template: Callable[[WriteCtx], JSON]  # a new row's defaults (without id and times)
    prepare: Prepare = no_rules  # entity rules on the merged row; may raise 400s
    filters: tuple[Filter, ...] = ()
    sort_by: tuple[str, ...] = ("id", "update_time", "add_time")
    read_only: tuple[str, ...] = ("id", "add_time", "update_time", "creator_user_id")
    create_only: tuple[str, ...] = ()  # read-only fields the spec lets a create set (e.g. add_time)
    create_status: int = 200
    select: Select = live_rows
    skip: tuple[str, ...] = field(default=("custom_fields",))


def render(company: Company, spec_entity: str, row: JSON) -> JSON:
    """The v2 shape: bookkeeping removed; derived fields added; every custom field present (null when unset)."""
    out = shapes.complete(company, spec_entity, public(row))
    if "custom_fields" in out:
        out["custom_fields"] = {
            **customfields.empty(company.custom_fields(spec_entity)),
            **(out.pop("custom_fields") or {}),
        }
    return out


def find(company: Company, table: str, key: Any, now: float) -> JSON:
    """A row by id, deleted ones included until purged; 404 once purged or never created."""
    row = company.tables[table].get(key, now)
    if row is None:
        raise missing()
    return row


def gone() -> PipedriveError:
    return PipedriveError(
        410, "Entity is deleted and can no longer be changed", error_info="Object is deleted."
    )


def _matches(request: Request, flt: Filter, row: JSON) -> bool:
    raw = request.query_params.get(flt.param)
    if raw is None or raw == "":
        return True
    value = row.get(flt.key)
    if flt.kind == "ints":
        return value in (q_int_list(request, flt.param) or [])
    if flt.kind == "bool":
        return value == q_bool(request, flt.param)
    if flt.kind == "str":
        return value == raw
    return bool(value == q_int(request, flt.param))


def listed(request: Request, spec: EntitySpec, company: Company, now: float) -> list[JSON]:
    """Filtered, time-bounded and sorted rows for a v2 list."""
    table = company.tables[spec.table]
    table.purge(now)
    rows = [r for r in spec.select(request, table) if all(_matches(request, f, r) for f in spec.filters)]
    since, until = q_time(request, "updated_since"), q_time(request, "updated_until")
    if since is not None:
        rows = [r for r in rows if (parse_time(r["update_time"]) or 0) >= since]
    if until is not None:
        rows = [r for r in rows if (parse_time(r["update_time"]) or 0) < until]
    key = q_choice(request, "sort_by", spec.sort_by, "id")
    direction = q_choice(request, "sort_direction", ("asc", "desc"), "asc")
    return sort_rows(rows, key, direction)


def _write(spec: EntitySpec, ctx: WriteCtx, body: JSON, before: JSON | None, new_id: int = 0) -> JSON:
    """Validate ``body`` and return the merged row (not yet stored; a new row gets ``new_id``)."""
    if "is_deleted" in body and body["is_deleted"] is not False:
        if body["is_deleted"] is not True:
            raise bad_request(
                f"Invalid field 'is_deleted': expected true or false, got {body['is_deleted']!r}"
            )
        verb = "create a deleted entity" if before is None else "delete through PATCH; use DELETE"
        raise bad_request(f"Field 'is_deleted' cannot be set: you cannot {verb}")
    body = {k: v for k, v in body.items() if k != "is_deleted"}  # false: what a live row is anyway
    read_only = spec.read_only
    if before is None:
        read_only = tuple(k for k in read_only if k not in spec.create_only)
    clean = apply(ctx, spec.fields, body, read_only=read_only, skip=spec.skip)
    row = dict(before) if before is not None else {"id": new_id, **spec.template(ctx)}
    row.update(clean)
    if "custom_fields" in body and "custom_fields" in spec.skip:
        values = customfields.validate(ctx, spec.entity, body["custom_fields"])
        row["custom_fields"] = {**(row.get("custom_fields") or {}), **values}
    spec.prepare(ctx, row, set(body), before)
    row["update_time"] = rfc3339(ctx.now)
    return row


def crud_routes(spec: EntitySpec) -> list[BaseRoute]:
    async def list_(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.read_scopes, cost=10)
        rows = listed(request, spec, access.company, now_of(request))
        page, next_cursor = cursor_page(request, rows)
        extra = includes.wanted(request, spec.entity)
        data = [
            includes.add(access.company, spec.entity, render(access.company, spec.entity, r), extra)
            for r in page
        ]
        return ok(data, {"next_cursor": next_cursor})

    async def get(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.read_scopes, cost=1)
        extra = includes.wanted(request, spec.entity)
        row = find(access.company, spec.table, request.path_params["id"], now_of(request))
        return ok(includes.add(access.company, spec.entity, render(access.company, spec.entity, row), extra))

    async def create(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.write_scopes, cost=5)
        body = await json_body(request)
        ctx = WriteCtx(access.company, access.user, now_of(request))
        table = access.company.tables[spec.table]
        row = _write(spec, ctx, body, None, table.next_id)
        row["add_time"] = row.get("add_time") or rfc3339(ctx.now)
        table.rows[table.new_id()] = row  # the id is only consumed once the row is valid
        return ok(render(access.company, spec.entity, row), status_code=spec.create_status)

    async def update(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.write_scopes, cost=5)
        now = now_of(request)
        before = find(access.company, spec.table, request.path_params["id"], now)
        if before.get("is_deleted"):
            raise gone()
        body = await json_body(request)
        row = _write(spec, WriteCtx(access.company, access.user, now), body, before)
        access.company.tables[spec.table].rows[row["id"]] = row
        return ok(render(access.company, spec.entity, row))

    async def delete(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.write_scopes, cost=3)
        now = now_of(request)
        row = find(access.company, spec.table, request.path_params["id"], now)
        if row.get("is_deleted"):
            raise gone()
        row.update(is_deleted=True, deleted_at=now, update_time=rfc3339(now))
        return ok({"id": row["id"]})

    one = spec.path + "/" + id_param("id")
    return [
        Route(spec.path, list_, methods=["GET"]),
        Route(spec.path, create, methods=["POST"]),
        Route(one, get, methods=["GET"]),
        Route(one, update, methods=["PATCH"]),
        Route(one, delete, methods=["DELETE"]),
    ]

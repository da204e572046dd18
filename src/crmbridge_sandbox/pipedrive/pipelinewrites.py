"""Pipeline and stage writes (v2 POST / PATCH / DELETE, ``admin`` scope), on the generic v2 CRUD.

A new pipeline starts without stages (add them with ``POST /api/v2/stages``); a new stage goes last in
its pipeline, and a stage moved to another pipeline goes last there. Deleting a pipeline soft-deletes its
stages with it, so no live stage points at a deleted pipeline.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import require_access
from .common import JSON, now_of, ok, rfc3339
from .entity import EntitySpec, crud_routes, find, gone
from .errors import bad_request
from .pipelines import PIPELINES, STAGES, stages_of
from .validate import WriteCtx, boolean, fail, integer, nonempty, nullable, ref

WRITE = ("admin",)
READ_ONLY = ("id", "add_time", "update_time", "order_nr", "is_selected")


def _probability(ctx: WriteCtx, name: str, value: Any) -> int:
    number = integer(ctx, name, value)
    if not 0 <= number <= 100:
        raise fail(name, "an integer from 0 to 100", value)
    return number


def _days(ctx: WriteCtx, name: str, value: Any) -> int:
    number = integer(ctx, name, value)
    if number < 0:
        raise fail(name, "a non-negative integer", value)
    return number


def _pipeline_rules(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    if before is None:
        if "name" not in given:
            raise bad_request("Field 'name' is required")
        row["order_nr"] = len(ctx.company.tables["pipelines"].rows) + 1


def _stage_rules(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    if before is None:
        missing = [k for k in ("name", "pipeline_id") if k not in given]
        if missing:
            raise bad_request(f"Field(s) {', '.join(missing)} are required")
    if before is None or row["pipeline_id"] != before["pipeline_id"]:
        siblings = [s for s in stages_of(ctx.company, row["pipeline_id"]) if s["id"] != row["id"]]
        row["order_nr"] = max((s["order_nr"] for s in siblings), default=0) + 1


PIPELINE_WRITES = EntitySpec(
    table=PIPELINES.table,
    entity=PIPELINES.entity,
    path=PIPELINES.path,
    read_scopes=PIPELINES.read_scopes,
    write_scopes=WRITE,
    fields={"name": nonempty, "is_deal_probability_enabled": boolean},
    template=lambda ctx: {
        "name": "",
        "order_nr": 0,
        "is_deleted": False,
        "is_deal_probability_enabled": False,
        "add_time": rfc3339(ctx.now),
        "is_selected": False,
    },
    prepare=_pipeline_rules,
    read_only=READ_ONLY,
)
STAGE_WRITES = EntitySpec(
    table=STAGES.table,
    entity=STAGES.entity,
    path=STAGES.path,
    read_scopes=STAGES.read_scopes,
    write_scopes=WRITE,
    fields={
        "name": nonempty,
        "pipeline_id": ref("pipelines", "Pipeline"),
        "deal_probability": _probability,
        "is_deal_rot_enabled": boolean,
        "days_to_rotten": nullable(_days),
    },
    template=lambda ctx: {
        "order_nr": 0,
        "name": "",
        "is_deleted": False,
        "deal_probability": 100,
        "pipeline_id": 0,
        "is_deal_rot_enabled": False,
        "days_to_rotten": None,
        "add_time": rfc3339(ctx.now),
    },
    prepare=_stage_rules,
    read_only=READ_ONLY,
)


async def _delete_pipeline(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=3)
    now = now_of(request)
    row = find(access.company, "pipelines", request.path_params["id"], now)
    if row.get("is_deleted"):
        raise gone()
    stamp = {"is_deleted": True, "deleted_at": now, "update_time": rfc3339(now)}
    for stage in stages_of(access.company, row["id"]):
        stage.update(stamp)
    row.update(stamp)
    return ok({"id": row["id"]})


def _writes(spec: EntitySpec) -> list[BaseRoute]:
    return [r for r in crud_routes(spec) if isinstance(r, Route) and r.methods and "GET" not in r.methods]


routes: list[BaseRoute] = [
    *[r for r in _writes(PIPELINE_WRITES) if isinstance(r, Route) and "DELETE" not in (r.methods or ())],
    Route(PIPELINES.path + "/" + id_param("id"), _delete_pipeline, methods=["DELETE"]),
    *_writes(STAGE_WRITES),
]

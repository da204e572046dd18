"""Pipelines and stages (v2, read routes) and the helpers deals use to place themselves in a stage."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import require_access
from .common import JSON, cursor_page, now_of, ok, public, rfc3339
from .entity import EntitySpec, Filter, find, listed
from .store import Company

READ = ("deals:read", "deals:full", "admin")

PIPELINES = EntitySpec(
    table="pipelines",
    entity="pipeline",
    path="/api/v2/pipelines",
    read_scopes=READ,
    write_scopes=("admin",),
    fields={},
    template=lambda ctx: {},
)
STAGES = EntitySpec(
    table="stages",
    entity="stage",
    path="/api/v2/stages",
    read_scopes=READ,
    write_scopes=("admin",),
    fields={},
    template=lambda ctx: {},
    filters=(Filter("pipeline_id", "pipeline_id"),),
    sort_by=("id", "update_time", "add_time", "order_nr"),
)


def add_pipeline(
    company: Company, name: str, stages: Sequence[tuple[str, int]], now: float, *, selected: bool = False
) -> JSON:
    """Create a pipeline and its stages (name, deal probability) in order; returns the pipeline row."""
    pipelines = company.tables["pipelines"]
    ts = rfc3339(now)
    pipeline: JSON = {
        "id": pipelines.new_id(),
        "name": name,
        "order_nr": len(pipelines.rows) + 1,
        "is_deleted": False,
        "is_deal_probability_enabled": True,
        "add_time": ts,
        "update_time": ts,
        "is_selected": selected,
    }
    pipelines.rows[pipeline["id"]] = pipeline
    table = company.tables["stages"]
    for order, (stage_name, probability) in enumerate(stages, start=1):
        sid = table.new_id()
        table.rows[sid] = {
            "id": sid,
            "order_nr": order,
            "name": stage_name,
            "is_deleted": False,
            "deal_probability": probability,
            "pipeline_id": pipeline["id"],
            "is_deal_rot_enabled": False,
            "days_to_rotten": None,
            "add_time": ts,
            "update_time": ts,
        }
    return pipeline


def default_pipeline(company: Company) -> JSON | None:
    """The first live pipeline by order: where deals without a stage or pipeline land."""
    rows = company.tables["pipelines"].live()
    return min(rows, key=lambda p: (p["order_nr"], p["id"])) if rows else None


def stages_of(company: Company, pipeline_id: int) -> list[JSON]:
    rows = [s for s in company.tables["stages"].live() if s["pipeline_id"] == pipeline_id]
    return sorted(rows, key=lambda s: (s["order_nr"], s["id"]))


def first_stage(company: Company, pipeline_id: int) -> JSON | None:
    stages = stages_of(company, pipeline_id)
    return stages[0] if stages else None


def _read_routes(spec: EntitySpec) -> list[BaseRoute]:
    async def list_(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.read_scopes, cost=5)
        rows = listed(request, spec, access.company, now_of(request))
        page, next_cursor = cursor_page(request, rows)
        return ok([public(r) for r in page], {"next_cursor": next_cursor})

    async def get(request: Request) -> Response:
        access = require_access(request, scopes_any=spec.read_scopes, cost=1)
        return ok(public(find(access.company, spec.table, request.path_params["id"], now_of(request))))

    return [
        Route(spec.path, list_, methods=["GET"]),
        Route(spec.path + "/" + id_param("id"), get, methods=["GET"]),
    ]


routes: list[BaseRoute] = [*_read_routes(PIPELINES), *_read_routes(STAGES)]

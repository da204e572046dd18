"""Deal and ticket pipelines: the defaults every portal starts with, and the read routes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from .auth import authenticate, require_access
from .common import flag, resolve_type
from .errors import not_found, validation
from .serialize import iso
from .store import ObjectType, Pipeline, Portal, Stage

DEALS, TICKETS = "0-3", "0-5"

#: (id, label, probability, closed)
DEAL_STAGES: tuple[tuple[str, str, str, bool], ...] = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
    ("contractsent", "Contract Sent", "0.9", False),
    ("closedwon", "Closed Won", "1.0", True),
    ("closedlost", "Closed Lost", "0.0", True),
)
TICKET_STAGES: tuple[tuple[str, str, str], ...] = (
    ("1", "New", "OPEN"),
    ("2", "Waiting on contact", "OPEN"),
    ("3", "Waiting on us", "OPEN"),
    ("4", "Closed", "CLOSED"),
)


def _deal_stage(sid: str, label: str, probability: str, closed: bool, order: int) -> Stage:
    return Stage(sid, label, order, {"isClosed": str(closed).lower(), "probability": probability})


def defaults(now: float, number: int) -> dict[str, list[Pipeline]]:
    """Sales pipeline "default", a "Renewals" pipeline with numeric ids from ``number``, and support "0"."""
    sales = Pipeline(
        "default",
        "Sales Pipeline",
        0,
        [_deal_stage(*row, order=i) for i, row in enumerate(DEAL_STAGES)],
        created_at=now,
        updated_at=now,
    )
    base = 10_000_000 + number % 1_000_000 * 10
    renewal_rows = (("Renewal Due", "0.3", False), ("Renewal Negotiation", "0.7", False),
                    ("Renewed", "1.0", True), ("Churned", "0.0", True))  # fmt: skip
    renewals = Pipeline(
        str(base),
        "Renewals",
        1,
        [_deal_stage(str(base + 1 + i), label, p, c, i) for i, (label, p, c) in enumerate(renewal_rows)],
        created_at=now,
        updated_at=now,
    )
    support = Pipeline(
        "0",
        "Support Pipeline",
        0,
        [Stage(sid, label, i, {"ticketState": state}) for i, (sid, label, state) in enumerate(TICKET_STAGES)],
        created_at=now,
        updated_at=now,
    )
    return {DEALS: [sales, renewals], TICKETS: [support]}


def find(portal: Portal, type_id: str, pipeline_id: str) -> Pipeline | None:
    return next(
        (p for p in portal.pipelines.get(type_id, []) if p.id == pipeline_id and not p.archived), None
    )


def stage_json(stage: Stage, pipeline: Pipeline) -> dict[str, Any]:
    return {
        "id": stage.id,
        "label": stage.label,
        "displayOrder": stage.display_order,
        "metadata": dict(stage.metadata),
        "createdAt": iso(pipeline.created_at),
        "updatedAt": iso(pipeline.updated_at),
        "archived": stage.archived,
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
    }


def pipeline_json(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "id": pipeline.id,
        "label": pipeline.label,
        "displayOrder": pipeline.display_order,
        "stages": [stage_json(s, pipeline) for s in pipeline.stages if not s.archived],
        "createdAt": iso(pipeline.created_at),
        "updatedAt": iso(pipeline.updated_at),
        "archived": pipeline.archived,
    }


def _pipeline_type(request: Request) -> tuple[Portal, ObjectType]:
    """Authenticate for the path's object type; only deals and tickets have pipelines."""
    object_type = resolve_type(authenticate(request).portal, request.path_params["object_type"])
    access = require_access(request, scopes_any=object_type.schema_read_scopes)
    if object_type.type_id not in (DEALS, TICKETS):
        raise validation(f"Object type {object_type.name} does not support pipelines; use deals or tickets")
    return access.portal, object_type


def _pipeline(request: Request) -> tuple[Pipeline, ObjectType]:
    portal, object_type = _pipeline_type(request)
    pid = request.path_params["pipeline_id"]
    pipeline = find(portal, object_type.type_id, pid)
    if pipeline is None:
        raise not_found(f"Unable to find pipeline {pid} for object type {object_type.name}")
    return pipeline, object_type


async def list_pipelines(request: Request) -> JSONResponse:
    portal, object_type = _pipeline_type(request)
    archived = flag(request, "archived")
    found = [p for p in portal.pipelines.get(object_type.type_id, []) if p.archived == archived]
    ordered = sorted(found, key=lambda p: (p.display_order, p.label))
    return JSONResponse({"results": [pipeline_json(p) for p in ordered]})


async def get_pipeline(request: Request) -> JSONResponse:
    pipeline, _ = _pipeline(request)
    return JSONResponse(pipeline_json(pipeline))


async def list_stages(request: Request) -> JSONResponse:
    pipeline, _ = _pipeline(request)
    return JSONResponse({"results": [stage_json(s, pipeline) for s in pipeline.stages if not s.archived]})


async def get_stage(request: Request) -> JSONResponse:
    pipeline, _ = _pipeline(request)
    sid = request.path_params["stage_id"]
    stage = next((s for s in pipeline.stages if s.id == sid and not s.archived), None)
    if stage is None:
        raise not_found(f"Unable to find stage {sid} in pipeline {pipeline.id}")
    return JSONResponse(stage_json(stage, pipeline))


routes: list[BaseRoute] = [
    Route("/crm/v3/pipelines/{object_type}", list_pipelines, methods=["GET"]),
    Route("/crm/v3/pipelines/{object_type}/{pipeline_id}", get_pipeline, methods=["GET"]),
    Route("/crm/v3/pipelines/{object_type}/{pipeline_id}/stages", list_stages, methods=["GET"]),
    Route("/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}", get_stage, methods=["GET"]),
]

"""Pipeline and stage writes (``/crm/v3/pipelines/{objectType}``): create, replace, update, delete, audit.

Facts from HubSpot's spec: a pipeline needs ``label``, ``displayOrder`` and ``stages``; a stage needs
``label``, ``displayOrder`` and ``metadata`` (a stage PATCH too). Deal stages carry ``probability``
(0.0-1.0) in their metadata, ticket stages ``ticketState`` (OPEN or CLOSED). Creates answer 201, deletes
204. ``validateReferencesBeforeDelete=true`` refuses to delete what records still use. Every write adds
an audit entry (``CREATE``/``UPDATE``/``DELETE``), newest first.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .auth import authenticate, require_access
from .common import flag, read_json, resolve_type
from .errors import HubSpotError, not_found, require, validation
from .pipelines import DEALS, TICKETS, find, pipeline_json, stage_json
from .serialize import iso
from .store import ObjectType, Pipeline, Portal, Stage
from .validation import PIPELINE_PROPS


def _write_type(request: Request) -> tuple[Portal, ObjectType, float]:
    object_type = resolve_type(authenticate(request).portal, request.path_params["object_type"])
    access = require_access(request, scopes_any=object_type.write_scopes)
    if object_type.type_id not in (DEALS, TICKETS):
        raise validation(f"Object type {object_type.name} does not support pipelines; use deals or tickets")
    now: float = request.app.state.hubspot.ctx.clock.now()
    return access.portal, object_type, now


def _audits(portal: Portal) -> dict[str, list[dict[str, Any]]]:
    if getattr(portal, "audits", None) is None:  # portals pickled before audits existed
        portal.audits = {}
    return portal.audits


def _audit(portal: Portal, key: str, action: str, identifier: str, raw: dict[str, Any], now: float) -> None:
    entry = {
        "portalId": portal.id,
        "identifier": identifier,
        "action": action,
        "timestamp": iso(now),
        "message": f"{action} {identifier}",
        "rawObject": raw,
    }
    _audits(portal).setdefault(key, []).insert(0, entry)


def _text(body: dict[str, Any], name: str) -> str:
    value = body[name]
    if not isinstance(value, str) or not value.strip():
        raise validation(f"'{name}' must be a non-empty string")
    return value


def _order(body: dict[str, Any]) -> int:
    value = body["displayOrder"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise validation("'displayOrder' must be an integer")
    return value


def _metadata(object_type: ObjectType, raw: Any, before: dict[str, str] | None) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise validation("'metadata' must be an object of strings")
    meta = {
        **(before or {}),
        **{str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in raw.items()},
    }
    if object_type.type_id == DEALS:
        try:
            probability = float(meta["probability"])
        except (KeyError, ValueError):
            raise validation("Deal stages need metadata.probability, a number from 0.0 to 1.0") from None
        if not 0.0 <= probability <= 1.0:
            raise validation(f"metadata.probability must be between 0.0 and 1.0, got {meta['probability']}")
        if meta.setdefault("isClosed", "false") not in ("true", "false"):
            raise validation("metadata.isClosed must be true or false")
    elif meta.get("ticketState") not in ("OPEN", "CLOSED"):
        raise validation("Ticket stages need metadata.ticketState, OPEN or CLOSED")
    return meta


def _new_stage(portal: Portal, object_type: ObjectType, raw: Any, taken: set[str]) -> Stage:
    require(raw, ("label", "displayOrder", "metadata"), "PipelineStageInput")
    sid = raw.get("stageId") or str(portal.new_id())
    if not isinstance(sid, str) or sid in taken:
        raise validation(f"Stage id {sid!r} is not a free string id")
    taken.add(sid)
    return Stage(sid, _text(raw, "label"), _order(raw), _metadata(object_type, raw["metadata"], None))


def _pipeline_from(
    portal: Portal, object_type: ObjectType, body: dict[str, Any], pid: str, now: float
) -> Pipeline:
    require(body, ("label", "displayOrder", "stages"), "PipelineInput")
    raw_stages = body["stages"]
    if not isinstance(raw_stages, list) or not raw_stages:
        raise validation("'stages' must be a non-empty list of stages")
    taken: set[str] = set()
    stages = [_new_stage(portal, object_type, s, taken) for s in raw_stages]
    label = _text(body, "label")
    live = [p for p in portal.pipelines.get(object_type.type_id, []) if not p.archived and p.id != pid]
    if any(p.label == label for p in live):
        raise HubSpotError(409, "CONFLICT", f"A pipeline labelled {label!r} already exists")
    return Pipeline(pid, label, _order(body), stages, created_at=now, updated_at=now)


def _in_use(portal: Portal, object_type: ObjectType, pipeline_id: str, stage_id: str | None = None) -> bool:
    pipe_prop, stage_prop, _ = PIPELINE_PROPS[object_type.type_id]
    table = portal.tables.get(object_type.type_id)
    records = [r for r in (table.records.values() if table else []) if not r.archived]
    if stage_id is None:
        return any(r.properties.get(pipe_prop) == pipeline_id for r in records)
    return any(r.properties.get(stage_prop) == stage_id for r in records)


def _found(portal: Portal, object_type: ObjectType, request: Request) -> Pipeline:
    pid = request.path_params["pipeline_id"]
    pipeline = find(portal, object_type.type_id, pid)
    if pipeline is None:
        raise not_found(f"Unable to find pipeline {pid} for object type {object_type.name}")
    return pipeline


def _stage(pipeline: Pipeline, request: Request) -> Stage:
    sid = request.path_params["stage_id"]
    stage = next((s for s in pipeline.stages if s.id == sid and not s.archived), None)
    if stage is None:
        raise not_found(f"Unable to find stage {sid} in pipeline {pipeline.id}")
    return stage


def _key(object_type: ObjectType, pipeline_id: str, stage_id: str | None = None) -> str:
    return "/".join(x for x in (object_type.type_id, pipeline_id, stage_id) if x)


async def create_pipeline(request: Request) -> JSONResponse:
    portal, object_type, now = _write_type(request)
    body = await read_json(request)
    pid = body.get("pipelineId") or str(portal.new_id())
    if not isinstance(pid, str) or any(p.id == pid for p in portal.pipelines.get(object_type.type_id, [])):
        raise validation(f"Pipeline id {pid!r} is not a free string id")
    pipeline = _pipeline_from(portal, object_type, body, pid, now)
    portal.pipelines.setdefault(object_type.type_id, []).append(pipeline)
    _audit(portal, _key(object_type, pid), "CREATE", pid, pipeline_json(pipeline), now)
    return JSONResponse(pipeline_json(pipeline), status_code=201)


async def replace_pipeline(request: Request) -> JSONResponse:
    portal, object_type, now = _write_type(request)
    before = _found(portal, object_type, request)
    new = _pipeline_from(portal, object_type, await read_json(request), before.id, now)
    if flag(request, "validateReferencesBeforeDelete"):
        kept = {s.id for s in new.stages}
        if any(_in_use(portal, object_type, before.id, s.id) for s in before.stages if s.id not in kept):
            raise validation("Records are still in stages this replacement removes")
    new.created_at = before.created_at
    items = portal.pipelines[object_type.type_id]
    items[items.index(before)] = new
    _audit(portal, _key(object_type, new.id), "UPDATE", new.id, pipeline_json(new), now)
    return JSONResponse(pipeline_json(new))


async def update_pipeline(request: Request) -> JSONResponse:
    portal, object_type, now = _write_type(request)
    pipeline = _found(portal, object_type, request)
    body = await read_json(request)
    if "label" in body:
        pipeline.label = _text(body, "label")
    if "displayOrder" in body:
        pipeline.display_order = _order(body)
    if body.get("archived") is True:
        pipeline.archived = True
    pipeline.updated_at = now
    _audit(portal, _key(object_type, pipeline.id), "UPDATE", pipeline.id, pipeline_json(pipeline), now)
    return JSONResponse(pipeline_json(pipeline))


async def delete_pipeline(request: Request) -> Response:
    portal, object_type, now = _write_type(request)
    pipeline = _found(portal, object_type, request)
    if flag(request, "validateReferencesBeforeDelete") and _in_use(portal, object_type, pipeline.id):
        raise validation(f"Pipeline {pipeline.id} still has records; move them before deleting it")
    pipeline.archived, pipeline.updated_at = True, now
    _audit(portal, _key(object_type, pipeline.id), "DELETE", pipeline.id, {}, now)
    return Response(status_code=204)


async def create_stage(request: Request) -> JSONResponse:
    portal, object_type, now = _write_type(request)
    pipeline = _found(portal, object_type, request)
    taken = {s.id for p in portal.pipelines.get(object_type.type_id, []) for s in p.stages}
    stage = _new_stage(portal, object_type, await read_json(request), taken)
    pipeline.stages.append(stage)
    pipeline.updated_at = now
    _audit(
        portal, _key(object_type, pipeline.id, stage.id), "CREATE", stage.id, stage_json(stage, pipeline), now
    )
    return JSONResponse(stage_json(stage, pipeline), status_code=201)


async def write_stage(request: Request) -> JSONResponse:
    """PUT replaces label, order and metadata; PATCH changes what it names (``metadata`` is required)."""
    portal, object_type, now = _write_type(request)
    pipeline = _found(portal, object_type, request)
    stage = _stage(pipeline, request)
    body = await read_json(request)
    full = request.method == "PUT"
    require(body, ("label", "displayOrder", "metadata") if full else ("metadata",),
            "PipelineStageInput" if full else "PipelineStagePatchInput")  # fmt: skip
    new = dataclasses.replace(
        stage, metadata=_metadata(object_type, body["metadata"], None if full else stage.metadata)
    )
    if "label" in body:
        new.label = _text(body, "label")
    if "displayOrder" in body:
        new.display_order = _order(body)
    if not full and body.get("archived") is True:
        new.archived = True
    pipeline.stages[pipeline.stages.index(stage)] = new
    pipeline.updated_at = now
    _audit(portal, _key(object_type, pipeline.id, new.id), "UPDATE", new.id, stage_json(new, pipeline), now)
    return JSONResponse(stage_json(new, pipeline))


async def delete_stage(request: Request) -> Response:
    portal, object_type, now = _write_type(request)
    pipeline = _found(portal, object_type, request)
    stage = _stage(pipeline, request)
    if flag(request, "validateReferencesBeforeDelete") and _in_use(
        portal, object_type, pipeline.id, stage.id
    ):
        raise validation(f"Stage {stage.id} still has records; move them before deleting it")
    if sum(1 for s in pipeline.stages if not s.archived) == 1:
        raise validation("A pipeline must keep at least one stage")
    stage.archived = True
    pipeline.updated_at = now
    _audit(portal, _key(object_type, pipeline.id, stage.id), "DELETE", stage.id, {}, now)
    return Response(status_code=204)


async def audit(request: Request) -> JSONResponse:
    object_type = resolve_type(authenticate(request).portal, request.path_params["object_type"])
    access = require_access(request, scopes_any=object_type.schema_read_scopes)
    pid, sid = request.path_params["pipeline_id"], request.path_params.get("stage_id")
    if not any(p.id == pid for p in access.portal.pipelines.get(object_type.type_id, [])):
        raise not_found(f"Unable to find pipeline {pid} for object type {object_type.name}")
    return JSONResponse({"results": list(_audits(access.portal).get(_key(object_type, pid, sid), []))})


_P = "/crm/v3/pipelines/{object_type}"
_ONE = _P + "/{pipeline_id}"
_STAGE = _ONE + "/stages/{stage_id}"
routes: list[BaseRoute] = [
    Route(_P, create_pipeline, methods=["POST"]),
    Route(_ONE, replace_pipeline, methods=["PUT"]),
    Route(_ONE, update_pipeline, methods=["PATCH"]),
    Route(_ONE, delete_pipeline, methods=["DELETE"]),
    Route(_ONE + "/audit", audit, methods=["GET"]),
    Route(_ONE + "/stages", create_stage, methods=["POST"]),
    Route(_STAGE, write_stage, methods=["PUT", "PATCH"]),
    Route(_STAGE, delete_stage, methods=["DELETE"]),
    Route(_STAGE + "/audit", audit, methods=["GET"]),
]

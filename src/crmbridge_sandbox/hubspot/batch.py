"""``/crm/v3/objects/{objectType}/batch/{read,create,update,upsert,archive}``.

Writes are all-or-nothing, as HubSpot does by default (the first bad input fails the request with its
own 400/409), unless inputs carry ``objectWriteTraceId``: then each input succeeds or fails on its own
and the answer is 207 with ``errors`` whose ``context.objectWriteTraceId`` names the failed input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import validation, writes
from .common import flag, read_json, typed_access
from .errors import HubSpotError, require
from .errors import validation as validation_error
from .objects import render, render_all
from .serialize import iso
from .store import ObjectType, Portal, Record

MAX_INPUTS = 100
MAX_HISTORY_INPUTS = 50


def _inputs(
    body: dict[str, Any], limit: int = MAX_INPUTS, *, required: tuple[str, ...] = (), schema: str = ""
) -> list[dict[str, Any]]:
    """The ``inputs`` list; an input lacking a ``required`` attribute of ``schema`` refuses the batch."""
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise validation_error("Invalid input JSON: 'inputs' must be a list of objects")
    for item in inputs:
        require(item, required, schema)
        # ``id`` is a string in every batch input model; a number is taken as its digits, as Jackson does.
        if "id" in item and (isinstance(item["id"], bool) or not isinstance(item["id"], (str, int))):
            raise validation_error(f"Invalid input JSON: 'id' must be a string, got {item['id']!r}")
    if len(inputs) > limit:
        raise validation_error(
            f"Too many inputs: {len(inputs)}. The maximum number of inputs per batch request is {limit}."
        )
    return inputs


def _names(body: dict[str, Any], key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise validation_error(f"Invalid input JSON: '{key}' must be a list of property names")
    return value


def _error(err: HubSpotError, context: dict[str, list[str]]) -> dict[str, Any]:
    """One ``StandardError`` entry of a 207 batch answer."""
    body: dict[str, Any] = {
        "status": "error",
        "category": err.category,
        "message": err.message,
        "context": context,
        "errors": [],
        "links": {},
    }
    if err.sub_category:
        body["subCategory"] = err.sub_category
    return body


def _not_found(object_type: ObjectType, ids: list[str]) -> dict[str, Any]:
    label = object_type.singular.upper()
    err = HubSpotError(
        404,
        "OBJECT_NOT_FOUND",
        f"Could not get some {label} objects, they may be deleted or not exist. Check that ids are valid.",
    )
    return _error(err, {"ids": ids})


def _answer(
    started: str, now: float, results: list[dict[str, Any]], errors: list[dict[str, Any]], ok: int
) -> JSONResponse:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": iso(now),
    }
    if errors:
        body["errors"] = errors
        body["numErrors"] = len(errors)
    return JSONResponse(body, status_code=207 if errors else ok)


def _now(request: Request) -> float:
    now: float = request.app.state.hubspot.ctx.clock.now()
    return now


async def batch_read(request: Request) -> JSONResponse:
    access, object_type = typed_access(request)
    body = await read_json(request)
    inputs = _inputs(body, required=("id",), schema="SimplePublicObjectId")
    history = _names(body, "propertiesWithHistory")
    if history and len(inputs) > MAX_HISTORY_INPUTS:
        raise validation_error(
            f"Too many inputs: {len(inputs)}. The maximum number of inputs when requesting property "
            f"histories (propertiesWithHistory) is {MAX_HISTORY_INPUTS}."
        )
    started = iso(_now(request))
    id_property = body.get("idProperty")
    writes.check_id_property(access.portal, object_type, id_property)
    archived = flag(request, "archived")
    properties = _names(body, "properties")
    results, missing = [], []
    for item in inputs:
        ref = str(item.get("id", ""))
        record = writes.find(access.portal, object_type, ref, id_property, archived=archived)
        if record is None:
            missing.append(ref)
        else:
            results.append(render(access.portal, object_type, record, properties, history))
    errors = [_not_found(object_type, missing)] if missing else []
    return _answer(started, _now(request), results, errors, 200)


@dataclass(slots=True)
class _Planned:
    """A checked input, ready to write."""

    values: dict[str, str]
    record: Record | None = None
    pending: list[writes.PendingAssociation] | None = None
    id_value: str | None = None


def _trace(item: dict[str, Any]) -> str | None:
    value = item.get("objectWriteTraceId")
    return None if value is None else str(value)


def _partial(inputs: list[dict[str, Any]]) -> bool:
    return any(_trace(i) is not None for i in inputs)


def _batch_unique(portal: Portal, object_type: ObjectType, plans: list[_Planned]) -> None:
    """Two inputs of one batch may not claim the same unique value (e.g. the same e-mail)."""
    seen: dict[tuple[str, str], int] = {}
    uniques = set(writes.unique_properties(portal, object_type))
    for i, plan in enumerate(plans):
        for name, value in plan.values.items():
            if name in uniques and value:
                key = (name, value.lower())
                if key in seen:
                    raise validation_error(
                        f'Duplicate value "{value}" for unique property "{name}" in batch inputs '
                        f"{seen[key]} and {i}"
                    )
                seen[key] = i


def _run(
    inputs: list[dict[str, Any]],
    plan: Any,
    write: Any,
    object_type: ObjectType,
    portal: Portal,
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Plan and write every input: atomically, or one by one when inputs carry trace ids."""
    if not _partial(inputs):
        plans = [plan(item) for item in inputs]
        _batch_unique(portal, object_type, [p for p in plans if p is not None])
        return [write(p) for p in plans if p is not None], []
    results, errors = [], []
    for item in inputs:
        try:
            planned = plan(item)
            if planned is not None:
                results.append(write(planned))
        except HubSpotError as err:
            trace = _trace(item)
            errors.append(_error(err, {"objectWriteTraceId": [trace]} if trace else {}))
    return results, errors


async def batch_create(request: Request) -> JSONResponse:
    access, object_type = typed_access(request, write=True)
    inputs = _inputs(
        await read_json(request), required=("properties",), schema="SimplePublicObjectBatchInputForCreate"
    )
    portal, now = access.portal, _now(request)
    started = iso(now)

    def plan(item: dict[str, Any]) -> _Planned:
        values = validation.check(portal, object_type, item.get("properties"))
        clash = writes.unique_conflict(portal, object_type, values)
        if clash is not None:
            raise clash
        return _Planned(
            values, pending=writes.parse_associations(portal, object_type, item.get("associations"))
        )

    def write(p: _Planned) -> dict[str, Any]:
        record = writes.new_record(portal, object_type, p.values, now)
        writes.apply_associations(portal, object_type, record.id, p.pending or [])
        return render_all(portal, object_type, record)

    results, errors = _run(inputs, plan, write, object_type, portal)
    return _answer(started, _now(request), results, errors, 201)


def _duplicate_ids(inputs: list[dict[str, Any]]) -> None:
    ids = [str(i.get("id", "")) for i in inputs]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise validation_error(
            f"Duplicate IDs found in batch input: [{', '.join(dupes)}]. IDs must be unique"
        )


async def batch_update(request: Request) -> JSONResponse:
    access, object_type = typed_access(request, write=True)
    inputs = _inputs(
        await read_json(request), required=("id", "properties"), schema="SimplePublicObjectBatchInput"
    )
    _duplicate_ids(inputs)
    portal, now = access.portal, _now(request)
    started = iso(now)
    missing: list[str] = []

    def plan(item: dict[str, Any]) -> _Planned | None:
        ref = str(item.get("id", ""))
        record = writes.find(portal, object_type, ref, item.get("idProperty"))
        if record is None:
            missing.append(ref)
            return None
        values = validation.check(portal, object_type, item.get("properties"), record=record)
        clash = writes.unique_conflict(portal, object_type, values, exclude=record.id)
        if clash is not None:
            raise clash
        return _Planned(values, record=record)

    def write(p: _Planned) -> dict[str, Any]:
        assert p.record is not None
        writes.apply_update(object_type, p.record, p.values, now)
        return render_all(portal, object_type, p.record)

    results, errors = _run(inputs, plan, write, object_type, portal)
    if missing:
        errors.insert(0, _not_found(object_type, missing))
    return _answer(started, _now(request), results, errors, 200)


async def batch_upsert(request: Request) -> JSONResponse:
    access, object_type = typed_access(request, write=True)
    inputs = _inputs(
        await read_json(request), required=("id", "properties"), schema="SimplePublicObjectBatchInputUpsert"
    )
    _duplicate_ids(inputs)
    portal, now = access.portal, _now(request)
    started = iso(now)

    def plan(item: dict[str, Any]) -> _Planned:
        id_property = item.get("idProperty")
        if not isinstance(id_property, str) or not id_property or id_property == "hs_object_id":
            unique = [n for n in writes.unique_properties(portal, object_type) if n != "hs_object_id"]
            raise validation_error(
                f"idProperty is required for upsert and must name a unique property of {object_type.name} "
                f"(one of: {', '.join(unique) or 'none defined'})"
            )
        writes.check_id_property(portal, object_type, id_property)
        id_value = str(item.get("id", ""))
        record = writes.find(portal, object_type, id_value, id_property)
        props = item.get("properties") or {}
        if not isinstance(props, dict):
            raise validation_error("Invalid input JSON: 'properties' must be an object")
        if record is None:
            values = validation.check(portal, object_type, {**props, id_property: id_value})
            clash = writes.unique_conflict(portal, object_type, values)
        else:
            values = validation.check(portal, object_type, props, record=record)
            clash = writes.unique_conflict(portal, object_type, values, exclude=record.id)
        if clash is not None:
            raise clash
        return _Planned(values, record=record, id_value=id_value)

    def write(p: _Planned) -> dict[str, Any]:
        if p.record is None:
            record = writes.new_record(portal, object_type, p.values, now)
            return {**render_all(portal, object_type, record), "new": True}
        writes.apply_update(object_type, p.record, p.values, now)
        return {**render_all(portal, object_type, p.record), "new": False}

    results, errors = _run(inputs, plan, write, object_type, portal)
    return _answer(started, _now(request), results, errors, 200)


async def batch_archive(request: Request) -> Response:
    access, object_type = typed_access(request, write=True)
    inputs = _inputs(await read_json(request), required=("id",), schema="SimplePublicObjectId")
    now = _now(request)
    for item in inputs:
        record = writes.find(access.portal, object_type, str(item.get("id", "")))
        if record is not None:
            writes.archive(record, now=now)
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/crm/v3/objects/{object_type}/batch/read", batch_read, methods=["POST"]),
    Route("/crm/v3/objects/{object_type}/batch/create", batch_create, methods=["POST"]),
    Route("/crm/v3/objects/{object_type}/batch/update", batch_update, methods=["POST"]),
    Route("/crm/v3/objects/{object_type}/batch/upsert", batch_upsert, methods=["POST"]),
    Route("/crm/v3/objects/{object_type}/batch/archive", batch_archive, methods=["POST"]),
]

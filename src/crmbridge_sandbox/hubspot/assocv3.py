"""Associations v3, the API older clients still call, over the same association store v4 serves.

Facts from the SDK and spec: ``POST /crm/v3/associations/{from}/{to}/batch/read`` takes ``{inputs:
[{id}]}`` (an ``after`` beside the ``id`` pages on) and answers 200 (207 with errors)
``{results: [PublicAssociationMulti{from: {id}, to: [AssociatedId{id, type}], paging?}]}``;
``…/batch/create`` takes ``{inputs: [PublicAssociation{from: {id}, to: {id}, type}]}`` (all required) and
answers 201 (207) with the ``PublicAssociation`` list; ``…/batch/archive`` takes the same body and answers
204; ``GET /crm/v3/associations/{from}/{to}/types`` answers ``{results: [{id, name}]}`` with string ids.

A v3 ``type`` is the name of one v4 association type from ``from`` to ``to`` (``contact_to_company``
is the Primary label 1, ``contact_to_company_unlabeled`` the default 279, ``parent_to_child_company`` 13;
see ``objects.association_type_name``); record reads with ``associations=`` show the same names. Creating
a labelled type adds the unlabelled one under it and archiving the unlabelled type removes every label,
as in v4; configured association limits apply.

Choices where the spec is silent (decision record): a record with no associations of the target type
is an ``errors`` entry like in v4's batch read; an unknown ``type`` or missing record in ``batch/create``
is a per-input error; in ``batch/archive`` (which has no 207) an unknown ``type`` refuses the batch (400)
and missing records are skipped; ``batch/create`` answers one entry per input, the direction asked.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import assocbatchio as batchio
from . import assoccore, assoctypes
from .common import json_value
from .errors import HubSpotError, validation
from .objects import association_type_name
from .reqs import live_record, record_id
from .store import AssociationDef, ObjectType, Portal


def names(portal: Portal, a: ObjectType, b: ObjectType) -> dict[str, AssociationDef]:
    """v3 name → definition, for every association type from ``a`` to ``b``."""
    return {association_type_name(portal, a, b, d.kind): d for d in assoctypes.definitions(portal, a, b)}


def _ref(item: dict[str, Any], key: str) -> Any:
    value = item.get(key)
    return value.get("id") if isinstance(value, dict) else None


def _associated(portal: Portal, a: ObjectType, record_id: int, b: ObjectType) -> list[dict[str, str]]:
    """``AssociatedId`` entries: one per live target and type, ascending id (a target repeats per label)."""
    table = portal.tables.get(b.type_id)
    known = {d.kind for d in assoctypes.definitions(portal, a, b)}
    found: list[dict[str, str]] = []
    for oid, kinds in portal.associations.targets((a.type_id, record_id), b.type_id):
        other = table.records.get(oid) if table is not None else None
        if other is None or other.archived:
            continue
        for kind in sorted(kinds & known, key=lambda k: (k.category, k.type_id)):
            found.append({"id": str(oid), "type": association_type_name(portal, a, b, kind)})
    return found


async def batch_read(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=False)
    started = assoccore.now_iso(request)
    raw = await json_value(request)
    items = batchio.inputs(raw, batchio.MAX_READ_INPUTS, required=("id",), schema="PublicObjectId")
    results, errors = batchio.read_entries(
        portal, a, b, items, lambda record: _associated(portal, a, record, b)
    )
    return batchio.answer(request, started, results, errors, 200)


def _unknown_type(portal: Portal, a: ObjectType, b: ObjectType, name: Any) -> HubSpotError:
    valid = ", ".join(names(portal, a, b)) or "none"
    return validation(
        f"{name!r} is not a valid association type from {a.singular} to {b.singular}. Valid types: {valid}."
    )


async def batch_create(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=True)
    started = assoccore.now_iso(request)
    inputs = batchio.inputs(
        await json_value(request), required=("from", "to", "type"), schema="PublicAssociation"
    )
    named = names(portal, a, b)
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for i, item in enumerate(inputs):
        from_id, to_id = _ref(item, "from"), _ref(item, "to")
        ra, rb = live_record(portal, a, from_id), live_record(portal, b, to_id)
        if ra is None or rb is None:
            errors.append(batchio.not_found(a, from_id) if ra is None else batchio.not_found(b, to_id))
            continue
        d = named.get(item["type"]) if isinstance(item["type"], str) else None
        try:
            if d is None:
                raise _unknown_type(portal, a, b, item["type"])
            assoccore.add(portal, a, ra, b, rb, [d])
        except HubSpotError as exc:
            errors.append(
                assoccore.batch_error(exc.category, exc.message, {"index": [str(i)]}, exc.sub_category)
            )
            continue
        results.append({"from": {"id": str(ra.id)}, "to": {"id": str(rb.id)}, "type": item["type"]})
    return batchio.answer(request, started, results, errors, 201)


async def batch_archive(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=True)
    inputs = batchio.inputs(
        await json_value(request), required=("from", "to", "type"), schema="PublicAssociation"
    )
    named = names(portal, a, b)
    work: list[tuple[int, int, AssociationDef]] = []
    for item in inputs:
        d = named.get(item["type"]) if isinstance(item["type"], str) else None
        if d is None:
            raise _unknown_type(portal, a, b, item["type"])
        from_id, to_id = record_id(_ref(item, "from")), record_id(_ref(item, "to"))
        if from_id is not None and to_id is not None:
            work.append((from_id, to_id, d))
    for from_id, to_id, d in work:
        assoccore.remove(portal, a, from_id, b, to_id, [d])
    return Response(status_code=204)


async def list_types(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=False)
    return JSONResponse(
        {"results": [{"id": str(d.type_id), "name": n} for n, d in names(portal, a, b).items()]}
    )


_BASE = "/crm/v3/associations/{fromObjectType}/{toObjectType}"
routes: list[BaseRoute] = [
    Route(_BASE + "/batch/read", batch_read, methods=["POST"]),
    Route(_BASE + "/batch/create", batch_create, methods=["POST"]),
    Route(_BASE + "/batch/archive", batch_archive, methods=["POST"]),
    Route(_BASE + "/types", list_types, methods=["GET"]),
]

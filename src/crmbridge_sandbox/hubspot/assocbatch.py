"""Associations v4 batch routes: ``/crm/v4/associations/{from}/{to}/batch/...``.

Inputs that name a missing record (or, for ``read``, a record with no associations of the target type)
become ``errors`` entries and the answer is 207; the archive routes are idempotent and answer 204.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import assocbatchio as batchio
from . import assoccore, assoclimits
from .common import json_value
from .errors import HubSpotError, validation
from .reqs import live_record, record_id
from .store import ObjectType, Portal, Record

_PAIR = ("from", "to")  # what the spec's pair inputs require
_PAIR_TYPES = ("from", "to", "types")

Handler = Callable[[Request], Awaitable[Response]]


def _ref_id(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


def _resolve_pair(
    portal: Portal, a: ObjectType, b: ObjectType, item: dict[str, Any], errors: list[dict[str, Any]]
) -> tuple[Record, Record] | None:
    from_id, to_id = _ref_id(item.get("from")), _ref_id(item.get("to"))
    ra = live_record(portal, a, from_id)
    rb = live_record(portal, b, to_id)
    if ra is None:
        errors.append(batchio.not_found(a, from_id))
    elif rb is None:
        errors.append(batchio.not_found(b, to_id))
    else:
        return ra, rb
    return None


async def batch_read(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=False)
    started = assoccore.now_iso(request)
    items = batchio.inputs(
        await json_value(request),
        batchio.MAX_READ_INPUTS,
        required=("id",),
        schema="PublicFetchAssociationsBatchRequest",
    )
    results, errors = batchio.read_entries(
        portal, a, b, items, lambda record: assoccore.targets(portal, a, record, b)
    )
    return batchio.answer(request, started, results, errors, 200)


async def batch_create(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=True)
    started = assoccore.now_iso(request)
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    inputs = batchio.inputs(
        await json_value(request), required=_PAIR_TYPES, schema="PublicAssociationMultiPost"
    )
    for i, item in enumerate(inputs):
        pair = _resolve_pair(portal, a, b, item, errors)
        if pair is None:
            continue
        try:
            defs = assoccore.parse_specs(portal, a, b, item.get("types"), f"inputs[{i}].types")
            assoccore.add(portal, a, pair[0], b, pair[1], defs)
        except HubSpotError as exc:
            errors.append(
                assoccore.batch_error(exc.category, exc.message, {"index": [str(i)]}, exc.sub_category)
            )
            continue
        results.append(assoccore.pair_json(portal, a, pair[0], b, pair[1]))
    return batchio.answer(request, started, results, errors, 201)


async def batch_default(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=True)
    started = assoccore.now_iso(request)
    inputs = batchio.inputs(
        await json_value(request), required=_PAIR, schema="PublicDefaultAssociationMultiPost"
    )
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for i, item in enumerate(inputs):
        pair = _resolve_pair(portal, a, b, item, errors)
        if pair is None:
            continue
        try:
            results += assoccore.add_default(portal, a, pair[0], b, pair[1])
        except HubSpotError as exc:
            if exc.sub_category != assoclimits.EXCEEDED:
                raise
            errors.append(
                assoccore.batch_error(exc.category, exc.message, {"index": [str(i)]}, exc.sub_category)
            )
    return batchio.answer(request, started, results, errors, 200)


async def batch_archive(request: Request) -> Response:
    """``inputs: [{from: {id}, to: [{id}]}]``: remove every association between each pair."""
    portal, a, b = batchio.pair(request, write=True)
    inputs = batchio.inputs(await json_value(request), required=_PAIR, schema="PublicAssociationMultiArchive")
    for i, item in enumerate(inputs):
        from_id = record_id(_ref_id(item.get("from")))
        to = item.get("to")
        if from_id is None or not isinstance(to, list):
            raise validation(f"inputs[{i}] must look like {{'from': {{'id': '1'}}, 'to': [{{'id': '2'}}]}}.")
        for target in to:
            to_id = record_id(_ref_id(target))
            if to_id is not None:
                portal.associations.remove_all((a.type_id, from_id), (b.type_id, to_id))
    return Response(status_code=204)


async def batch_archive_labels(request: Request) -> Response:
    """Remove only the given types; removing the unlabelled type removes every label with it."""
    portal, a, b = batchio.pair(request, write=True)
    work: list[tuple[int, int, list[Any]]] = []
    inputs = batchio.inputs(
        await json_value(request), required=_PAIR_TYPES, schema="PublicAssociationMultiPost"
    )
    for i, item in enumerate(inputs):
        from_id, to_id = record_id(_ref_id(item.get("from"))), record_id(_ref_id(item.get("to")))
        if from_id is None or to_id is None:
            raise validation(f"inputs[{i}] needs 'from': {{'id'}} and 'to': {{'id'}} record ids.")
        work.append(
            (from_id, to_id, assoccore.parse_specs(portal, a, b, item.get("types"), f"inputs[{i}].types"))
        )
    for from_id, to_id, defs in work:
        assoccore.remove(portal, a, from_id, b, to_id, defs)
    return Response(status_code=204)


_BATCH = "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/"
_HANDLERS: dict[str, Handler] = {
    "read": batch_read,
    "create": batch_create,
    "associate/default": batch_default,
    "archive": batch_archive,
    "labels/archive": batch_archive_labels,
}

routes: list[BaseRoute] = [Route(_BATCH + name, fn, methods=["POST"]) for name, fn in _HANDLERS.items()]

"""Association limits (v4 definition configurations): read, create, update and purge ``maxToObjectIds``.

Facts from the SDK and spec: ``GET …/configurations/all`` and ``GET …/configurations/{from}/{to}`` answer
200 ``{results: [PublicAssociationDefinitionUserConfiguration{category, typeId, label?,
userEnforcedMaxToObjectIds?}]}``; ``batch/create`` takes ``{inputs: [{category, typeId, maxToObjectIds}]}``
(all three required) and answers 201 (207 with errors); ``batch/update`` the same body, 200 (207) with
``PublicAssociationDefinitionConfigurationUpdateResult{category, typeId, userEnforcedMaxToObjectIds}``;
``batch/purge`` takes ``{inputs: [{category, typeId}]}`` and answers 204. A label limit may not exceed the
object (unlabelled) limit, nor the object limit go below a label limit; the error gives the valid range.

Choices where the spec is silent (decision record): the pair GET lists every type of the pair, with
``userEnforcedMaxToObjectIds`` only where a limit is set, while ``/all`` lists only configured limits;
``batch/create`` on a type that already has a limit and ``batch/update`` on one that has none are
per-input errors; a missing field, an unknown category or a limit that is not an integer ≥ 1 refuses the
whole batch (400) like HubSpot's deserialiser; a type unknown for the pair is a per-input error in
``batch/create``/``update`` and a 400 in ``batch/purge`` (which has no 207); purging a type without a
limit does nothing. Reads need the read scopes of both types, writes their write scopes (like labels);
``/all`` needs any CRM object scope.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .. import numbers
from ..badinput import quoted
from . import assocbatchio as batchio
from . import assoccore, assoclimits, assoctypes
from .auth import require_access
from .common import json_value
from .errors import validation
from .store import BUILTIN_TYPES, CUSTOM_SCOPES, AssociationDef, ObjectType, Portal

_CREATE = "PublicAssociationDefinitionConfigurationCreateRequest"
_UPDATE = "PublicAssociationDefinitionConfigurationUpdateRequest"
_SPEC = "PublicAssociationSpec"
#: Any CRM object scope lets a caller read every configured limit (the spec lists each as an alternative).
_ANY_OBJECT_SCOPE = tuple(
    dict.fromkeys(s for t in BUILTIN_TYPES for s in (*t.read_scopes, *t.write_scopes))
) + tuple(dict.fromkeys((*CUSTOM_SCOPES[0], *CUSTOM_SCOPES[1])))


def _config_json(d: AssociationDef, limit: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"category": d.category, "typeId": d.type_id, "label": d.label}
    if limit is not None:
        body["userEnforcedMaxToObjectIds"] = limit
    return body


async def list_all(request: Request) -> Response:
    access = require_access(request, _ANY_OBJECT_SCOPE)
    portal = access.portal
    results: list[dict[str, Any]] = []
    for (from_id, to_id), configured in sorted(portal.association_limits.items()):
        a, b = portal.resolve_type(from_id), portal.resolve_type(to_id)
        if a is None or b is None:
            continue  # a purged or deleted custom object
        for d in assoctypes.definitions(portal, a, b):
            if d.kind in configured:
                results.append(_config_json(d, configured[d.kind]))
    return JSONResponse({"results": results})


async def list_pair(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=False)
    configured = assoclimits.limits(portal, a, b)
    defs = assoctypes.definitions(portal, a, b)
    return JSONResponse({"results": [_config_json(d, configured.get(d.kind)) for d in defs]})


def _inputs(raw: Any, schema: str, required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Check the whole body first: HubSpot's deserialiser refuses it before any input is applied."""
    inputs = batchio.inputs(raw, required=required, schema=schema)
    for i, item in enumerate(inputs):
        if item["category"] not in assoccore.CATEGORIES:
            raise validation(
                f"Invalid input JSON: inputs[{i}].category must be one of "
                f"{', '.join(assoccore.CATEGORIES)}, got {quoted(item['category'])}"
            )
        numbers.whole(item["typeId"], f"inputs[{i}].typeId", low=0)
        if "maxToObjectIds" in required:
            numbers.whole(item["maxToObjectIds"], f"inputs[{i}].maxToObjectIds", low=1)
    return inputs


def _unknown(a: ObjectType, b: ObjectType, item: dict[str, Any], portal: Portal) -> str:
    return (
        f"{item['category']} association type {item['typeId']} is not valid from {a.singular} to "
        f"{b.singular}. Valid association types: {assoccore.valid_list(portal, a, b)}."
    )


def _range(portal: Portal, a: ObjectType, b: ObjectType, d: AssociationDef) -> tuple[int, int]:
    """The limits ``d`` may take: label limits up to the object limit, the object limit down to them."""
    configured = assoclimits.limits(portal, a, b)
    default = assoctypes.default_definition(portal, a, b)
    if d.label is None:
        labelled = [v for k, v in configured.items() if default is None or k != default.kind]
        return max([1, *labelled]), assoclimits.CEILING
    object_limit = configured.get(default.kind) if default is not None else None
    return 1, min(assoclimits.CEILING, object_limit or assoclimits.CEILING)


def _error(message: str, item: dict[str, Any], category: str = "VALIDATION_ERROR") -> dict[str, Any]:
    context = {"typeId": [str(item.get("typeId"))], "category": [str(item.get("category"))]}
    return assoccore.batch_error(category, message, context)


def _apply(
    portal: Portal, a: ObjectType, b: ObjectType, item: dict[str, Any], *, update: bool
) -> tuple[AssociationDef | None, dict[str, Any] | None]:
    """Set one input's limit; the definition it set, or the batch error that refused it."""
    d = assoctypes.find(portal, a, b, item["category"], numbers.whole(item["typeId"], "typeId"))
    if d is None:
        return None, _error(_unknown(a, b, item, portal), item, "OBJECT_NOT_FOUND")
    value = numbers.whole(item["maxToObjectIds"], "maxToObjectIds")
    current = assoclimits.limits(portal, a, b).get(d.kind)
    if update and current is None:
        message = f"No limit is configured for {d.category} association type {d.type_id}; create it first."
        return None, _error(message, item, "OBJECT_NOT_FOUND")
    if not update and current is not None:
        message = (
            f"A limit ({current}) is already configured for {d.category} association type {d.type_id}; "
            "update it instead."
        )
        return None, _error(message, item)
    low, high = _range(portal, a, b, d)
    if not low <= value <= high:
        what = "label" if d.label is not None else "object"
        message = (
            f"maxToObjectIds {value} is out of range for the {what} limit of {d.category} association type "
            f"{d.type_id}: the valid range is {low}-{high}."
        )
        return None, _error(message, item)
    assoclimits.set_limit(portal, a, b, d.kind, value)
    return d, None


async def _write(request: Request, *, update: bool) -> Response:
    portal, a, b = batchio.pair(request, write=True)
    started = assoccore.now_iso(request)
    schema = _UPDATE if update else _CREATE
    inputs = _inputs(await json_value(request), schema, ("category", "typeId", "maxToObjectIds"))
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in inputs:
        d, error = _apply(portal, a, b, item, update=update)
        if error is not None:
            errors.append(error)
        elif d is not None:
            body = _config_json(d, assoclimits.limits(portal, a, b)[d.kind])
            if update:
                del body["label"]  # PublicAssociationDefinitionConfigurationUpdateResult has no label
            results.append(body)
    answer: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        answer["errors"] = errors
        answer["numErrors"] = len(errors)
    answer["startedAt"] = started
    answer["completedAt"] = assoccore.now_iso(request)
    return JSONResponse(answer, status_code=207 if errors else (200 if update else 201))


async def batch_create(request: Request) -> Response:
    return await _write(request, update=False)


async def batch_update(request: Request) -> Response:
    return await _write(request, update=True)


async def batch_purge(request: Request) -> Response:
    portal, a, b = batchio.pair(request, write=True)
    inputs = _inputs(await json_value(request), _SPEC, ("category", "typeId"))
    found: list[AssociationDef] = []
    for item in inputs:
        d = assoctypes.find(portal, a, b, item["category"], numbers.whole(item["typeId"], "typeId"))
        if d is None:
            raise validation(_unknown(a, b, item, portal))
        found.append(d)
    for d in found:
        assoclimits.set_limit(portal, a, b, d.kind, None)
    return Response(status_code=204)


#: The official clients call the first prefix; the current spec names the second.
_PREFIXES = (
    "/crm/v4/associations/definitions/configurations",
    "/crm/associations/v4/definitions/configurations",
)
_BATCH = {"create": batch_create, "update": batch_update, "purge": batch_purge}

routes: list[BaseRoute] = [
    route
    for prefix in _PREFIXES
    for route in (
        Route(prefix + "/all", list_all, methods=["GET"]),
        Route(prefix + "/{fromObjectType}/{toObjectType}", list_pair, methods=["GET"]),
        *(
            Route(prefix + "/{fromObjectType}/{toObjectType}/batch/" + name, fn, methods=["POST"])
            for name, fn in _BATCH.items()
        ),
    )
]

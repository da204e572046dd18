"""Associations v4: one record pair at a time, listing, and association label definitions.

Each route needs the read (GET) or write scopes of *both* object types. Missing or archived records give
a 404 ``OBJECT_NOT_FOUND``; invalid association types a 400 listing the valid ones. Batch routes live in
assocbatch.py and are served from here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import assocbatch, assoccore, assoclimits, assoctypes
from .common import int_param, json_value, read_json
from .errors import HubSpotError, validation
from .reqs import access_for, live_record
from .store import AssociationDef, ObjectType, Portal, Record

MAX_PAGE = 500


def _pair(portal: Portal, a: ObjectType, b: ObjectType, request: Request) -> tuple[Record, Record]:
    params = request.path_params
    from_id = params.get("fromObjectId", params.get("objectId"))
    to_id = params["toObjectId"]
    ra = live_record(portal, a, from_id)
    if ra is None:
        raise assoccore.missing(a, from_id)
    rb = live_record(portal, b, to_id)
    if rb is None:
        raise assoccore.missing(b, to_id)
    return ra, rb


async def create_default(request: Request) -> Response:
    p = request.path_params
    access, (a, b) = access_for(request, (p["fromObjectType"], p["toObjectType"]), write=True)
    ra, rb = _pair(access.portal, a, b, request)
    started = assoccore.now_iso(request)
    results = assoccore.add_default(access.portal, a, ra, b, rb)
    return JSONResponse(
        {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": assoccore.now_iso(request),
        }
    )


async def create_labelled(request: Request) -> Response:
    p = request.path_params
    access, (a, b) = access_for(request, (p["objectType"], p["toObjectType"]), write=True)
    portal = access.portal
    ra, rb = _pair(portal, a, b, request)
    defs = assoccore.parse_specs(portal, a, b, await json_value(request), "body")
    assoccore.add(portal, a, ra, b, rb, defs)
    return JSONResponse(assoccore.pair_json(portal, a, ra, b, rb), status_code=201)


async def archive_pair(request: Request) -> Response:
    p = request.path_params
    access, (a, b) = access_for(request, (p["objectType"], p["toObjectType"]), write=True)
    ra, rb = _pair(access.portal, a, b, request)
    access.portal.associations.remove_all((a.type_id, ra.id), (b.type_id, rb.id))
    return Response(status_code=204)


async def list_page(request: Request) -> Response:
    p = request.path_params
    access, (a, b) = access_for(request, (p["objectType"], p["toObjectType"]))
    ra = live_record(access.portal, a, p["objectId"])
    if ra is None:
        raise assoccore.missing(a, p["objectId"])
    limit = int_param(request, "limit", MAX_PAGE, low=0, high=MAX_PAGE)
    offset = int_param(request, "after", 0, low=0, high=2**62)
    found = assoccore.targets(access.portal, a, ra.id, b)
    body: dict[str, Any] = {"results": found[offset : offset + (limit or MAX_PAGE)]}
    end = offset + (limit or MAX_PAGE)
    if end < len(found):
        body["paging"] = {"next": {"after": str(end), "link": f"?after={end}"}}
    return JSONResponse(body)


def _definition_json(d: AssociationDef) -> dict[str, Any]:
    return {"category": d.category, "typeId": d.type_id, "label": d.label}


async def list_labels(request: Request) -> Response:
    p = request.path_params
    access, (a, b) = access_for(request, (p["fromObjectType"], p["toObjectType"]))
    defs = assoctypes.definitions(access.portal, a, b)
    return JSONResponse({"results": [_definition_json(d) for d in defs]})


def _text(body: dict[str, Any], name: str, *, needed: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not needed:
        return None
    if not isinstance(value, str) or not value.strip():
        raise validation(f"{name} is required and must be a non-empty string.")
    return value.strip()


async def create_label(request: Request) -> Response:
    """A USER_DEFINED label between two types, both directions (``inverseLabel`` names the way back)."""
    p = request.path_params
    access, (a, b) = access_for(request, (p["fromObjectType"], p["toObjectType"]), write=True)
    body = await read_json(request)
    label = _text(body, "label")
    _text(body, "name")
    inverse_label = _text(body, "inverseLabel", needed=False)
    portal = access.portal
    if any(d.label == label for d in assoctypes.definitions(portal, a, b)):
        raise validation(f"An association label {label!r} already exists from {a.singular} to {b.singular}.")
    forward = assoctypes.define(portal, a, b, label)
    backward = dataclasses.replace(forward, type_id=forward.inverse_id, inverse_id=forward.type_id)
    if a != b and inverse_label is not None:
        backward = dataclasses.replace(backward, label=inverse_label)
        _replace(portal, b, a, forward.inverse_id, backward)
    results = [forward] if a == b else [forward, backward]
    return JSONResponse({"results": [_definition_json(d) for d in results]})


def _replace(portal: Portal, a: ObjectType, b: ObjectType, type_id: int, new: AssociationDef | None) -> None:
    """Swap (or with None, drop) the portal-level definition ``type_id`` from ``a`` to ``b``."""
    defs = portal.association_defs.get((a.type_id, b.type_id), [])
    portal.association_defs[(a.type_id, b.type_id)] = [
        d2 for d in defs if (d2 := (new if d.type_id == type_id else d)) is not None
    ]


def _user_label(portal: Portal, a: ObjectType, b: ObjectType, raw_id: Any) -> AssociationDef:
    found = next(
        (
            d
            for d in portal.association_defs.get((a.type_id, b.type_id), [])
            if str(d.type_id) == str(raw_id) and d.label is not None
        ),
        None,
    )
    if found is None:
        raise HubSpotError(
            404,
            "OBJECT_NOT_FOUND",
            f"No user-defined association label {raw_id} from {a.singular} to {b.singular}.",
        )
    return found


async def update_label(request: Request) -> Response:
    p = request.path_params
    access, (a, b) = access_for(request, (p["fromObjectType"], p["toObjectType"]), write=True)
    body = await read_json(request)
    portal = access.portal
    type_id = body.get("associationTypeId")
    # The update model requires an integer type id and a label; lacking either it is a 400, not a 404.
    if isinstance(type_id, bool) or not isinstance(type_id, int):
        raise validation("associationTypeId is required and must be an integer.")
    label = _text(body, "label")
    found = _user_label(portal, a, b, type_id)
    inverse_label = _text(body, "inverseLabel", needed=False)
    _replace(portal, a, b, found.type_id, dataclasses.replace(found, label=label))
    if a != b:
        back = _user_label(portal, b, a, found.inverse_id)
        _replace(portal, b, a, back.type_id, dataclasses.replace(back, label=inverse_label or label))
    return Response(status_code=204)


async def remove_label(request: Request) -> Response:
    """Delete a label definition; associations of that type disappear from listings with it."""
    p = request.path_params
    access, (a, b) = access_for(request, (p["fromObjectType"], p["toObjectType"]), write=True)
    portal = access.portal
    found = _user_label(portal, a, b, p["associationTypeId"])
    _replace(portal, a, b, found.type_id, None)
    assoclimits.set_limit(portal, a, b, found.kind, None)  # a later label may reuse the type id
    if a != b:
        _replace(portal, b, a, found.inverse_id, None)
    assoclimits.set_limit(portal, b, a, found.inverse_kind, None)
    return Response(status_code=204)


_OBJ = "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}"
#: The labels API lives at both paths: the official clients call the first, the current spec names the second.
_LABEL_PATHS = (
    "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels",
    "/crm/associations/v4/{fromObjectType}/{toObjectType}/labels",
)

routes: list[BaseRoute] = [
    Route(
        "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
        create_default,
        methods=["PUT"],
    ),
    Route(_OBJ + "/{toObjectId}", create_labelled, methods=["PUT"]),
    Route(_OBJ + "/{toObjectId}", archive_pair, methods=["DELETE"]),
    Route(_OBJ, list_page, methods=["GET"]),
    *(
        route
        for labels in _LABEL_PATHS
        for route in (
            Route(labels, list_labels, methods=["GET"]),
            Route(labels, create_label, methods=["POST"]),
            Route(labels, update_label, methods=["PUT"]),
            Route(labels + "/{associationTypeId}", remove_label, methods=["DELETE"]),
        )
    ),
    *assocbatch.routes,
]

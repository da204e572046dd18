"""Property writes beyond create: update, archive, batch read/create/archive, and property groups.

Facts from HubSpot's spec: ``PropertyCreate`` needs ``name``, ``label``, ``type``, ``fieldType`` and
``groupName``; batch inputs are ``{name}``; a group needs ``name`` and ``label``. Creates answer 201,
archives 204, batch create and read 207 when some inputs fail. HubSpot-defined properties
(``readOnlyDefinition``) cannot be changed or archived, and a group that still holds properties cannot be
deleted.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .common import read_json
from .errors import HubSpotError, not_found, require, validation
from .propchecks import check_optional
from .propdefs import group_name
from .properties import (
    FIELD_TYPES,
    TYPES,
    _int,
    _required_str,
    _typed,
    groups,
    parse_options,
    property_from_body,
    property_json,
    stored_groups,
)
from .serialize import iso
from .store import ObjectType, Portal, PropertyDef

MAX_INPUTS = 100


def _now(request: Request) -> float:
    now: float = request.app.state.hubspot.ctx.clock.now()
    return now


def _own(portal: Portal, object_type: ObjectType, name: str) -> PropertyDef:
    prop = portal.properties.get(object_type.type_id, {}).get(name)
    if prop is None or prop.archived:
        raise not_found(f"Unable to find property {name} on object type {object_type.name}")
    if prop.hubspot_defined:
        raise validation(f"Property {name} is defined by HubSpot; its definition is read-only")
    return prop


def _group_exists(portal: Portal, object_type: ObjectType, name: Any) -> str:
    known = {g["name"] for g in groups(portal, object_type)}
    if not isinstance(name, str) or name not in known:
        raise validation(f"Property group '{name}' does not exist on {object_type.name}")
    return name


async def update_property(request: Request) -> JSONResponse:
    portal, object_type = _typed(request, write=True)
    prop = _own(portal, object_type, request.path_params["property_name"])
    body = await read_json(request)
    check_optional(body)
    changes: dict[str, Any] = {}
    if "label" in body:
        changes["label"] = _required_str(body, "label")
    if "type" in body and body["type"] not in TYPES:
        raise validation(f"Invalid property type '{body['type']}'; use one of: {', '.join(TYPES)}")
    if "fieldType" in body and body["fieldType"] not in FIELD_TYPES:
        raise validation(f"Invalid fieldType '{body['fieldType']}'; use one of: {', '.join(FIELD_TYPES)}")
    if "type" in body:
        changes["type"] = body["type"]
    if "fieldType" in body:
        changes["field_type"] = body["fieldType"]
    if "groupName" in body:
        changes["group_name"] = _group_exists(portal, object_type, body["groupName"])
    if "description" in body:
        changes["description"] = str(body["description"] or "")
    if "options" in body:
        changes["options"] = parse_options(body["options"])
    if "displayOrder" in body:
        changes["display_order"] = _int(body["displayOrder"], -1, "displayOrder")
    if "hidden" in body:
        changes["hidden"] = bool(body["hidden"])
    new = dataclasses.replace(prop, **changes, updated_at=_now(request))
    if new.type == "enumeration" and not new.options:
        raise validation(f"Property '{new.name}' has type enumeration and needs at least one option")
    portal.properties[object_type.type_id][new.name] = new
    return JSONResponse(property_json(new))


async def archive_property(request: Request) -> Response:
    portal, object_type = _typed(request, write=True)
    prop = _own(portal, object_type, request.path_params["property_name"])
    prop.archived, prop.updated_at = True, _now(request)
    return Response(status_code=204)


def _error(category: str, message: str, name: str) -> dict[str, Any]:
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": {"name": [name]},
        "errors": [],
        "links": {},
    }


def _answer(
    started: float, results: list[Any], errors: list[dict[str, Any]], ok: int, now: float
) -> JSONResponse:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso(started),
        "completedAt": iso(now),
    }
    if errors:
        body["errors"], body["numErrors"] = errors, len(errors)
    return JSONResponse(body, status_code=207 if errors else ok)


def _inputs(body: Any, required: tuple[str, ...], schema: str) -> list[dict[str, Any]]:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise validation("Invalid input JSON: 'inputs' must be a list of objects")
    if len(inputs) > MAX_INPUTS:
        raise validation(f"Too many inputs: {len(inputs)}. The maximum is {MAX_INPUTS}.")
    for item in inputs:
        require(item, required, schema)
    return inputs


async def batch_read(request: Request) -> JSONResponse:
    portal, object_type = _typed(request)
    body = await read_json(request)
    archived = body.get("archived") is True
    defs = portal.properties.get(object_type.type_id, {})
    results, errors = [], []
    for item in _inputs(body, ("name",), "PropertyName"):
        prop = defs.get(str(item["name"]))
        if prop is None or prop.archived != archived:
            errors.append(
                _error("OBJECT_NOT_FOUND", f"Unable to find property {item['name']}", str(item["name"]))
            )
        else:
            results.append(property_json(prop))
    return _answer(_now(request), results, errors, 200, _now(request))


async def batch_create(request: Request) -> JSONResponse:
    portal, object_type = _typed(request, write=True)
    inputs = _inputs(
        await read_json(request), ("name", "label", "type", "fieldType", "groupName"), "PropertyCreate"
    )
    now = _now(request)
    defs = portal.properties.setdefault(object_type.type_id, {})
    results, errors = [], []
    for item in inputs:
        try:
            prop = property_from_body(item, default_group=None, now=now)
            _group_exists(portal, object_type, prop.group_name)
            if prop.name in defs and not defs[prop.name].archived:
                raise HubSpotError(
                    409, "OBJECT_ALREADY_EXISTS", f"Property named '{prop.name}' already exists."
                )
        except HubSpotError as exc:
            errors.append(_error(exc.category, exc.message, str(item.get("name"))))
            continue
        defs[prop.name] = prop
        results.append(property_json(prop))
    return _answer(now, results, errors, 201, _now(request))


async def batch_archive(request: Request) -> Response:
    portal, object_type = _typed(request, write=True)
    inputs = _inputs(await read_json(request), ("name",), "PropertyName")
    found = [_own(portal, object_type, str(item["name"])) for item in inputs]  # all or nothing
    for prop in found:
        prop.archived, prop.updated_at = True, _now(request)
    return Response(status_code=204)


def _group(portal: Portal, object_type: ObjectType, name: str) -> dict[str, Any]:
    found = next((g for g in groups(portal, object_type) if g["name"] == name), None)
    if found is None:
        raise not_found(f"Unable to find property group {name} on object type {object_type.name}")
    return found


async def create_group(request: Request) -> JSONResponse:
    portal, object_type = _typed(request, write=True)
    body = await read_json(request)
    require(body, ("name", "label"), "PropertyGroupCreate")
    name, label = _required_str(body, "name"), _required_str(body, "label")
    if any(g["name"] == name for g in groups(portal, object_type)):
        raise HubSpotError(409, "OBJECT_ALREADY_EXISTS", f"Property group '{name}' already exists.")
    group = {
        "name": name,
        "label": label,
        "displayOrder": _int(body.get("displayOrder"), -1, "displayOrder"),
        "archived": False,
    }
    stored_groups(portal, object_type)[name] = group
    return JSONResponse(dict(group), status_code=201)


async def get_group(request: Request) -> JSONResponse:
    portal, object_type = _typed(request)
    return JSONResponse(_group(portal, object_type, request.path_params["group_name"]))


async def update_group(request: Request) -> JSONResponse:
    portal, object_type = _typed(request, write=True)
    group = _group(portal, object_type, request.path_params["group_name"])
    body = await read_json(request)
    if "label" in body:
        group["label"] = _required_str(body, "label")
    if "displayOrder" in body:
        group["displayOrder"] = _int(body["displayOrder"], -1, "displayOrder")
    stored_groups(portal, object_type)[group["name"]] = group
    return JSONResponse(dict(group))


async def archive_group(request: Request) -> Response:
    portal, object_type = _typed(request, write=True)
    group = _group(portal, object_type, request.path_params["group_name"])
    if group["name"] == group_name(object_type):
        raise validation(f"The default group {group['name']} cannot be deleted")
    members = [
        p.name
        for p in portal.properties.get(object_type.type_id, {}).values()
        if p.group_name == group["name"] and not p.archived
    ]
    if members:
        raise validation(
            f"Property group {group['name']} still holds properties: {', '.join(sorted(members)[:5])}"
        )
    stored_groups(portal, object_type)[group["name"]] = {**group, "archived": True}
    return Response(status_code=204)


_P = "/crm/v3/properties/{object_type}"
routes: list[BaseRoute] = [
    Route(_P + "/batch/read", batch_read, methods=["POST"]),
    Route(_P + "/batch/create", batch_create, methods=["POST"]),
    Route(_P + "/batch/archive", batch_archive, methods=["POST"]),
    Route(_P + "/groups", create_group, methods=["POST"]),
    Route(_P + "/groups/{group_name}", get_group, methods=["GET"]),
    Route(_P + "/groups/{group_name}", update_group, methods=["PATCH"]),
    Route(_P + "/groups/{group_name}", archive_group, methods=["DELETE"]),
    Route(_P + "/{property_name}", update_property, methods=["PATCH"]),
    Route(_P + "/{property_name}", archive_property, methods=["DELETE"]),
]

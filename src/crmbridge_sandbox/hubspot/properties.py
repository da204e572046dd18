"""``/crm/v3/properties/{objectType}``: property definitions (read, create) and property groups."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from .. import numbers
from .auth import authenticate, require_access
from .common import conflict, flag, read_json, resolve_type, schema_write_scopes
from .errors import not_found, validation
from .propchecks import check_option, check_optional
from .propdefs import group_name
from .serialize import iso
from .store import ObjectType, Portal, PropertyDef, PropertyOption

TYPES = ("string", "number", "date", "datetime", "enumeration", "bool", "phone_number")
FIELD_TYPES = (
    "booleancheckbox", "calculation_equation", "checkbox", "date", "file", "html",
    "number", "phonenumber", "radio", "select", "text", "textarea",
)  # fmt: skip
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def property_json(prop: PropertyDef) -> dict[str, Any]:
    """HubSpot's ``Property`` shape."""
    return {
        "name": prop.name,
        "label": prop.label,
        "type": prop.type,
        "fieldType": prop.field_type,
        "description": prop.description,
        "groupName": prop.group_name,
        "options": [o.as_json() for o in prop.options],
        "displayOrder": prop.display_order,
        "calculated": prop.calculated,
        "externalOptions": prop.name == "hubspot_owner_id",
        "hasUniqueValue": prop.has_unique_value,
        "hidden": prop.hidden,
        "hubspotDefined": prop.hubspot_defined,
        "modificationMetadata": {
            "archivable": not prop.hubspot_defined,
            "readOnlyDefinition": prop.hubspot_defined,
            "readOnlyValue": prop.read_only,
        },
        "formField": not prop.read_only,
        "dataSensitivity": "non_sensitive",
        "createdAt": iso(prop.created_at),
        "updatedAt": iso(prop.updated_at),
        "archived": prop.archived,
    }


def _typed(request: Request, *, write: bool = False) -> tuple[Portal, ObjectType]:
    object_type = resolve_type(authenticate(request).portal, request.path_params["object_type"])
    scopes = schema_write_scopes(object_type) if write else object_type.schema_read_scopes
    return require_access(request, scopes_any=scopes).portal, object_type


def stored_groups(portal: Portal, object_type: ObjectType) -> dict[str, dict[str, Any]]:
    """The groups written through the API for this type (portals pickled before them have none)."""
    if getattr(portal, "property_groups", None) is None:
        portal.property_groups = {}
    return portal.property_groups.setdefault(object_type.type_id, {})


def groups(portal: Portal, object_type: ObjectType, *, archived: bool = False) -> list[dict[str, Any]]:
    """Groups derived from the properties, overlaid with (and extended by) the stored ones."""
    names = [group_name(object_type)]
    for prop in portal.properties.get(object_type.type_id, {}).values():
        if prop.group_name not in names:
            names.append(prop.group_name)
    stored = stored_groups(portal, object_type)
    names += [n for n in stored if n not in names]
    derived = [
        stored.get(n)
        or {
            "name": n,
            "label": n.replace("information", " information").capitalize(),
            "displayOrder": i,
            "archived": False,
        }
        for i, n in enumerate(names)
    ]
    return [dict(g) for g in derived if g["archived"] == archived]


async def list_properties(request: Request) -> JSONResponse:
    portal, object_type = _typed(request)
    archived = flag(request, "archived")
    defs = portal.properties.get(object_type.type_id, {}).values()
    return JSONResponse({"results": [property_json(p) for p in defs if p.archived == archived]})


async def get_property(request: Request) -> JSONResponse:
    portal, object_type = _typed(request)
    name = request.path_params["property_name"]
    prop = portal.properties.get(object_type.type_id, {}).get(name)
    if prop is None or prop.archived != flag(request, "archived"):
        raise not_found(f"Unable to find property {name} on object type {object_type.name}")
    return JSONResponse(property_json(prop))


def _required_str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise validation(f"Invalid input JSON: '{key}' is required and must be a non-empty string")
    return value.strip()


def _int(value: Any, default: int, key: str) -> int:
    if value is None:
        return default
    return numbers.whole(value, f"Invalid input JSON: '{key}'")


def parse_options(raw: Any) -> list[PropertyOption]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise validation("Invalid input JSON: 'options' must be a list of {label, value}")
    options = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("value"), str) or not item.get("label"):
            raise validation(f"options[{i}] must have a string 'label' and 'value'")
        check_option(item, i)
        options.append(
            PropertyOption(
                str(item["label"]),
                item["value"],
                _int(item.get("displayOrder"), i, "displayOrder"),
                bool(item.get("hidden")),
            )
        )
    return options


def property_from_body(body: dict[str, Any], *, default_group: str | None, now: float) -> PropertyDef:
    """A user-defined property from a ``PropertyCreate`` body, checked as HubSpot would."""
    name = _required_str(body, "name")
    if not _NAME.match(name) or name.startswith("hs_"):
        raise validation(
            f"Property name '{name}' is invalid: use lower-case letters, digits and underscores, "
            "starting with a letter; the hs_ prefix is reserved"
        )
    label = _required_str(body, "label")
    check_optional(body)
    ptype = _required_str(body, "type")
    field_type = _required_str(body, "fieldType")
    group = body.get("groupName") or default_group
    if not isinstance(group, str) or not group:
        raise validation("Invalid input JSON: 'groupName' is required and must be a non-empty string")
    if ptype not in TYPES:
        raise validation(f"Invalid property type '{ptype}'; use one of: {', '.join(TYPES)}")
    if field_type not in FIELD_TYPES:
        raise validation(f"Invalid fieldType '{field_type}'; use one of: {', '.join(FIELD_TYPES)}")
    options = parse_options(body.get("options"))
    if ptype == "enumeration" and not options:
        raise validation(f"Property '{name}' has type enumeration and needs at least one option")
    if ptype == "bool" and not options:
        options = [PropertyOption("Yes", "true", 0), PropertyOption("No", "false", 1)]
    return PropertyDef(
        name=name,
        label=label,
        type=ptype,
        field_type=field_type,
        group_name=group,
        description=str(body.get("description") or ""),
        options=options,
        has_unique_value=bool(body.get("hasUniqueValue", False)),
        hubspot_defined=False,
        hidden=bool(body.get("hidden", False)),
        display_order=_int(body.get("displayOrder"), -1, "displayOrder"),
        created_at=now,
        updated_at=now,
    )


async def create_property(request: Request) -> JSONResponse:
    portal, object_type = _typed(request, write=True)
    body = await read_json(request)
    now: float = request.app.state.hubspot.ctx.clock.now()
    prop = property_from_body(body, default_group=None, now=now)
    defs = portal.properties.setdefault(object_type.type_id, {})
    if prop.name in defs:
        raise conflict(f"Property named '{prop.name}' already exists.", "OBJECT_ALREADY_EXISTS")
    known = {g["name"] for g in groups(portal, object_type)}
    if prop.group_name not in known:
        raise validation(
            f"Property group '{prop.group_name}' does not exist on {object_type.name}; "
            f"use one of: {', '.join(sorted(known))}"
        )
    defs[prop.name] = prop
    return JSONResponse(property_json(prop), status_code=201)


async def list_groups(request: Request) -> JSONResponse:
    portal, object_type = _typed(request)
    return JSONResponse({"results": groups(portal, object_type)})


routes: list[BaseRoute] = [
    Route("/crm/v3/properties/{object_type}", list_properties, methods=["GET"]),
    Route("/crm/v3/properties/{object_type}", create_property, methods=["POST"]),
    Route("/crm/v3/properties/{object_type}/groups", list_groups, methods=["GET"]),
    Route("/crm/v3/properties/{object_type}/{property_name}", get_property, methods=["GET"]),
]

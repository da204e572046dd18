"""Custom object schemas (``/crm-object-schemas/v3/schemas``, also ``/crm/v3/schemas``): list, read, create.

Updates, deletes and association definitions are in schemawrites.py.

Creating a custom object makes a new object type ``2-<n>`` with its own table, properties and
association definitions; its records are then served by the ordinary object routes.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from . import assoctypes, propdefs
from .auth import require_access
from .common import conflict, flag, read_json
from .errors import HubSpotError, not_found, validation
from .properties import property_from_body, property_json
from .serialize import iso
from .store import BUILTIN_TYPES, CUSTOM_SCOPES, CustomSchema, ObjectTable, ObjectType, Portal

READ_SCOPES = ("crm.schemas.custom.read",)
WRITE_SCOPES = ("crm.schemas.custom.write",)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CUSTOM_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")


def schema_json(portal: Portal, schema: CustomSchema) -> dict[str, Any]:
    t = schema.object_type
    associations = []
    for target_id in schema.associated_type_ids:
        target = portal.tables[target_id].type
        for d in portal.association_defs.get((t.type_id, target_id), []):
            associations.append(
                {
                    "id": str(d.type_id),
                    "fromObjectTypeId": t.type_id,
                    "toObjectTypeId": target_id,
                    "name": schema.association_names.get(d.type_id)
                    or d.label
                    or f"{t.name}_to_{target.singular}".upper(),
                    "createdAt": iso(schema.created_at),
                    "updatedAt": iso(schema.updated_at),
                }
            )
    defs = portal.properties.get(t.type_id, {}).values()
    described = {} if schema.description is None else {"description": schema.description}
    return {
        "id": t.type_id.split("-", 1)[1],
        "objectTypeId": t.type_id,
        "name": t.name,
        "fullyQualifiedName": t.fully_qualified_name,
        "labels": dict(schema.labels),
        "primaryDisplayProperty": t.primary_display,
        "requiredProperties": list(schema.required_properties),
        "searchableProperties": list(schema.searchable_properties),
        "secondaryDisplayProperties": list(schema.secondary_display_properties),
        **described,
        "properties": [property_json(p) for p in defs if not p.archived],
        "associations": associations,
        "archived": schema.archived,
        "createdAt": iso(schema.created_at),
        "updatedAt": iso(schema.updated_at),
    }


def _str_list(body: dict[str, Any], key: str, *, required: bool = False) -> list[str]:
    value = body.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise validation(f"Invalid input JSON: '{key}' is required and must be a list of strings")
    return list(value)


def create_schema(portal: Portal, body: dict[str, Any], now: float) -> CustomSchema:
    """Define a custom object from an ``ObjectSchemaEgg`` body (no tier check: seeding uses this too)."""
    name = body.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise validation(
            "Invalid input JSON: 'name' is required: letters, digits and underscores, starting with a letter"
        )
    name = name.lower()
    taken = {t.name for t in BUILTIN_TYPES} | {t.singular for t in BUILTIN_TYPES}
    if name in taken or any(s.object_type.name == name for s in portal.schemas.values()):
        raise conflict(
            f"An object type named '{name}' already exists in portal {portal.id}", "OBJECT_ALREADY_EXISTS"
        )
    labels = body.get("labels")
    if not isinstance(labels, dict) or not all(
        isinstance(labels.get(k), str) and labels[k] for k in ("singular", "plural")
    ):
        raise validation('Invalid input JSON: \'labels\' must be {"singular": "…", "plural": "…"}')
    raw_props = body.get("properties")
    if not isinstance(raw_props, list) or not raw_props or not all(isinstance(p, dict) for p in raw_props):
        raise validation("Invalid input JSON: 'properties' must be a non-empty list of property definitions")
    group = f"{name}_information"
    props = [property_from_body(p, default_group=group, now=now) for p in raw_props]
    names = [p.name for p in props]
    if len(set(names)) != len(names):
        raise validation(f"Duplicate property names in schema: {names}")
    required = _str_list(body, "requiredProperties", required=True)
    searchable = _str_list(body, "searchableProperties")
    secondary = _str_list(body, "secondaryDisplayProperties")
    for key, listed in (("requiredProperties", required), ("searchableProperties", searchable),
                        ("secondaryDisplayProperties", secondary)):  # fmt: skip
        unknown = [n for n in listed if n not in names]
        if unknown:
            raise validation(
                f"{key} names properties that are not defined in the schema: {', '.join(unknown)}"
            )
    primary = body.get("primaryDisplayProperty") or names[0]
    if primary not in names:
        raise validation(f"primaryDisplayProperty '{primary}' is not one of the schema's properties")
    targets: list[ObjectType] = []
    for ref in _str_list(body, "associatedObjects", required=True):
        target = portal.resolve_type(ref)
        if target is None:
            raise validation(f"associatedObjects: unknown object type '{ref}'")
        targets.append(target)
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise validation("Invalid input JSON: 'description' must be a string")
    number = 1_000_000 + portal.id % 100_000 * 100 + len(portal.schemas) + 1
    while f"2-{number}" in portal.tables:  # a purged schema frees a slot below a live one
        number += 1
    object_type = ObjectType(
        f"2-{number}",
        name,
        name,
        CUSTOM_SCOPES[0],
        CUSTOM_SCOPES[1],
        primary,
        tuple(searchable or [primary]),
        CUSTOM_DEFAULTS,
        custom=True,
        fully_qualified_name=f"p{portal.id}_{name}",
    )
    portal.tables[object_type.type_id] = ObjectTable(object_type)
    defs = {p.name: p for p in props}
    for spec in propdefs.system_specs(object_type):
        prop = propdefs.build(*spec, group=group)
        prop.created_at = prop.updated_at = now
        defs.setdefault(prop.name, prop)
    for prop in props:
        prop.hubspot_defined = False
    portal.properties[object_type.type_id] = defs
    schema = CustomSchema(
        object_type,
        {"singular": labels["singular"], "plural": labels["plural"]},
        required,
        searchable,
        secondary,
        [t.type_id for t in targets],
        created_at=now,
        updated_at=now,
        description=description,
    )
    portal.schemas[object_type.type_id] = schema
    for target in targets:
        assoctypes.define(portal, object_type, target, None)
    propdefs.refresh_dynamic(portal)
    return schema


def _find(portal: Portal, ref: str) -> CustomSchema:
    found = portal.resolve_type(ref)
    schema = portal.schemas.get(found.type_id) if found else None
    if schema is None:
        raise not_found(f"Unable to find a custom object schema for '{ref}'")
    return schema


async def list_schemas(request: Request) -> JSONResponse:
    access = require_access(request, scopes_any=READ_SCOPES)
    archived = flag(request, "archived")
    portal = access.portal
    found = [s for s in portal.schemas.values() if s.archived == archived]
    return JSONResponse({"results": [schema_json(portal, s) for s in found]})


async def get_schema(request: Request) -> JSONResponse:
    access = require_access(request, scopes_any=READ_SCOPES)
    schema = _find(access.portal, request.path_params["object_type"])
    return JSONResponse(schema_json(access.portal, schema))


async def batch_read(request: Request) -> JSONResponse:
    """Several schemas by object type id, fully qualified name or name, in the order asked.

    The answer model has no ``errors``, so an input naming no live schema is left out (chosen without
    evidence of what HubSpot does). The ``include*`` flags are type-checked and otherwise ignored, as the
    list route ignores its own: every schema is served with its properties and associations.
    """
    access = require_access(request, scopes_any=READ_SCOPES)
    body = await read_json(request)
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise validation("Invalid input JSON: 'inputs' is required and must be a list of strings")
    for key in ("includeAssociationDefinitions", "includeAuditMetadata", "includePropertyDefinitions"):
        if body.get(key) is not None and not isinstance(body[key], bool):
            raise validation(f"Invalid input JSON: '{key}' must be a boolean")
    portal = access.portal
    found: list[CustomSchema] = []
    for ref in inputs:
        t = portal.resolve_type(ref)
        schema = portal.schemas.get(t.type_id) if t else None
        if schema is not None and not schema.archived and schema not in found:
            found.append(schema)
    return JSONResponse({"results": [schema_json(portal, s) for s in found]})


async def post_schema(request: Request) -> JSONResponse:
    access = require_access(request, scopes_any=WRITE_SCOPES)
    portal = access.portal
    if portal.tier != "enterprise":
        raise HubSpotError(
            403,
            "FORBIDDEN",
            f"Custom objects require a HubSpot Enterprise subscription; portal {portal.id} is on the "
            f"{portal.tier} tier.",
        )
    body = await read_json(request)
    schema = create_schema(portal, body, request.app.state.hubspot.ctx.clock.now())
    return JSONResponse(schema_json(portal, schema), status_code=201)


routes: list[BaseRoute] = [
    route
    for base in ("/crm-object-schemas/v3/schemas", "/crm/v3/schemas")
    for route in (
        Route(base, list_schemas, methods=["GET"]),
        Route(base, post_schema, methods=["POST"]),
        Route(base + "/batch/read", batch_read, methods=["POST"]),
        Route(base + "/{object_type}", get_schema, methods=["GET"]),
    )
]

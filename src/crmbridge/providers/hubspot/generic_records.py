"""Seed 004's record actions over any object type: create, get, update, archive, search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ...errors import InvalidInput, NotFound
from ...spec import Annotations, Output, Prepared, Preparer, Tool
from .generic_common import (
    ENTITY_HELP,
    PROPERTY_VALUES,
    READ,
    SEARCH,
    default_association,
    kind,
    object_schema,
    property_values,
    search_body,
)

if TYPE_CHECKING:
    from ...spec import CallContext

_ENTITY = {"type": "string", "description": ENTITY_HELP}
_ID = {"type": "string", "description": "Record id (or the idProperty value)."}
_NAMES = {"type": "array", "items": {"type": "string"}}
_ID_PROPERTY = {"type": "string", "description": "Unique property entityId refers to, e.g. email."}
_ASSOCIATIONS = {
    "type": "array",
    "description": "Records to link, HubSpot's inline format. Omit types and give toObjectType for the "
    "default association.",
    "items": {
        "type": "object",
        "properties": {
            "to": {
                "type": "object",
                "properties": {"id": {"type": ["string", "integer"]}},
                "required": ["id"],
            },
            "types": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "associationCategory": {"type": "string"},
                        "associationTypeId": {"type": "integer"},
                    },
                    "required": ["associationCategory", "associationTypeId"],
                },
            },
            "toObjectType": {"type": "string"},
        },
        "required": ["to"],
    },
}
_PATH = "/crm/v3/objects/{entity}"


def _entity(args: dict[str, Any]) -> dict[str, Any]:
    args["entity"] = kind(args["entity"], "entity").api_name
    if isinstance(args.get("properties"), Mapping):
        args["properties"] = property_values(args["properties"])
    return args


async def _record(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    return Prepared(_entity(args))


async def _create(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    args = _entity(args)
    links: list[dict[str, Any]] = []
    associated: dict[str, list[str]] = {}
    for i, raw in enumerate(args.get("associations") or ()):
        item: dict[str, Any] = {"to": {"id": str(raw["to"]["id"])}}
        if raw.get("types"):
            item["types"] = raw["types"]
        elif raw.get("toObjectType"):
            target = kind(raw["toObjectType"], f"associations[{i}].toObjectType").api_name
            item["types"] = [await default_association(ctx, args["entity"], target, f"associations[{i}]")]
            associated.setdefault(target, []).append(item["to"]["id"])
        else:
            raise InvalidInput(
                f"associations[{i}] needs 'types' or 'toObjectType' (for the default association).",
                field=f"associations[{i}].types",
            )
        links.append(item)
    if "associations" in args:
        args["associations"] = links
    return Prepared(args, linked=associated)  # shown by HubSpotHooks.shape_record next to the new record


async def _get(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    args = _entity(args)
    if args.get("associations"):
        args["associations"] = [kind(a, "associations").api_name for a in args["associations"]]
    return Prepared(args)


async def _archive(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    """HubSpot answers 204 even for ids that do not exist; check first so a typo is not reported as done."""
    entity = args["entity"]
    args = _entity(args)
    path = f"/crm/v3/objects/{args['entity']}/{quote(str(args['entityId']), safe='')}"
    try:
        await ctx.request("GET", path, params={"properties": "hs_object_id"})
    except NotFound:
        raise NotFound(
            f"No live {entity} record with id {args['entityId']} (it may not exist or be archived already).",
            field="entityId",
        ) from None
    return Prepared(args)


async def _search(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    args = _entity(args)
    return Prepared({"entity": args["entity"], **search_body(args.get("searchObj") or {})})


TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_record_create",
        description="Create a HubSpot record of any object type (engagements like notes/tasks need "
        "hs_timestamp), optionally linked to existing records.",
        input_schema=object_schema(
            ["entity", "properties"], entity=_ENTITY, properties=PROPERTY_VALUES, associations=_ASSOCIATIONS
        ),
        method="POST",
        path=_PATH,
        body="rest",
        prepare="generic_record_create",
        output=Output("record"),
        example={"entity": "contacts", "properties": {"email": "jane@acme.com", "firstname": "Jane"}},
    ),
    Tool(
        name="hubspot_record_get",
        description="Get one HubSpot record of any object type by id, with chosen properties, property "
        "history and associated record ids.",
        input_schema=object_schema(
            ["entity", "entityId"],
            entity=_ENTITY,
            entityId=_ID,
            properties=_NAMES,
            propertiesWithHistory=_NAMES,
            associations={**_NAMES, "description": "Object types whose associated ids to include."},
            archived={"type": "boolean", "description": "Read an archived record."},
            idProperty=_ID_PROPERTY,
        ),
        method="GET",
        path=_PATH + "/{entityId}",
        query=("properties", "propertiesWithHistory", "associations", "archived", "idProperty"),
        annotations=READ,
        prepare="generic_record_get",
        output=Output("record"),
    ),
    Tool(
        name="hubspot_record_update",
        description="Update properties of a HubSpot record of any object type.",
        input_schema=object_schema(
            ["entity", "entityId", "properties"],
            entity=_ENTITY,
            entityId=_ID,
            properties={**PROPERTY_VALUES, "minProperties": 1},
            idProperty=_ID_PROPERTY,
        ),
        method="PATCH",
        path=_PATH + "/{entityId}",
        query=("idProperty",),
        body="rest",
        annotations=Annotations(idempotent=True),
        prepare="generic_record",
        output=Output("record"),
    ),
    Tool(
        name="hubspot_record_archive",
        description="Archive (soft-delete) a HubSpot record of any object type.",
        input_schema=object_schema(["entity", "entityId"], entity=_ENTITY, entityId=_ID),
        method="DELETE",
        path=_PATH + "/{entityId}",
        annotations=Annotations(destructive=True, idempotent=True),
        prepare="generic_record_archive",
        output=Output("deleted"),
    ),
    Tool(
        name="hubspot_records_search",
        description="Search HubSpot records of any object type with filterGroups, free text, one sort and "
        "paging.",
        input_schema=object_schema(
            ["entity", "searchObj"],
            entity=_ENTITY,
            searchObj=SEARCH,
        ),
        method="POST",
        path=_PATH + "/search",
        body="rest",
        annotations=READ,
        prepare="generic_records_search",
        output=Output("list", items="results"),
        example={
            "entity": "deals",
            "searchObj": {
                "filterGroups": [
                    {"filters": [{"propertyName": "amount", "operator": "GT", "value": "10000"}]}
                ],
                "sorts": ["-amount"],
                "limit": 10,
            },
        },
    ),
)

PREPARERS: Mapping[str, Preparer] = {
    "generic_record": _record,
    "generic_record_create": _create,
    "generic_record_get": _get,
    "generic_record_archive": _archive,
    "generic_records_search": _search,
}

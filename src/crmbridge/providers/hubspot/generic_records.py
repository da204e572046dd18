"""Seed 004's record actions over any object type: create, get, update, archive, search.

Their preparers (``generic_record*``) are in ``generic_prepare``. HubSpot's own names for the object type
and the record id (``objectType``, ``objectId``; ``id`` and ``hs_object_id`` as reads return them) are
accepted as aliases of ``entity`` and ``entityId``.
"""

from __future__ import annotations

from ...spec import NON_BLANK, Annotations, Output, Tool
from .generic_common import ENTITY_HELP, PROPERTY_VALUES, READ, SEARCH, object_schema

_ENTITY = {"type": "string", "description": ENTITY_HELP}
_ID = {"type": "string", **NON_BLANK, "description": "Record id (or the idProperty value)."}
_OF_TYPE = {"objectType": "entity"}
_OF_RECORD = {**_OF_TYPE, **dict.fromkeys(("objectId", "id", "hs_object_id"), "entityId")}
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
        aliases=_OF_TYPE,
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
        aliases=_OF_RECORD,
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
        aliases=_OF_RECORD,
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
        aliases=_OF_RECORD,
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
        aliases=_OF_TYPE,
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

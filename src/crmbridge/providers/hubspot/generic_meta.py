"""Schema and relationship tools: pipelines, stages, property definitions, owners, associations.

Their preparers (``generic_schema_read``, ``generic_association*``) are in ``generic_prepare``.
"""

from __future__ import annotations

from ...spec import Annotations, Output, Tool
from .generic_common import ENTITY_HELP, READ, object_schema

_PIPELINED = {"enum": ["deals", "tickets"]}
_TYPE = {"type": "string", "description": ENTITY_HELP}
_ID = {"type": "string"}


TOOLS: tuple[Tool, ...] = (
    Tool(
        name="hubspot_pipelines_list",
        description="List the deal or ticket pipelines of HubSpot with their stages (ids, labels, order).",
        input_schema=object_schema(["objectType"], objectType=_PIPELINED),
        method="GET",
        path="/crm/v3/pipelines/{objectType}",
        annotations=READ,
        prepare="generic_schema_read",
        output=Output(
            "list", items="results", keep=("id", "label", "stages.id", "stages.label", "stages.metadata")
        ),
    ),
    Tool(
        name="hubspot_pipeline_stage_get",
        description="Get one stage of a HubSpot deal or ticket pipeline by id (label, order, metadata).",
        input_schema=object_schema(
            ["objectType", "pipelineId", "stageId"], objectType=_PIPELINED, pipelineId=_ID, stageId=_ID
        ),
        method="GET",
        path="/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}",
        annotations=READ,
        prepare="generic_schema_read",
        output=Output("record", keep=("id", "label", "metadata")),
        example={"objectType": "deals", "pipelineId": "default", "stageId": "appointmentscheduled"},
    ),
    Tool(
        name="hubspot_properties_list",
        description="List the property definitions of a HubSpot object type: names, labels, types and "
        "allowed options.",
        input_schema=object_schema(
            ["objectType"],
            objectType=_TYPE,
            archived={"type": "boolean", "description": "List archived properties instead."},
        ),
        method="GET",
        path="/crm/v3/properties/{objectType}",
        query=("archived",),
        annotations=READ,
        prepare="generic_schema_read",
        output=Output(
            "list",
            items="results",
            keep=(
                "name",
                "label",
                "type",
                "fieldType",
                "description",
                "options.label",
                "options.value",
                "modificationMetadata.readOnlyValue",
            ),
        ),
    ),
    Tool(
        name="hubspot_owners_list",
        description="List HubSpot owners (users who can own records); hubspot_owner_id takes their id.",
        input_schema=object_schema(
            [],
            email={"type": "string", "description": "Only the owner with this email."},
            limit={"type": "integer", "minimum": 1, "maximum": 500},
            after={"type": ["string", "integer"], "description": "Cursor from next_cursor."},
        ),
        method="GET",
        path="/crm/v3/owners",
        query=("email", "limit", "after"),
        scopes=("crm.objects.owners.read",),
        annotations=READ,
        output=Output(
            "list", items="results", keep=("id", "email", "firstName", "lastName", "userId", "teams.name")
        ),
    ),
    Tool(
        name="hubspot_association_create",
        description="Link two HubSpot records (default association, or a label / association type id).",
        input_schema=object_schema(
            ["fromObjectType", "fromObjectId", "toObjectType", "toObjectId"],
            fromObjectType=_TYPE,
            fromObjectId=_ID,
            toObjectType={"type": "string"},
            toObjectId=_ID,
            label={"type": "string", "description": "Association label, e.g. Primary."},
            associationTypeId={"type": "integer"},
        ),
        method="PUT",
        path="/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
        annotations=Annotations(idempotent=True),
        prepare="generic_association_create",
        output=Output("list", items="results"),
        example={
            "fromObjectType": "contacts",
            "fromObjectId": "1",
            "toObjectType": "companies",
            "toObjectId": "2",
        },
    ),
    Tool(
        name="hubspot_associations_list",
        description="List the records of one object type linked to a HubSpot record, with association labels.",
        input_schema=object_schema(
            ["objectType", "objectId", "toObjectType"],
            objectType=_TYPE,
            objectId=_ID,
            toObjectType={"type": "string"},
            limit={"type": "integer", "minimum": 1, "maximum": 500},
            after={"type": ["string", "integer"], "description": "Cursor from next_cursor."},
        ),
        method="GET",
        path="/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}",
        query=("limit", "after"),
        annotations=READ,
        prepare="generic_associations_list",
        output=Output("list", items="results"),
    ),
)

"""Schema and relationship tools: pipelines, stages, property definitions, owners, associations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ...engine import matching
from ...spec import Annotations, Output, Prepared, Preparer, Tool
from .generic_common import (
    ENTITY_HELP,
    READ,
    association_types,
    kind,
    object_schema,
    read_scopes,
    require_scopes,
)

if TYPE_CHECKING:
    from ...spec import CallContext

_PIPELINED = {"enum": ["deals", "tickets"]}
_TYPE = {"type": "string", "description": ENTITY_HELP}
_ID = {"type": "string"}


async def _schema_read(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    """Pipelines and properties: map the object type and check its read (or schema read) scope."""
    found = kind(args["objectType"], "objectType")
    require_scopes(ctx, [read_scopes(found, schema=True)], tool.name)
    args["objectType"] = found.api_name
    return Prepared(args)


async def _associations_list(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    a, b = kind(args["objectType"], "objectType"), kind(args["toObjectType"], "toObjectType")
    require_scopes(ctx, [read_scopes(a), read_scopes(b)], tool.name)
    args["objectType"], args["toObjectType"] = a.api_name, b.api_name
    return Prepared(args)


async def _spec(ctx: CallContext, a: str, b: str, label: str | None, type_id: int | None) -> dict[str, Any]:
    """The ``{associationCategory, associationTypeId}`` a label or a type id names between two types."""
    found = await (_by_label(ctx, a, b, label) if type_id is None else _by_type_id(ctx, a, b, type_id))
    return {"associationCategory": found.get("category"), "associationTypeId": found.get("typeId")}


def _choices(types: list[Any], *, labelled: bool) -> list[matching.Choice[Any]]:
    if labelled:
        return [matching.Choice(t, t["label"], t["label"]) for t in types if t.get("label")]
    return [matching.Choice(t, t.get("typeId"), t.get("label") or "default") for t in types]


async def _by_label(ctx: CallContext, a: str, b: str, label: Any) -> Mapping[str, Any]:
    """A label matched as any name is; one not in the cached list is looked for again (it may be new)."""
    choices = _choices(await association_types(ctx, a, b), labelled=True)
    if not matching.best_matches(label, choices):
        choices = _choices(await association_types(ctx, a, b, fresh=True), labelled=True)
    found: Mapping[str, Any] = matching.pick(
        label, choices, field="label", kind=f"association label from {a} to {b}"
    ).value
    return found


async def _by_type_id(ctx: CallContext, a: str, b: str, type_id: int) -> Mapping[str, Any]:
    for fresh in (False, True):  # a type created a moment ago may not be in the cached list yet
        types = await association_types(ctx, a, b, fresh=fresh)
        found: Mapping[str, Any] | None = next((t for t in types if t.get("typeId") == type_id), None)
        if found is not None:
            return found
    raise matching.not_found(
        str(type_id), field="associationTypeId", kind=f"association type from {a} to {b}",
        options=_choices(types, labelled=False),
    )  # fmt: skip


async def _association_create(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    """Default association via the tool's own PUT; a label or type id is set first by a side request.

    HubSpot keeps the unlabelled association under every labelled one, so the default PUT that follows
    is a no-op in that case and the tool stays idempotent.
    """
    a, b = kind(args["fromObjectType"], "fromObjectType"), kind(args["toObjectType"], "toObjectType")
    require_scopes(ctx, [(a.write_scope,), (b.write_scope,)], tool.name)
    args["fromObjectType"], args["toObjectType"] = a.api_name, b.api_name
    label, type_id = args.pop("label", None), args.pop("associationTypeId", None)
    if label is not None or type_id is not None:
        spec = await _spec(ctx, a.api_name, b.api_name, label, type_id)
        path = (
            f"/crm/v4/objects/{a.api_name}/{quote(str(args['fromObjectId']), safe='')}/associations/"
            f"{b.api_name}/{quote(str(args['toObjectId']), safe='')}"
        )
        await ctx.request("PUT", path, json=[spec])
    return Prepared(args)


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

PREPARERS: Mapping[str, Preparer] = {
    "generic_schema_read": _schema_read,
    "generic_associations_list": _associations_list,
    "generic_association_create": _association_create,
}

"""Discovery for HubSpot: the schemas API for custom objects, the properties API for every object type
(options, read-only, unique), pipelines of deals and tickets, and association labels between objects.

Read through the engine with a few private raw tools, so rate limits, retries and scope errors apply.
"""

from __future__ import annotations

from typing import Any

from ...errors import InsufficientScope
from ...spec import (
    AssociationType,
    ObjectSchema,
    Output,
    PipelineSchema,
    PropertyOption,
    PropertySchema,
    SchemaSnapshot,
    StageSchema,
    Tool,
)
from ...spec.schema import PropertyType
from ...spec.schema_adapter import Reader
from .binding_calls import HubSpotBindingCalls
from .generic_common import READ

__all__ = ["ADAPTER", "HubSpotSchema"]

_ANY: dict[str, Any] = {"type": "object"}


def _raw(name: str, path: str, scopes: tuple[str, ...] = ()) -> Tool:
    return Tool(
        name=f"hubspot_discovery_{name}", description=f"Discovery: {name}.", input_schema=_ANY,
        method="GET", path=path, scopes=scopes, annotations=READ, output=Output("raw"), provider="hubspot",
    )  # fmt: skip


SCHEMAS = _raw("schemas", "/crm/v3/schemas", ("crm.schemas.custom.read",))
PROPERTIES = _raw("properties", "/crm/v3/properties/{objectType}")
PIPELINES = _raw("pipelines", "/crm/v3/pipelines/{objectType}")
LABELS = _raw("labels", "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels")

#: Standard objects: API name → (singular, plural).
STANDARD: dict[str, tuple[str, str]] = {
    "contacts": ("Contact", "Contacts"), "companies": ("Company", "Companies"), "deals": ("Deal", "Deals"),
    "tickets": ("Ticket", "Tickets"), "products": ("Product", "Products"),
    "line_items": ("Line item", "Line items"), "calls": ("Call", "Calls"), "emails": ("Email", "Emails"),
    "meetings": ("Meeting", "Meetings"), "notes": ("Note", "Notes"), "tasks": ("Task", "Tasks"),
}  # fmt: skip
_PRIMARY = {"contacts": "email", "companies": "domain", "deals": "dealname", "tickets": "subject",
            "products": "name", "line_items": "name"}  # fmt: skip
_PIPELINED = ("deals", "tickets")
#: What a create of a standard object must carry (engagements their timeline time, deals and tickets a
#: stage); custom objects say theirs in the schemas API.
REQUIRED_ON_CREATE: dict[str, frozenset[str]] = {
    **dict.fromkeys(("calls", "emails", "meetings", "notes", "tasks"), frozenset({"hs_timestamp"})),
    "deals": frozenset({"dealstage"}),
    "tickets": frozenset({"hs_pipeline_stage"}),
}
#: Pairs whose association labels are read (custom objects add their own from the schemas API).
_PAIRS = (("contacts", "companies"), ("contacts", "deals"), ("companies", "deals"), ("contacts", "tickets"))
_TYPES: dict[str, PropertyType] = {
    "string": "string", "number": "number", "bool": "bool", "date": "date", "datetime": "datetime",
    "enumeration": "enumeration", "phone_number": "string",
}  # fmt: skip


def _property(raw: dict[str, Any], required: frozenset[str]) -> PropertySchema:
    meta = raw.get("modificationMetadata") or {}
    kind: PropertyType = _TYPES.get(str(raw.get("type")), "other")
    if raw.get("externalOptions"):
        kind = "reference"  # owners: ids from another API, no options listed here
    options = tuple(
        PropertyOption(str(o.get("value")), str(o.get("label") or o.get("value")))
        for o in raw.get("options") or []
        if not o.get("hidden")
    )
    return PropertySchema(
        key=str(raw["name"]),
        label=str(raw.get("label") or raw["name"]),
        type=kind,
        field_type=str(raw.get("fieldType") or ""),
        options=options,
        read_only=bool(meta.get("readOnlyValue") or raw.get("calculated")),
        unique=bool(raw.get("hasUniqueValue")),
        required_on_create=raw["name"] in required,
        custom=not raw.get("hubspotDefined", False),
        description=str(raw.get("description") or ""),
    )


async def _properties(read: Reader, object_type: str, required: frozenset[str]) -> tuple[PropertySchema, ...]:
    body = await read(PROPERTIES, {"objectType": object_type})
    return tuple(_property(p, required) for p in (body or {}).get("results") or [] if not p.get("archived"))


async def _pipelines(read: Reader, object_type: str) -> list[PipelineSchema]:
    body = await read(PIPELINES, {"objectType": object_type})
    out = []
    for p in (body or {}).get("results") or []:
        stages = tuple(
            StageSchema(str(s["id"]), str(s.get("label") or s["id"]), int(s.get("displayOrder") or 0))
            for s in p.get("stages") or []
        )
        out.append(PipelineSchema(str(p["id"]), str(p.get("label") or p["id"]), object_type, stages))
    return out


async def _labels(read: Reader, a: str, b: str) -> list[AssociationType]:
    body = await read(LABELS, {"fromObjectType": a, "toObjectType": b})
    return [
        AssociationType(a, b, int(r["typeId"]), r.get("label"), str(r.get("category") or ""))
        for r in (body or {}).get("results") or []
    ]


class HubSpotSchema(HubSpotBindingCalls):
    """HubSpot's :class:`~crmbridge.spec.schema_adapter.SchemaAdapter`."""

    provider = "hubspot"
    max_filters = 6  # filters in one AND group of the search API

    async def discover(self, read: Reader) -> SchemaSnapshot:
        objects: list[ObjectSchema] = []
        for name, (singular, plural) in STANDARD.items():
            props = await _properties(read, name, REQUIRED_ON_CREATE.get(name, frozenset()))
            objects.append(ObjectSchema(name, singular, plural, False, _PRIMARY.get(name, ""), props))
        extra: dict[str, str] = {}
        associations: list[AssociationType] = []
        try:
            schemas = (await read(SCHEMAS, {}) or {}).get("results") or []
        except InsufficientScope as exc:  # optional scope: custom objects stay out until it is granted
            schemas = []
            extra["custom_objects"] = f"not read: {exc.message}"
        for s in schemas:
            labels = s.get("labels") or {}
            type_id = str(s["objectTypeId"])
            props = await _properties(read, type_id, frozenset(s.get("requiredProperties") or ()))
            objects.append(ObjectSchema(
                type_id, str(labels.get("singular") or s["name"]), str(labels.get("plural") or s["name"]),
                True, str(s.get("primaryDisplayProperty") or ""), props,
            ))  # fmt: skip
            for a in s.get("associations") or []:
                associations.append(AssociationType(
                    type_id, str(a.get("toObjectTypeId")), int(a["id"]), a.get("name"), "USER_DEFINED"
                    if a.get("name") and not str(a.get("name")).isupper() else "HUBSPOT_DEFINED",
                ))  # fmt: skip
        pipelines = [p for t in _PIPELINED for p in await _pipelines(read, t)]
        for a, b in _PAIRS:
            associations.extend(await _labels(read, a, b))
        return SchemaSnapshot("hubspot", tuple(objects), tuple(pipelines), tuple(associations), extra=extra)


ADAPTER = HubSpotSchema()

"""Discovery for Pipedrive: the v2 fields API of deals, persons, organizations, products and activities
(custom fields with their 40-character hash keys and option ids), pipelines and stages. Leads share the
deals' custom fields and have a fixed set of their own; notes have fixed fields: both are data here."""

from __future__ import annotations

from typing import Any

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
from .binding_calls import PipedriveBindingCalls
from .common import V2

__all__ = ["ADAPTER", "PipedriveSchema"]

_READ_ONLY_TOOL = Tool(
    name="pipedrive_discovery_list", description="Discovery: one list page.", input_schema={"type": "object"},
    method="GET", path=V2 + "/{collection}", query=("limit", "cursor"), output=Output("list"),
    provider="pipedrive",
)  # fmt: skip

#: Object (API collection) → (fields collection, singular, plural, primary property).
FIELDS: dict[str, tuple[str, str, str, str]] = {
    "deals": ("dealFields", "Deal", "Deals", "title"),
    "persons": ("personFields", "Person", "Persons", "name"),
    "organizations": ("organizationFields", "Organization", "Organizations", "name"),
    "products": ("productFields", "Product", "Products", "name"),
    "activities": ("activityFields", "Activity", "Activities", "subject"),
}
#: Fields the CRM sets itself.
READ_ONLY = frozenset({"id", "add_time", "update_time", "creator_user_id", "close_time", "won_time",
                       "lost_time", "user_id"})  # fmt: skip
REQUIRED = {"deals": ("title",), "persons": ("name",), "organizations": ("name",), "products": ("name",),
            "activities": ("subject",), "leads": ("title",), "notes": ("content",)}  # fmt: skip
_TYPES: dict[str, PropertyType] = {
    "varchar": "string", "text": "string", "varchar_auto": "string", "phone": "string", "address": "string",
    "varchar_options": "string", "time": "string", "int": "number", "double": "number", "monetary": "number",
    "enum": "enumeration", "set": "enumeration", "status": "enumeration", "date": "date",
    "boolean": "bool", "user": "reference", "people": "reference", "org": "reference", "deal": "reference",
    "lead": "reference", "stage": "reference", "visible_to": "other",
}  # fmt: skip
#: Leads (v1) and notes have no fields API in v2: their system fields, as Pipedrive documents them.
LEAD_FIELDS = (("id", "ID", "varchar"), ("title", "Title", "varchar"), ("owner_id", "Owner", "user"),
               ("person_id", "Person", "people"), ("organization_id", "Organization", "org"),
               ("expected_close_date", "Expected close date", "date"), ("add_time", "Lead created", "date"),
               ("update_time", "Update time", "date"))  # fmt: skip
NOTE_FIELDS = (("id", "ID", "int"), ("content", "Content", "text"), ("deal_id", "Deal", "deal"),
               ("person_id", "Person", "people"), ("org_id", "Organization", "org"),
               ("lead_id", "Lead", "lead"), ("add_time", "Note created", "date"),
               ("update_time", "Update time", "date"))  # fmt: skip
ASSOCIATIONS = (("deals", "persons"), ("deals", "organizations"), ("persons", "organizations"),
                ("activities", "deals"), ("activities", "persons"), ("activities", "organizations"),
                ("leads", "persons"), ("leads", "organizations"), ("notes", "deals"), ("notes", "persons"),
                ("notes", "organizations"), ("notes", "leads"))  # fmt: skip


def _property(obj: str, raw: dict[str, Any]) -> PropertySchema:
    code = str(raw["field_code"])
    custom = bool(raw.get("is_custom_field"))
    options = tuple(
        PropertyOption(str(o.get("id")), str(o.get("label") or o.get("id"))) for o in raw.get("options") or []
    )
    return PropertySchema(
        key=code,
        label=str(raw.get("field_name") or code),
        type=_TYPES.get(str(raw.get("field_type")), "other"),
        field_type=str(raw.get("field_type") or ""),
        options=options,
        read_only=not custom and code in READ_ONLY,
        required_on_create=code in REQUIRED.get(obj, ()),
        custom=custom,
    )


def _fixed(obj: str, fields: tuple[tuple[str, str, str], ...]) -> tuple[PropertySchema, ...]:
    return tuple(_property(obj, {"field_code": c, "field_name": n, "field_type": t}) for c, n, t in fields)


async def _all(read: Reader, collection: str) -> list[dict[str, Any]]:
    """Every page of a v2 list (fields, pipelines, stages are short; the cap guards a runaway cursor)."""
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(50):
        args: dict[str, Any] = {"collection": collection, "limit": 500}
        if cursor:
            args["cursor"] = cursor
        data = await read(_READ_ONLY_TOOL, args)
        out.extend(data.get("results") or [])
        cursor = data.get("next_cursor")
        if not cursor:
            break
    return out


class PipedriveSchema(PipedriveBindingCalls):
    """Pipedrive's :class:`~crmbridge.spec.schema_adapter.SchemaAdapter`."""

    provider = "pipedrive"
    max_filters = 4

    async def discover(self, read: Reader) -> SchemaSnapshot:
        objects: list[ObjectSchema] = []
        for obj, (collection, singular, plural, primary) in FIELDS.items():
            props = tuple(_property(obj, f) for f in await _all(read, collection))
            objects.append(ObjectSchema(obj, singular, plural, False, primary, props))
        deal_custom = tuple(p for p in objects[0].properties if p.custom)
        objects.append(ObjectSchema("leads", "Lead", "Leads", False, "title",
                                    _fixed("leads", LEAD_FIELDS) + deal_custom))  # fmt: skip
        objects.append(ObjectSchema("notes", "Note", "Notes", False, "content", _fixed("notes", NOTE_FIELDS)))
        stages = await _all(read, "stages")
        pipelines = tuple(
            PipelineSchema(
                str(p["id"]), str(p.get("name") or p["id"]), "deals",
                tuple(StageSchema(str(s["id"]), str(s.get("name")), int(s.get("order_nr") or 0))
                      for s in stages if s.get("pipeline_id") == p["id"]),
            )
            for p in await _all(read, "pipelines")
        )  # fmt: skip
        associations = tuple(AssociationType(a, b) for a, b in ASSOCIATIONS)
        return SchemaSnapshot("pipedrive", tuple(objects), pipelines, associations)


ADAPTER = PipedriveSchema()

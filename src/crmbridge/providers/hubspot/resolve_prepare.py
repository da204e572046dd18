"""Preparers of the named CRM tools: flat tool input → the HubSpot request body, names resolved.

Each returns a :class:`~crmbridge.spec.Prepared` whose ``labels`` put deal stage and pipeline names
next to their ids and whose ``linked`` says what a create associated, for ``HubSpotHooks.shape_record``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from ...errors import CrmBridgeError, InvalidInput, NotFound
from ...spec import NON_BLANK, Prepared, Preparer
from .crm_activities import NOTE_FIELDS, TASK_FIELDS
from .resolve_common import SYSTEM_PROPERTIES, as_text, now_ms
from .resolve_owners import find_owner
from .resolve_pipelines import Pipeline, default_pipeline, find_pipeline, find_stage, label_maps, pipelines
from .resolve_props import normalize_values
from .resolve_records import build_associations, domain_of
from .resolve_search import search_input

if TYPE_CHECKING:
    from ...spec import CallContext, Tool

__all__ = ["DEFAULT_PROPERTIES", "PREPARERS"]

#: What search, list and get return when the model names no properties.
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("email", "firstname", "lastname", "phone", "company", "jobtitle", "lifecyclestage",
                 "hs_lead_status", "hubspot_owner_id", "createdate"),
    "companies": ("name", "domain", "industry", "city", "state", "country", "numberofemployees",
                  "annualrevenue", "lifecyclestage", "hubspot_owner_id"),
    "deals": ("dealname", "amount", "dealstage", "pipeline", "closedate", "hs_priority", "dealtype",
              "hubspot_owner_id"),
}  # fmt: skip


async def output_labels(ctx: CallContext, object_type: str) -> dict[str, dict[str, str]]:
    """Stage and pipeline names next to deal ids (custom pipelines have numeric ids), best effort.

    Only from the deal pipelines, cached per account and readable with the deals scope; owners are not
    labelled, since reading them needs a scope most grants lack and would add a request to every read.
    """
    if object_type != "deals":
        return {}
    with contextlib.suppress(CrmBridgeError):
        return label_maps(await pipelines(ctx))
    return {}


#: Creates HubSpot asks at least one of these properties of (its companies guide: a name or a domain).
_ONE_OF: dict[str, tuple[str, ...]] = {"companies": ("name", "domain")}


def _flat(tool: Tool, args: dict[str, Any]) -> dict[str, Any]:
    """Flat property values; a ``properties`` object (HubSpot's own nesting) is merged in, where the
    fields that name the record must not be blank either (the engine checked the flat ones). The system
    properties of an echoed read are left out."""
    values = {k: v for k, v in args.items() if k != "properties" and v is not None}
    nested = args.get("properties")
    if isinstance(nested, dict):
        fields = tool.input_schema.get("properties", {})
        for name, value in nested.items():
            naming = fields.get(name, {}).get("pattern") == NON_BLANK["pattern"]
            if naming and isinstance(value, str) and not value.strip():
                raise InvalidInput(
                    f"'properties.{name}' must not be empty or blank: it identifies the record; give a real value.",
                    field=f"properties.{name}",
                )
        values.update({k: v for k, v in nested.items() if v is not None})
    return {k: v for k, v in values.items() if k not in SYSTEM_PROPERTIES}


def _require_one_of(object_type: str, values: dict[str, Any]) -> None:
    wanted = _ONE_OF.get(object_type, ())
    if wanted and not any(str(values.get(name) or "").strip() for name in wanted):
        raise InvalidInput(
            f"Give at least one of {' or '.join(repr(n) for n in wanted)}: HubSpot needs one to create this record.",
            field=wanted[0],
        )


async def _properties(ctx: CallContext, object_type: str, values: dict[str, Any]) -> dict[str, str]:
    """Normalised values; an owner that arrived nested in ``properties`` is resolved here too."""
    owner = values.get("hubspot_owner_id")
    if owner not in (None, "") and not str(owner).strip().isdecimal():
        values["hubspot_owner_id"] = await find_owner(ctx, owner, "hubspot_owner_id")
    return await normalize_values(ctx, object_type, values)


def _timestamp(value: Any) -> str:
    """ISO 8601 or epoch milliseconds as given; epoch *seconds* (10 digits) become milliseconds."""
    text = as_text(value).strip()
    return str(int(text) * 1000) if text.isdecimal() and len(text) <= 10 else text


async def _current_pipeline(ctx: CallContext, pipes: list[Pipeline], deal_id: str) -> Pipeline:
    try:
        deal = await ctx.request("GET", f"/crm/v3/objects/deals/{deal_id}", params={"properties": "pipeline"})
    except NotFound as exc:
        raise exc.with_details(field="deal_id") from None
    current = str(((deal or {}).get("properties") or {}).get("pipeline") or "")
    return next((p for p in pipes if p.id == current), None) or default_pipeline(pipes)


async def _deal_stage(ctx: CallContext, values: dict[str, Any], deal_id: str | None = None) -> None:
    """Stage and pipeline labels → ids; the stage is looked up in the pipeline it will belong to."""
    stage, pipe = values.get("dealstage"), values.get("pipeline")
    if stage in (None, "") and pipe in (None, "") and deal_id is not None:
        return
    pipes = await pipelines(ctx)
    if pipe not in (None, ""):
        pipeline = find_pipeline(pipes, pipe)
    elif deal_id is None:
        pipeline = default_pipeline(pipes)
    else:
        pipeline = await _current_pipeline(ctx, pipes, deal_id)
    if deal_id is None or pipe not in (None, ""):
        values["pipeline"] = pipeline.id
    if stage not in (None, ""):
        values["dealstage"] = find_stage(pipes, pipeline, stage).id


def read(object_type: str, id_field: str | None = None) -> Preparer:
    """Get and list: default properties, e-mail as a contact id, labels."""

    async def prepare(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
        args["properties"] = args.get("properties") or list(DEFAULT_PROPERTIES[object_type])
        if id_field and object_type == "contacts" and "@" in str(args.get(id_field, "")):
            args["idProperty"] = "email"
        return Prepared(args, labels=await output_labels(ctx, object_type))

    return prepare


def search(object_type: str) -> Preparer:
    async def prepare(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
        body = await search_input(ctx, object_type, args, DEFAULT_PROPERTIES[object_type])
        return Prepared(body, labels=await output_labels(ctx, object_type))

    return prepare


def create(object_type: str) -> Preparer:
    """Contacts excepted (``upsert_contact``): properties normalised, associations resolved."""

    async def prepare(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
        spec = args.pop("associations", None)
        values = _flat(tool, args)
        _require_one_of(object_type, values)
        if object_type == "deals":
            await _deal_stage(ctx, values)
        if object_type == "companies" and values.get("domain"):
            values["domain"] = domain_of(str(values["domain"])) or values["domain"]
        return await _create_body(ctx, object_type, values, spec)

    return prepare


async def _create_body(
    ctx: CallContext, object_type: str, values: dict[str, Any], spec: dict[str, Any] | list[Any] | None
) -> Prepared:
    properties = await _properties(ctx, object_type, values)
    inline, linked = await build_associations(ctx, object_type, spec)
    body: dict[str, Any] = {"properties": properties}
    if inline:
        body["associations"] = inline
    return Prepared(body, labels=await output_labels(ctx, object_type), linked=linked)


def engagement(object_type: str, fields: dict[str, str]) -> Preparer:
    """Tasks and notes: friendly fields → ``hs_*`` properties, ``hs_timestamp`` defaulting to now."""

    async def prepare(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
        spec = args.pop("associations", None)
        values: dict[str, Any] = {fields.get(k, k): v for k, v in args.items() if k != "owner"}
        if args.get("owner") not in (None, ""):
            values["hubspot_owner_id"] = await find_owner(ctx, args["owner"], "owner")
        stamp = values.get("hs_timestamp")
        values["hs_timestamp"] = _timestamp(stamp) if stamp not in (None, "") else now_ms()
        return await _create_body(ctx, object_type, values, spec)

    return prepare


async def upsert_contact(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    """Create-or-update by e-mail through ``batch/upsert``: a retry can never make a duplicate."""
    values = _flat(tool, args)
    email = (
        str(values.pop("email")).strip().lower()
    )  # the upsert key matches exactly; HubSpot stores it lower-case
    properties = await _properties(ctx, "contacts", values)
    inputs = [{"id": email, "idProperty": "email", "properties": properties}]
    return Prepared({"inputs": inputs}, labels=await output_labels(ctx, "contacts"))


def update(object_type: str, id_field: str) -> Preparer:
    async def prepare(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
        record_id = str(args.pop(id_field)).strip()
        values = _flat(tool, args)
        if not values:
            raise InvalidInput(f"Give at least one property to change besides {id_field}.", field="(input)")
        if object_type == "deals":
            await _deal_stage(ctx, values, record_id)
        if object_type == "companies" and values.get("domain"):
            values["domain"] = domain_of(str(values["domain"])) or values["domain"]
        body: dict[str, Any] = {
            id_field: record_id,
            "properties": await _properties(ctx, object_type, values),
        }
        if object_type == "contacts" and "@" in record_id:
            body["idProperty"] = "email"
        return Prepared(body, labels=await output_labels(ctx, object_type))

    return prepare


PREPARERS: dict[str, Preparer] = {
    "crm_contact_upsert": upsert_contact,
    "crm_contact_read": read("contacts", "contact_id"),
    "crm_contacts_list": read("contacts"),
    "crm_contact_update": update("contacts", "contact_id"),
    "crm_contacts_search": search("contacts"),
    "crm_company_create": create("companies"),
    "crm_company_read": read("companies", "company_id"),
    "crm_companies_search": search("companies"),
    "crm_deal_create": create("deals"),
    "crm_deal_read": read("deals", "deal_id"),
    "crm_deal_update": update("deals", "deal_id"),
    "crm_deals_search": search("deals"),
    "crm_task_create": engagement("tasks", TASK_FIELDS),
    "crm_note_create": engagement("notes", NOTE_FIELDS),
}

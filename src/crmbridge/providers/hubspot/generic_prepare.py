"""The generic tools' preparers: object types mapped to API names and checked against the granted
scopes, search bodies normalised, associations and ticket pipelines looked up by label or id.

The tools (``generic_records``, ``generic_tickets``, ``generic_meta``) name these in ``prepare``. They run
only inside a call, so this module loads with the first call that needs one, not with the catalog
(start-up cost).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ...engine import matching
from ...errors import InsufficientScope, InvalidInput, NotFound
from ...spec import Prepared
from .objects import ObjectType, object_type
from .resolve_common import SYSTEM_PROPERTIES, as_text
from .resolve_records import ASSOCIATION_TYPES

if TYPE_CHECKING:
    from ...spec import CallContext, Preparer, Tool

__all__ = ["PREPARERS"]


def kind(value: str, field: str) -> ObjectType:
    """The object type an input names; the error names ``field`` and lists what is accepted."""
    try:
        return object_type(value)
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message.replace("'entity'", f"'{field}'", 1), field=field, allowed=exc.details.get("allowed")
        ) from None


def property_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Values as text; the system properties of an echoed read left out."""
    return {name: as_text(value) for name, value in values.items() if name not in SYSTEM_PROPERTIES}


def _sort(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        if not isinstance(raw.get("propertyName"), str):
            raise InvalidInput("A sort object needs 'propertyName'.", field="sorts")
        descending = str(raw.get("direction") or "").upper().startswith("DESC")
        return {"propertyName": raw["propertyName"], "direction": "DESCENDING" if descending else "ASCENDING"}
    words = str(raw).split()
    name = words[0] if words else ""
    descending = name.startswith("-") or (len(words) > 1 and words[1].upper().startswith("DESC"))
    name = name.lstrip("+-")
    if not name:
        raise InvalidInput(f'Sort {raw!r} names no property; use e.g. "-createdate".', field="sorts")
    return {"propertyName": name, "direction": "DESCENDING" if descending else "ASCENDING"}


def search_body(search: Mapping[str, Any]) -> dict[str, Any]:
    """A search object as HubSpot takes it: sorts as objects, filter values and ``after`` as strings."""
    body = dict(search)
    if body.get("sorts"):
        body["sorts"] = [_sort(s) for s in body["sorts"]]
    if body.get("after") is not None:
        body["after"] = str(body["after"])
    groups = []
    for group in body.get("filterGroups") or ():
        filters = []
        for raw in group.get("filters") or ():
            item = dict(raw)
            for key in ("value", "highValue"):
                if key in item:
                    item[key] = as_text(item[key])
            if "values" in item:  # HubSpot matches IN / NOT_IN values only in lower case
                item["values"] = [as_text(v).lower() for v in item["values"]]
            filters.append(item)
        groups.append({**group, "filters": filters})
    if groups:
        body["filterGroups"] = groups
    return body


def read_scopes(kind: ObjectType, *, schema: bool = False) -> tuple[str, ...]:
    """Scopes any one of which lets a call read ``kind`` (``schema``: its properties or pipelines)."""
    found: tuple[str, ...] = (kind.read_scope, kind.write_scope)
    if schema:
        name = "custom" if kind.read_scope.startswith("crm.objects.custom") else kind.api_name
        found += (f"crm.schemas.{name}.read",)
    return found


def require_scopes(ctx: CallContext, groups: Iterable[tuple[str, ...]], tool: str) -> None:
    """Pre-flight check for tools whose scopes depend on the input: each group needs one granted scope."""
    granted = ctx.granted_scopes
    if granted is None:
        return
    missing = sorted({group[0] for group in groups if not granted.intersection(group)})
    if missing:
        raise InsufficientScope(
            f"This account has not granted {', '.join(missing)}, which {tool} needs for these object types. "
            "Ask the user to re-authorise with the link.",
            missing_scopes=missing,
        )


async def association_types(
    ctx: CallContext, from_api: str, to_api: str, *, fresh: bool = False
) -> list[Any]:
    """``[{category, typeId, label}]`` from ``from_api`` to ``to_api``; cached, since labels rarely change."""
    path = f"/crm/v4/associations/{from_api}/{to_api}/labels"

    async def load() -> list[Any]:
        body = await ctx.request("GET", path)
        return list(body.get("results") or []) if isinstance(body, dict) else []

    key = f"hubspot:assoc-types:{from_api}:{to_api}"
    found: list[Any] = await ctx.cached(key, load, fresh=fresh)
    return found


async def default_association(ctx: CallContext, from_api: str, to_api: str, field: str) -> dict[str, Any]:
    """The unlabelled association type between two object types, as an inline ``types`` entry."""
    for item in await association_types(ctx, from_api, to_api):
        if item.get("label") is None:
            return {"associationCategory": item.get("category"), "associationTypeId": item.get("typeId")}
    raise InvalidInput(
        f"There is no default association from {from_api} to {to_api}; give 'types' explicitly.", field=field
    )


# Records of any object type (``generic_records``).


def _entity(args: dict[str, Any]) -> dict[str, Any]:
    args["entity"] = kind(args["entity"], "entity").api_name
    if isinstance(args.get("properties"), Mapping):
        args["properties"] = property_values(args["properties"])
    return args


async def _record(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    return Prepared(_entity(args))


async def _record_create(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
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


async def _record_get(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    args = _entity(args)
    if args.get("associations"):
        args["associations"] = [kind(a, "associations").api_name for a in args["associations"]]
    return Prepared(args)


async def _record_archive(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    """HubSpot answers 204 even for ids that do not exist; check first so a typo is not reported as done."""
    args = _entity(args)
    path = f"/crm/v3/objects/{args['entity']}/{quote(str(args['entityId']), safe='')}"
    try:
        await ctx.request("GET", path, params={"properties": "hs_object_id"})
    except NotFound as exc:
        raise exc.with_details(field="entityId") from None
    return Prepared(args)


async def _records_search(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    args = _entity(args)
    return Prepared({"entity": args["entity"], **search_body(args.get("searchObj") or {})})


# Tickets (``generic_tickets``).


async def _pipelines(ctx: CallContext) -> list[Any]:
    async def load() -> list[Any]:
        body = await ctx.request("GET", "/crm/v3/pipelines/tickets")
        return list(body.get("results") or []) if isinstance(body, dict) else []

    found: list[Any] = await ctx.cached("hubspot:pipelines:tickets", load)
    return found


def _pick(items: list[Any], wanted: str, field: str, noun: str) -> Any:
    """A pipeline or status by id or label, matched as any name is."""
    choices = [matching.Choice(i, str(i.get("id")), str(i.get("label") or i.get("id"))) for i in items]
    return matching.pick(wanted, choices, field=field, kind=noun).value


async def _ticket_create(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    """Pipeline and status by id or label (status defaults to the first); contact/company → associations."""
    pipeline = _pick(
        await _pipelines(ctx), str(args.get("hs_pipeline") or "0"), "hs_pipeline", "ticket pipeline"
    )
    stages = sorted(
        (s for s in pipeline.get("stages") or () if not s.get("archived")),
        key=lambda s: s.get("displayOrder", 0),
    )
    args["hs_pipeline"] = str(pipeline["id"])
    if args.get("hs_pipeline_stage"):
        args["hs_pipeline_stage"] = str(
            _pick(stages, str(args["hs_pipeline_stage"]), "hs_pipeline_stage", "ticket status")["id"]
        )
    elif stages:
        args["hs_pipeline_stage"] = str(stages[0]["id"])
    links: list[dict[str, Any]] = []
    associated: dict[str, list[str]] = {}
    for key, linked_type in (("contactId", "contacts"), ("companyId", "companies")):
        target = args.pop(key, None)
        if target is not None:
            spec = {
                "associationCategory": "HUBSPOT_DEFINED",
                "associationTypeId": ASSOCIATION_TYPES[("tickets", linked_type)],
            }
            links.append({"to": {"id": as_text(target)}, "types": [spec]})
            associated.setdefault(linked_type, []).append(as_text(target))
    out: dict[str, Any] = {k: as_text(v) for k, v in args.items() if v is not None}
    if links:
        out["associations"] = links
    # For HubSpotHooks.shape_record: status and pipeline names next to their ids, and what was linked.
    labels = {
        "hs_pipeline": {str(pipeline["id"]): str(pipeline.get("label"))},
        "hs_pipeline_stage": {str(s["id"]): str(s.get("label")) for s in stages},
    }
    return Prepared(out, labels=labels, linked=associated)


async def _tickets_search(ctx: CallContext, tool: Tool, args: dict[str, Any]) -> Prepared:
    return Prepared(search_body(args))


# Pipelines, properties and associations (``generic_meta``).


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


PREPARERS: Mapping[str, Preparer] = {
    "generic_record": _record,
    "generic_record_create": _record_create,
    "generic_record_get": _record_get,
    "generic_record_archive": _record_archive,
    "generic_records_search": _records_search,
    "generic_ticket_create": _ticket_create,
    "generic_tickets_search": _tickets_search,
    "generic_schema_read": _schema_read,
    "generic_associations_list": _associations_list,
    "generic_association_create": _association_create,
}

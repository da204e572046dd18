"""Shared pieces of the generic HubSpot tools: schema fragments, value normalising, scopes, lookups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...errors import InsufficientScope, InvalidInput
from ...spec import Annotations
from .objects import ObjectType, object_type
from .resolve_common import as_text

if TYPE_CHECKING:
    from ...spec import CallContext

READ = Annotations(read_only=True, idempotent=True)
ENTITY_HELP = (
    "companies, contacts, deals, tickets, products, lineItems, quotes, calls, emails, meetings, notes, "
    "tasks, postalMails, or a custom object id (2-…) / name (p…_name)."
)
OPERATORS = ["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"]  # fmt: skip
_SCALAR = {"type": ["string", "number", "boolean"]}
FILTER_GROUPS: dict[str, Any] = {
    "type": "array",
    "description": "Groups are ORed, filters in a group ANDed. BETWEEN uses value+highValue, IN uses values.",
    "items": {
        "type": "object",
        "properties": {
            "filters": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "propertyName": {"type": "string"},
                        "operator": {"enum": OPERATORS},
                        "value": {},
                        "highValue": {},
                        "values": {"type": "array"},
                    },
                    "required": ["propertyName", "operator"],
                },
            }
        },
        "required": ["filters"],
    },
}
_SEARCH_FIELDS: dict[str, Any] = {
    "query": {"type": "string", "description": "Free text."},
    "filterGroups": FILTER_GROUPS,
    "properties": {"type": "array", "items": {"type": "string"}, "description": "Properties to return."},
    "sorts": {
        "type": "array",
        "maxItems": 1,
        "items": {"type": ["string", "object"]},
        "description": 'One sort: "amount", "-amount" (descending) or {propertyName, direction}.',
    },
    "limit": {"type": "integer", "minimum": 1, "maximum": 200},
    "after": {"type": ["string", "integer"], "description": "Cursor from next_cursor."},
}
#: A search request's input: free text, filter groups, properties to return, one sort and paging.
SEARCH: dict[str, Any] = {"type": "object", "properties": _SEARCH_FIELDS, "additionalProperties": False}
PROPERTY_VALUES: dict[str, Any] = {
    "type": "object",
    "description": 'Property name → value; "" clears a value.',
    "additionalProperties": _SCALAR,
}


def object_schema(required: list[str], **fields: Any) -> dict[str, Any]:
    """A closed input object: ``fields`` as its properties, ``required`` (possibly empty) listed."""
    return {"type": "object", "properties": fields, "required": required, "additionalProperties": False}


def kind(value: str, field: str) -> ObjectType:
    """The object type an input names; the error names ``field`` and lists what is accepted."""
    try:
        return object_type(value)
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message.replace("'entity'", f"'{field}'", 1), field=field, allowed=exc.details.get("allowed")
        ) from None


def property_values(values: Mapping[str, Any]) -> dict[str, str]:
    return {name: as_text(value) for name, value in values.items()}


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

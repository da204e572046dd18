"""A search tool's input → HubSpot's search body, forgiving the shapes models send.

``filterGroups`` may be one group, a bare list of filters, or groups; operators may be symbols (``>``,
``=``) or any case; a filter's value may be a label: a deal stage ("Closed Won" → ``closedwon``, in the
group's pipeline when it has one), a pipeline, an owner (e-mail or name) or an enumeration option label
("High" → ``high``). ``IN`` values are lower-cased, as HubSpot requires. ``sorts`` accepts
``"-createdate"``, ``"createdate desc"`` or ``{propertyName, direction}``; HubSpot allows one sort.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...engine import matching
from ...errors import InvalidInput
from .resolve_common import as_text
from .resolve_owners import find_owner
from .resolve_pipelines import find_pipeline, pipelines, stage_matches
from .resolve_props import PropDef, definitions, enum_value, unknown_property

if TYPE_CHECKING:
    from ...spec import CallContext

__all__ = ["OPERATORS", "search_input"]

OPERATORS = (
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
)  # fmt: skip
_ALIASES = {
    "=": "EQ", "==": "EQ", "EQUALS": "EQ", "!=": "NEQ", "<>": "NEQ", "NOT_EQUALS": "NEQ", ">": "GT",
    ">=": "GTE", "<": "LT", "<=": "LTE", "CONTAINS": "CONTAINS_TOKEN", "NOT_CONTAINS": "NOT_CONTAINS_TOKEN",
    "EXISTS": "HAS_PROPERTY", "NOT_EXISTS": "NOT_HAS_PROPERTY",
}  # fmt: skip
_VALUED = ("EQ", "NEQ", "IN", "NOT_IN")
_SORT_TEXT = re.compile(r"^\s*(-?)([\w.]+)(?:[\s:]+(asc|ascending|desc|descending))?\s*$", re.IGNORECASE)


def _groups(raw: Any) -> list[dict[str, Any]]:
    """Whatever nesting the model used → ``[{"filters": [...]}, ...]``."""
    if raw in (None, "", [], {}):
        return []
    if isinstance(raw, dict):
        raw = raw.get("filterGroups", [raw])
    if not isinstance(raw, list):
        raise InvalidInput("filterGroups must be a list of {filters: [...]} groups.", field="filterGroups")
    if all(isinstance(f, dict) and "propertyName" in f for f in raw):
        return [{"filters": raw}]
    groups = []
    for i, group in enumerate(raw):
        if isinstance(group, dict) and "propertyName" in group:
            group = {"filters": [group]}
        if isinstance(group, list):
            group = {"filters": group}
        if not isinstance(group, dict) or not isinstance(group.get("filters"), list):
            raise InvalidInput(
                f"filterGroups[{i}] must look like {{'filters': [{{'propertyName': 'amount', "
                "'operator': 'GT', 'value': '50000'}]}.",
                field=f"filterGroups[{i}]",
            )
        groups.append(group)
    return groups


def _operator(raw: dict[str, Any], where: str) -> str:
    given = raw.get("operator")
    if given in (None, ""):
        return "IN" if "values" in raw else "EQ"
    op = _ALIASES.get(str(given).strip().upper(), str(given).strip().upper().replace(" ", "_"))
    if op not in OPERATORS:
        raise InvalidInput(
            f"{where}.operator {given!r} is not a HubSpot operator; use one of: {', '.join(OPERATORS)}.",
            field=f"{where}.operator",
            allowed=list(OPERATORS),
        )
    return op


def _filter(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str) or not raw["propertyName"]:
        raise InvalidInput(f"{where} needs a propertyName and an operator.", field=f"{where}.propertyName")
    op = _operator(raw, where)
    out: dict[str, Any] = {"propertyName": raw["propertyName"].strip(), "operator": op}
    value, values = raw.get("value"), raw.get("values")
    if isinstance(value, list) and values is None:
        value, values = None, value
        op = out["operator"] = {"EQ": "IN", "NEQ": "NOT_IN"}.get(op, op)
    if op in ("IN", "NOT_IN") and values is None and value is not None:
        values = [value]
    if values is not None:
        out["values"] = [as_text(v) for v in (values if isinstance(values, list) else [values])]
    elif value is not None:
        out["value"] = as_text(value)
    if raw.get("highValue") is not None:
        out["highValue"] = as_text(raw["highValue"])
    return out


def _operands(f: dict[str, Any]) -> list[str]:
    return list(f.get("values") or ([f["value"]] if "value" in f else []))


def _set_operands(f: dict[str, Any], values: list[str]) -> None:
    if f["operator"] in ("EQ", "NEQ") and len(values) != 1:
        f["operator"] = "IN" if f["operator"] == "EQ" else "NOT_IN"
    if f["operator"] in ("IN", "NOT_IN"):
        f.pop("value", None)
        f["values"] = values
    else:
        f["value"] = values[0]


async def _resolve_filter(
    ctx: CallContext,
    object_type: str,
    f: dict[str, Any],
    defs: dict[str, PropDef],
    group: list[dict[str, Any]],
    where: str,
) -> None:
    name, op = f["propertyName"], f["operator"]
    error = unknown_property(name, object_type, defs, f"{where}.propertyName")
    if error is not None:
        raise error
    if op not in _VALUED or not _operands(f):
        return
    values = _operands(f)
    if object_type == "deals" and name == "pipeline":
        pipes = await pipelines(ctx)
        values = [find_pipeline(pipes, v, f"{where}.value").id for v in values]
    elif object_type == "deals" and name == "dealstage":
        pipes = await pipelines(ctx)
        scope = {
            v
            for g in group
            if g["propertyName"] == "pipeline" and g["operator"] in ("EQ", "IN")
            for v in _operands(g)
        }
        resolved: list[str] = []
        for v in values:
            ids = stage_matches(pipes, v, scope or None)
            if not ids:
                stages = [
                    matching.Choice(s, s.id, s.label)
                    for p in pipes
                    for s in p.stages
                    if p.id in scope or not scope
                ]
                raise matching.not_found(v, field=f"{where}.value", kind="deal stage", options=stages)
            resolved += ids
        values = list(dict.fromkeys(resolved))
    elif name == "hubspot_owner_id":
        values = [await find_owner(ctx, v, f"{where}.value") for v in values]
    elif name in defs and defs[name].type == "enumeration":
        values = [enum_value(defs[name], v) for v in values]
    if f["operator"] in ("IN", "NOT_IN") or len(values) > 1:
        values = [v.lower() for v in values]
    _set_operands(f, values)


def _sorts(raw: Any) -> list[dict[str, str]]:
    items = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
    out = []
    for item in items:
        if isinstance(item, str) and (m := _SORT_TEXT.match(item)):
            desc = bool(m.group(1)) or (m.group(3) or "").lower().startswith("desc")
            out.append({"propertyName": m.group(2), "direction": "DESCENDING" if desc else "ASCENDING"})
        elif isinstance(item, dict) and isinstance(item.get("propertyName"), str):
            direction = str(item.get("direction") or "ASCENDING").upper()
            desc = direction.startswith("DESC")
            out.append(
                {"propertyName": item["propertyName"], "direction": "DESCENDING" if desc else "ASCENDING"}
            )
        else:
            raise InvalidInput(
                "Each sort is a property name ('-createdate' for descending) or "
                "{'propertyName': 'createdate', 'direction': 'DESCENDING'}.",
                field="sorts",
            )
    if len(out) > 1:
        raise InvalidInput("HubSpot search takes a single sort.", field="sorts")
    return out


async def search_input(
    ctx: CallContext, object_type: str, args: dict[str, Any], default_properties: tuple[str, ...]
) -> dict[str, Any]:
    """The search body for ``POST /crm/v3/objects/{object_type}/search``."""
    body: dict[str, Any] = {}
    query = str(args.get("query") or "").strip()
    if query:
        body["query"] = query
    groups = _groups(args.get("filterGroups"))
    if groups:
        defs = await definitions(ctx, object_type)
        for g, group in enumerate(groups):
            filters = [
                _filter(raw, f"filterGroups[{g}].filters[{i}]") for i, raw in enumerate(group["filters"])
            ]
            ordered = sorted(range(len(filters)), key=lambda i: filters[i]["propertyName"] != "pipeline")
            for i in ordered:
                await _resolve_filter(
                    ctx, object_type, filters[i], defs, filters, f"filterGroups[{g}].filters[{i}]"
                )
            group["filters"] = filters
        body["filterGroups"] = [{"filters": g["filters"]} for g in groups]
    sorts = _sorts(args.get("sorts"))
    if sorts:
        body["sorts"] = sorts
    body["properties"] = list(args.get("properties") or default_properties)
    body["limit"] = args.get("limit") or 10
    if args.get("after") not in (None, ""):
        body["after"] = str(args["after"])
    return body

"""How a binding runs on HubSpot: its search becomes one ``filterGroups`` group of the CRM search API, its
writes the generic record create and update, all through the catalog's own tools."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from ...spec import ObjectSchema, PropertySchema, Tool
from ...spec.schema_adapter import Condition, Reader, SearchPage, SearchPlan
from .objects import object_type

__all__ = ["HubSpotBindingCalls"]


@cache
def catalog_tool(name: str) -> Tool:
    """The provider's own tool object (stamped with its provider, sharing its compiled validator)."""
    from . import PROVIDER  # the package is built by the time a binding runs

    return next(t for t in PROVIDER.tools if t.name == name)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _filter(c: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {"propertyName": c.property.key, "operator": c.operator}
    if c.operator == "BETWEEN":
        low, high = c.value
        out.update(value=_text(low), highValue=_text(high))
    elif c.operator in ("IN", "NOT_IN"):
        out["values"] = [_text(v) for v in c.value]
    elif c.operator not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        out["value"] = _text(c.value)
    return out


def _flat(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": str(record.get("id")), **(record.get("properties") or {})}


class HubSpotBindingCalls:
    """The binding half of HubSpot's schema adapter (every operator runs natively)."""

    def scopes(self, obj: ObjectSchema, *, write: bool) -> tuple[str, ...]:
        kind = object_type(obj.name)
        return (kind.write_scope if write else kind.read_scope,)

    def search_problems(
        self, obj: ObjectSchema, conditions: Sequence[tuple[PropertySchema, str]], sort: str | None
    ) -> list[tuple[int | None, str]]:
        return []

    def search_request(self, plan: SearchPlan) -> dict[str, Any]:
        search: dict[str, Any] = {"limit": plan.limit}
        if plan.conditions:
            search["filterGroups"] = [{"filters": [_filter(c) for c in plan.conditions]}]
        if plan.sort:
            search["sorts"] = [{"propertyName": plan.sort[0], "direction": plan.sort[1]}]
        if plan.properties:
            search["properties"] = list(plan.properties)
        return {"method": "POST", "path": f"/crm/v3/objects/{plan.obj.name}/search", "body": search}

    async def search(self, read: Reader, plan: SearchPlan) -> SearchPage:
        body = self.search_request(plan)["body"]
        data = await read(
            catalog_tool("hubspot_records_search"), {"entity": plan.obj.name, "searchObj": body}
        )
        records = [_flat(r) for r in data.get("results") or []]
        total = data.get("total")
        capped = bool(data.get("next_cursor")) or (isinstance(total, int) and total > len(records))
        return SearchPage(records, total if isinstance(total, int) else None, capped)

    async def create(self, read: Reader, obj: ObjectSchema, values: Mapping[str, Any]) -> dict[str, Any]:
        data = await read(
            catalog_tool("hubspot_record_create"),
            {"entity": obj.name, "properties": {k: _text(v) for k, v in values.items()}},
        )
        return _flat(data)

    async def update(
        self, read: Reader, obj: ObjectSchema, record_id: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        props = {k: _text(v) for k, v in values.items()}
        data = await read(
            catalog_tool("hubspot_record_update"),
            {"entity": obj.name, "entityId": record_id, "properties": props},
        )
        return _flat(data)

"""How a binding runs on Pipedrive: an equality on a searchable field goes to the search API (exact match,
each hit read whole and checked again); equalities on owner, person, organization, pipeline, stage or
status go to the v2 list's parameters, ``update_time`` after a date to ``updated_since``, and the sort to
``sort_by``. Anything else needs a saved filter, which a binding does not create: validation says so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...spec import ObjectSchema, Output, PropertySchema, Tool
from ...spec.schema_adapter import Condition, Reader, SearchPage, SearchPlan
from .common import V1, V2

__all__ = ["PipedriveBindingCalls"]

_ANY: dict[str, Any] = {"type": "object"}
_LIST_PARAMS = ("owner_id", "person_id", "org_id", "organization_id", "pipeline_id", "stage_id", "status",
                "deal_id", "lead_id", "done", "updated_since", "sort_by", "sort_direction")  # fmt: skip


def _tool(
    name: str, method: str, path: str, query: tuple[str, ...] = (), output: Output | None = None
) -> Tool:
    return Tool(
        name=f"pipedrive_binding_{name}", description=f"Binding: {name}.", input_schema=_ANY, method=method,
        path=path, query=query, body="rest" if method in ("POST", "PATCH", "PUT") else "none",
        output=output or Output("raw"), provider="pipedrive",
    )  # fmt: skip


LIST_V2 = _tool("list", "GET", V2 + "/{collection}", ("limit", "cursor", *_LIST_PARAMS), Output("list"))
LIST_V1 = _tool("list_v1", "GET", V1 + "/{collection}", ("limit", "start", *_LIST_PARAMS), Output("list"))
SEARCH = _tool("search", "GET", V2 + "/{collection}/search",
               ("term", "fields", "exact_match", "limit", "cursor"), Output("list", items="items"))  # fmt: skip
GET_V2 = _tool("get", "GET", V2 + "/{collection}/{record_id}")
GET_V1 = _tool("get_v1", "GET", V1 + "/{collection}/{record_id}")
CREATE_V2 = _tool("create", "POST", V2 + "/{collection}")
CREATE_V1 = _tool("create_v1", "POST", V1 + "/{collection}")
UPDATE_V2 = _tool("update", "PATCH", V2 + "/{collection}/{record_id}")
UPDATE_V1 = _tool("update_v1", "PATCH", V1 + "/{collection}/{record_id}")
#: Notes are updated with PUT, leads with PATCH (API v1).
UPDATE_PUT_V1 = _tool("update_put_v1", "PUT", V1 + "/{collection}/{record_id}")

#: Objects served by API v1 (flat custom fields, ``start`` paging).
V1_OBJECTS = frozenset({"leads", "notes"})
#: Object → property key → the search API's ``fields`` name (custom fields: ``custom_fields``).
SEARCH_FIELDS: dict[str, dict[str, str]] = {
    "persons": {"name": "name", "emails": "email", "phones": "phone"},
    "organizations": {"name": "name", "address": "address"},
    "deals": {"title": "title"},
    "products": {"name": "name", "code": "code"},
    "leads": {"title": "title"},
}
_SEARCHABLE_CUSTOM = frozenset({"varchar", "text", "varchar_auto", "double", "monetary", "phone", "address"})
#: Object → properties its list filters by equality.
LIST_FILTERS: dict[str, frozenset[str]] = {
    "deals": frozenset({"owner_id", "person_id", "org_id", "pipeline_id", "stage_id", "status"}),
    "persons": frozenset({"owner_id", "org_id"}),
    "organizations": frozenset({"owner_id"}),
    "products": frozenset({"owner_id"}),
    "activities": frozenset({"owner_id", "deal_id", "person_id", "org_id", "lead_id", "done"}),
    "leads": frozenset({"owner_id", "person_id", "organization_id"}),
    "notes": frozenset({"deal_id", "person_id", "org_id", "lead_id"}),
}
_SORTABLE = frozenset({"id", "update_time", "add_time"})


def _search_field(obj: str, prop: PropertySchema) -> str | None:
    if prop.custom:
        return "custom_fields" if prop.field_type in _SEARCHABLE_CUSTOM and obj in SEARCH_FIELDS else None
    return SEARCH_FIELDS.get(obj, {}).get(prop.key)


def _flat(record: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k != "custom_fields"}
    for key, value in (record.get("custom_fields") or {}).items():
        out[key] = value
    if "id" in out:
        out["id"] = str(out["id"])
    return out


def _values(value: Any) -> list[str]:
    """What a field holds, as texts: lists of ``{value}`` (emails, phones), options, plain values."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("value", item.get("id"))
        out.append(str(item).casefold())
    return out


def _typed(prop: PropertySchema, value: Any) -> Any:
    """Option ids and numbers as the API takes them."""
    if prop.type == "enumeration" and prop.field_type in ("enum", "set"):
        ids = [int(v) if str(v).isdigit() else v for v in (value if isinstance(value, list) else [value])]
        return ids if prop.field_type == "set" else ids[0]
    return value


class PipedriveBindingCalls:
    """The binding half of Pipedrive's schema adapter."""

    def scopes(self, obj: ObjectSchema, *, write: bool) -> tuple[str, ...]:
        return ()  # Pipedrive grants by app, not per object type: a 403 still maps to the taxonomy

    def search_problems(
        self, obj: ObjectSchema, conditions: Sequence[tuple[PropertySchema, str]], sort: str | None
    ) -> list[tuple[int | None, str]]:
        problems: list[tuple[int | None, str]] = []
        terms = 0
        listed = LIST_FILTERS.get(obj.name, frozenset())
        for i, (prop, op) in enumerate(conditions):
            if op == "EQ" and prop.key in listed:
                continue
            if op in ("GT", "GTE") and prop.key == "update_time" and obj.name not in V1_OBJECTS:
                continue
            if op == "EQ" and _search_field(obj.name, prop):
                terms += 1
                if terms > 1:
                    problems.append(
                        (
                            i,
                            "Pipedrive's search takes one term: keep one equality on a "
                            "searchable field (name, e-mail, phone, title, a text custom field).",
                        )
                    )
                continue
            allowed = sorted(listed | set(SEARCH_FIELDS.get(obj.name, {})))
            problems.append((i, f"Pipedrive cannot run {op} on {prop.label!r} ({prop.key}) of {obj.name} "
                                "through its search or list parameters (it would need a saved filter). It can "
                                f"filter by equality on: {', '.join(allowed) or 'nothing'}."))  # fmt: skip
        if terms and sort:
            problems.append((None, "Pipedrive's search ranks by relevance: a sort needs the list, not a "
                                   "search term."))  # fmt: skip
        if sort and sort not in _SORTABLE:
            problems.append((None, f"Pipedrive sorts lists only by {', '.join(sorted(_SORTABLE))}."))
        if sort and obj.name in V1_OBJECTS:
            problems.append((None, f"Pipedrive's {obj.name} list takes no sort through a binding."))
        return problems

    def _term(self, plan: SearchPlan) -> Condition | None:
        return next((c for c in plan.conditions if c.operator == "EQ" and c.property.key not in
                     LIST_FILTERS.get(plan.obj.name, ()) and _search_field(plan.obj.name, c.property)), None)  # fmt: skip

    def search_request(self, plan: SearchPlan) -> dict[str, Any]:
        version = V1 if plan.obj.name in V1_OBJECTS else V2
        term = self._term(plan)
        if term is not None:
            params = {"term": str(term.value), "fields": _search_field(plan.obj.name, term.property),
                      "exact_match": "true", "limit": plan.limit}  # fmt: skip
            return {"method": "GET", "path": f"{V2}/{plan.obj.name}/search", "params": params}
        params = {}
        for c in plan.conditions:
            if c.operator == "EQ":
                params[c.property.key] = _typed(c.property, c.value)
            else:
                params["updated_since"] = str(c.value)
        if plan.sort:
            params["sort_by"] = plan.sort[0]
            params["sort_direction"] = "desc" if plan.sort[1] == "DESCENDING" else "asc"
        params["limit"] = plan.limit
        return {"method": "GET", "path": f"{version}/{plan.obj.name}", "params": params}

    async def search(self, read: Reader, plan: SearchPlan) -> SearchPage:
        request = self.search_request(plan)
        params = {k: v for k, v in request["params"].items()}
        if self._term(plan) is None:
            tool = LIST_V1 if plan.obj.name in V1_OBJECTS else LIST_V2
            data = await read(tool, {"collection": plan.obj.name, **params})
            records = [_flat(r) for r in data.get("results") or []]
            return SearchPage(
                records[: plan.limit], None, bool(data.get("next_cursor")) or len(records) > plan.limit
            )
        data = await read(SEARCH, {"collection": plan.obj.name, **params})
        getter = GET_V1 if plan.obj.name in V1_OBJECTS else GET_V2
        records = []
        for hit in data.get("results") or []:
            full = _flat(await read(getter, {"collection": plan.obj.name, "record_id": str(hit["id"])}))
            if all(self._holds(full, c) for c in plan.conditions):
                records.append(full)
        return SearchPage(records, None, bool(data.get("next_cursor")))

    @staticmethod
    def _holds(record: Mapping[str, Any], c: Condition) -> bool:
        """The search matched the term somewhere in the field: check equality on the record itself."""
        wanted = {str(v).casefold() for v in (c.value if isinstance(c.value, list) else [c.value])}
        return bool(wanted & set(_values(record.get(c.property.key))))

    def _body(self, obj: ObjectSchema, values: Mapping[str, Any]) -> dict[str, Any]:
        props = {p.key: p for p in obj.properties}
        body: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for key, value in values.items():
            prop = props.get(key)
            typed = _typed(prop, value) if prop else value
            if prop is not None and prop.custom and obj.name not in V1_OBJECTS:
                custom[key] = typed
            elif key in ("emails", "phones") and not isinstance(value, list):
                body[key] = [{"value": value, "primary": True}]
            else:
                body[key] = typed
        if custom:
            body["custom_fields"] = custom
        return body

    async def create(self, read: Reader, obj: ObjectSchema, values: Mapping[str, Any]) -> dict[str, Any]:
        tool = CREATE_V1 if obj.name in V1_OBJECTS else CREATE_V2
        return _flat(await read(tool, {"collection": obj.name, **self._body(obj, values)}))

    async def update(
        self, read: Reader, obj: ObjectSchema, record_id: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        tool = {"leads": UPDATE_V1, "notes": UPDATE_PUT_V1}.get(obj.name, UPDATE_V2)
        args = {"collection": obj.name, "record_id": record_id, **self._body(obj, values)}
        return _flat(await read(tool, args))

"""A validated binding compiled for one account: a tool definition (name, description, JSON-Schema input
from its ``from`` names and the properties' types and options, annotations, scopes) and how to run it.

Running it is one or two calls of real tools through the engine (a search; a create or an update; both
for find-or-create), so rate limits, retries, scope checks and error mapping are the catalog's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..discovery.reading import Runner, reader
from ..engine import ToolResult
from ..engine.result import ToolError
from ..engine.schema import CompiledSchema
from ..errors import AmbiguousReference, CrmBridgeError, InvalidInput
from ..spec import Annotations, PropertySchema, Tool
from ..spec.binding import RestSearch, RestWrite
from ..spec.schema_adapter import Condition, SchemaAdapter, SearchPage, SearchPlan
from .validate import Validated

__all__ = ["CompiledBinding", "compile_binding"]

DEFAULT_MANY = 10


def _input_schema(prop: PropertySchema, operator: str = "EQ") -> dict[str, Any]:
    base: dict[str, Any]
    if prop.type == "number":
        base = {"type": ["number", "string"]}
    elif prop.type == "bool":
        base = {"type": ["boolean", "string"]}
    elif prop.options and prop.type == "enumeration":
        choices = sorted({o.label for o in prop.options} | {o.value for o in prop.options})
        base = {"type": "string", "enum": choices}
    else:
        base = {"type": ["string", "number"]} if prop.type == "reference" else {"type": "string"}
    base["description"] = prop.label + (f" ({prop.type})" if prop.type in ("date", "datetime") else "")
    if operator == "BETWEEN":
        return {
            "type": "array",
            "items": base,
            "minItems": 2,
            "maxItems": 2,
            "description": f"{prop.label}: [low, high]",
        }
    if operator in ("IN", "NOT_IN"):
        return {"type": "array", "items": base, "minItems": 1, "description": f"{prop.label}: any of"}
    return base


def _option_value(prop: PropertySchema, value: Any) -> Any:
    if isinstance(value, list):
        return [_option_value(prop, v) for v in value]
    for o in prop.options:
        if str(value) == o.value or str(value).casefold() == o.label.casefold():
            return o.value
    return value


@dataclass
class CompiledBinding:
    """``definition`` is what a toolset lists; :meth:`execute` runs it for one account."""

    validated: Validated
    adapter: SchemaAdapter
    definition: Tool
    inputs: dict[str, PropertySchema] = field(default_factory=dict)
    _schema: CompiledSchema | None = None

    @property
    def name(self) -> str:
        return self.definition.name

    def validator(self) -> CompiledSchema:
        if self._schema is None:
            self._schema = CompiledSchema(self.definition.input_schema)
        return self._schema

    # -- running -------------------------------------------------------------------------------

    def plan(
        self, args: Mapping[str, Any], *, limit: int | None = None, skip_missing: bool = False
    ) -> SearchPlan:
        """The search of a restSearch (or the match of a find_or_create) with the inputs filled in."""
        b = self.validated.binding
        conditions: list[Condition] = []
        if isinstance(b, RestSearch):
            for i, f in enumerate(b.filters):
                prop = self.validated.properties[f.property]
                if f.from_ is not None:
                    if f.from_ not in args and skip_missing:
                        continue
                    value = _option_value(prop, args.get(f.from_))
                else:
                    value = self.validated.constants.get(f"$.filters[{i}].value", f.value)
                conditions.append(Condition(prop, f.operator, value))
            sort = None
            if b.sort is not None:
                sort = (self.validated.properties[b.sort.property].key, b.sort.direction)
            size = b.limit or (DEFAULT_MANY if b.result == "many" else (1 if sort else 2))
            props = tuple(self.validated.properties[p].key for p in b.properties)
            return SearchPlan(self.validated.obj, tuple(conditions), sort, limit or size, props)
        assert isinstance(b, RestWrite)
        for m in b.match:
            prop = self.validated.properties[m.property]
            conditions.append(Condition(prop, "EQ", _option_value(prop, args.get(m.from_))))
        return SearchPlan(self.validated.obj, tuple(conditions), None, 2)

    def values(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """A write's property values by key: constants, and inputs that were given."""
        b = self.validated.binding
        assert isinstance(b, RestWrite)
        out: dict[str, Any] = {}
        if b.operation == "find_or_create":
            for m in b.match:
                out[self.validated.properties[m.property].key] = args.get(m.from_)
        for i, rule in enumerate(b.fields):
            prop = self.validated.properties[rule.property]
            if rule.from_ is not None:
                if rule.from_ in args and args[rule.from_] is not None:
                    out[prop.key] = _option_value(prop, args[rule.from_])
            else:
                out[prop.key] = self.validated.constants.get(f"$.fields[{i}].value", rule.value)
        return out

    def _shape(self, page: SearchPage) -> list[dict[str, Any]]:
        keys = (
            self.plan({}, skip_missing=True).properties
            if isinstance(self.validated.binding, RestSearch)
            else ()
        )
        if not keys:
            return page.records
        return [{"id": r.get("id"), **{k: r.get(k) for k in keys}} for r in page.records]

    async def execute(self, run: Runner, args: Any) -> ToolResult:
        """Validate ``args`` against the definition, then run; errors come back in the result."""
        warnings: list[str] = []
        try:
            checked = self.validator().validate(args or {}, warnings)
            data, more = await self._run(run, checked)
        except CrmBridgeError as exc:
            return ToolResult(self.name, False, error=ToolError.from_exception(exc), warnings=tuple(warnings))
        return ToolResult(self.name, True, data=data, warnings=(*warnings, *more))

    async def _run(self, run: Runner, args: Mapping[str, Any]) -> tuple[Any, list[str]]:
        read = reader(run)
        b = self.validated.binding
        obj = self.validated.obj
        if isinstance(b, RestSearch):
            page = await self.adapter.search(read, self.plan(args))
            records = self._shape(page)
            if b.result == "many":
                out: dict[str, Any] = {"records": records, "count": len(records), "capped": page.capped}
                if page.total is not None:
                    out["total"] = page.total
                more = (
                    [f"More {obj.plural_label or obj.name} matched than the {len(records)} returned."]
                    if page.capped
                    else []
                )
                return out, more
            if len(records) > 1 and b.sort is None:
                raise AmbiguousReference(
                    f"Several {obj.plural_label or obj.name} match; narrow the search.",
                    candidates=[r.get("id") for r in records],
                )
            return {"found": bool(records), "record": records[0] if records else None}, []
        assert isinstance(b, RestWrite)
        values = self.values(args)
        if b.operation == "create":
            return {"created": True, "record": await self.adapter.create(read, obj, values)}, []
        if b.operation == "update":
            assert b.id is not None
            record_id = str(args.get(b.id.from_) or "")
            if not record_id.strip():
                raise InvalidInput(f"{b.id.from_!r}: the id of the record to update.", field=b.id.from_)
            return {"updated": True, "record": await self.adapter.update(read, obj, record_id, values)}, []
        page = await self.adapter.search(read, self.plan(args))
        if len(page.records) > 1:
            raise AmbiguousReference(
                f"Several {obj.plural_label or obj.name} match; cannot tell which one to use.",
                candidates=[r.get("id") for r in page.records],
            )
        if page.records:
            return {"created": False, "record": page.records[0]}, []
        return {"created": True, "record": await self.adapter.create(read, obj, values)}, []


def compile_binding(validated: Validated, adapter: SchemaAdapter) -> CompiledBinding:
    """The tool definition: inputs from the ``from`` names (required unless a write field says not)."""
    b = validated.binding
    props: dict[str, Any] = {}
    required: list[str] = []
    inputs: dict[str, PropertySchema] = {}

    def add(name: str, prop: PropertySchema | None, needed: bool, operator: str = "EQ") -> None:
        schema = (
            _input_schema(prop, operator)
            if prop
            else {"type": ["string", "integer"], "description": "Record id."}
        )
        props.setdefault(name, schema)
        if prop is not None:
            inputs[name] = prop
        if needed and name not in required:
            required.append(name)

    if isinstance(b, RestSearch):
        for f in b.filters:
            if f.from_ is not None:
                add(f.from_, validated.properties[f.property], True, f.operator)
        annotations = Annotations(read_only=True, idempotent=True)
        scopes = adapter.scopes(validated.obj, write=False)
    else:
        if b.id is not None:
            add(b.id.from_, None, True)
        for m in b.match:
            add(m.from_, validated.properties[m.property], True)
        for rule in b.fields:
            prop = validated.properties[rule.property]
            if rule.from_ is not None:
                add(rule.from_, prop, rule.required or (b.operation != "update" and prop.required_on_create))
        annotations = Annotations(idempotent=b.operation != "create")
        scopes = adapter.scopes(validated.obj, write=True)
    schema = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
    description = b.description or _describe(validated)
    definition = Tool(
        name=b.name, description=description, input_schema=schema, method="BINDING",
        path=f"binding:{validated.obj.name}", scopes=tuple(scopes), annotations=annotations,
        provider=adapter.provider,
    )  # fmt: skip
    return CompiledBinding(validated, adapter, definition, inputs)


def _describe(v: Validated) -> str:
    b = v.binding
    label = v.obj.plural_label or v.obj.name
    if isinstance(b, RestSearch):
        by = ", ".join(f.property for f in b.filters) or "any"
        what = "List" if b.result == "many" else ("Find the latest" if b.sort else "Find one")
        return f"{what} of {label} by {by}."
    return f"{b.operation.replace('_', ' ').capitalize()} a {v.obj.label}."

"""Validation of a binding against one account's snapshot (never a generic schema): every object,
property and option must exist there, writes must not touch read-only fields, and the provider must be
able to run the search. Every problem is collected, not just the first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..discovery import SchemaIndex, find_object
from ..spec import ObjectSchema, PropertySchema, SchemaSnapshot
from ..spec.binding import Binding, Filter, RestSearch, RestWrite
from ..spec.schema_adapter import SchemaAdapter
from .problems import BindingInvalid, Problem

__all__ = ["Validated", "parse", "validate"]

_BINDING: TypeAdapter[RestSearch | RestWrite] = TypeAdapter(Binding)
_ORDERED = frozenset({"number", "date", "datetime"})
_NO_VALUE = frozenset({"HAS_PROPERTY", "NOT_HAS_PROPERTY"})
_LISTS = frozenset({"IN", "NOT_IN"})


@dataclass(frozen=True)
class Validated:
    """A binding that fits the snapshot: its object, each named property, and constants as the CRM takes
    them (option labels turned into values: "Closed Won" → ``closedwon``)."""

    binding: RestSearch | RestWrite
    obj: ObjectSchema
    properties: dict[str, PropertySchema]
    constants: dict[str, Any] = field(default_factory=dict)  # JSON path → resolved constant
    snapshot_version: int = 0

    @property
    def writes(self) -> bool:
        return isinstance(self.binding, RestWrite)


def _path(loc: tuple[int | str, ...]) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse(raw: Mapping[str, Any] | RestSearch | RestWrite) -> RestSearch | RestWrite:
    """The grammar's shape only; every problem at its JSON path."""
    if isinstance(raw, RestSearch | RestWrite):
        return raw
    try:
        return _BINDING.validate_python(dict(raw) if isinstance(raw, Mapping) else raw)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = tuple(p for p in e["loc"] if p not in ("restSearch", "restWrite"))
            problems.append(Problem(_path(loc), e["msg"]))
        raise BindingInvalid.of(problems) from None


class _Checker:
    def __init__(self, snapshot: SchemaSnapshot, index: SchemaIndex, obj: ObjectSchema) -> None:
        self.snapshot, self.index, self.obj = snapshot, index, obj
        self.by_key = {p.key: p for p in obj.properties}
        self.by_label = {p.label.casefold(): p for p in obj.properties}
        self.problems: list[Problem] = []
        self.found: dict[str, PropertySchema] = {}
        self.constants: dict[str, Any] = {}

    def prop(self, name: str, path: str) -> PropertySchema | None:
        found = self.by_key.get(name) or self.by_label.get(name.casefold())
        if found is None:
            hits = self.index.search(name, object=self.obj.name, kinds=("property",), limit=3, min_score=40)
            close = tuple(f"{h.property.key} ({h.property.label})" for h in hits if h.property is not None)
            self.problems.append(Problem(path, f"{self.obj.label} has no property {name!r}.", close))
            return None
        self.found[name] = found
        return found

    def constant(self, prop: PropertySchema, value: Any, path: str) -> Any:
        """The value as the CRM takes it, or a problem naming what is allowed."""
        if isinstance(value, list):
            return [self.constant(prop, v, f"{path}[{i}]") for i, v in enumerate(value)]
        if prop.options and prop.type == "enumeration":
            for o in prop.options:
                if str(value) == o.value or str(value).casefold() == o.label.casefold():
                    return o.value
            allowed = tuple(f"{o.label} ({o.value})" for o in prop.options)
            self.problems.append(Problem(path, f"{value!r} is not an option of {prop.label}.", allowed))
            return value
        if prop.type == "number" and not _is_number(value):
            self.problems.append(Problem(path, f"{prop.label} is a number; {value!r} is not."))
        if prop.type == "bool" and str(value).lower() not in ("true", "false"):
            self.problems.append(Problem(path, f"{prop.label} is true or false; {value!r} is neither."))
        return value

    def source(self, rule: Any, path: str, *, needed: bool) -> None:
        has_from, has_value = rule.from_ is not None, rule.value is not None
        if has_from and has_value:
            self.problems.append(
                Problem(path, "Give either 'from' (an input) or 'value' (a constant), not both.")
            )
        elif needed and not (has_from or has_value):
            self.problems.append(
                Problem(path, "Give 'from' (an input of the skill) or 'value' (a constant).")
            )


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _filter(c: _Checker, f: Filter, i: int) -> PropertySchema | None:
    path = f"$.filters[{i}]"
    prop = c.prop(f.property, f"{path}.property")
    if prop is None:
        return None
    op = f.operator
    if op in _NO_VALUE:
        if f.from_ is not None or f.value is not None:
            c.problems.append(Problem(path, f"{op} takes no value."))
        return prop
    c.source(f, path, needed=True)
    if op in ("LT", "LTE", "GT", "GTE", "BETWEEN") and prop.type not in _ORDERED:
        c.problems.append(Problem(f"{path}.operator", f"{op} compares numbers and dates; {prop.label} is "
                                                     f"{prop.type}.", ("EQ", "IN")))  # fmt: skip
    if op == "CONTAINS_TOKEN" and prop.type not in ("string", "other"):
        c.problems.append(
            Problem(f"{path}.operator", f"CONTAINS_TOKEN searches text; {prop.label} is {prop.type}.")
        )
    if f.value is not None:
        if op == "BETWEEN" and not (isinstance(f.value, list) and len(f.value) == 2):
            c.problems.append(Problem(f"{path}.value", "BETWEEN takes [low, high]."))
        elif op in _LISTS and not isinstance(f.value, list):
            c.problems.append(Problem(f"{path}.value", f"{op} takes a list of values."))
        else:
            c.constants[f"{path}.value"] = c.constant(prop, f.value, f"{path}.value")
    return prop


def _search(c: _Checker, b: RestSearch, adapter: SchemaAdapter) -> None:
    if len(b.filters) > adapter.max_filters:
        c.problems.append(Problem("$.filters", f"{len(b.filters)} filters: this CRM takes at most "
                                               f"{adapter.max_filters} in one search."))  # fmt: skip
    pairs = []
    for i, f in enumerate(b.filters):
        prop = _filter(c, f, i)
        if prop is not None:
            pairs.append((i, prop, f.operator))
    sort_key = None
    if b.sort is not None:
        sort_prop = c.prop(b.sort.property, "$.sort.property")
        sort_key = sort_prop.key if sort_prop else None
    for i, name in enumerate(b.properties):
        c.prop(name, f"$.properties[{i}]")
    if not c.problems:
        for index, reason in adapter.search_problems(c.obj, [(p, op) for _, p, op in pairs], sort_key):
            path = "$.sort" if index is None else f"$.filters[{pairs[index][0]}]"
            c.problems.append(Problem(path, reason))


def _write(c: _Checker, b: RestWrite, adapter: SchemaAdapter) -> None:
    if b.operation == "update" and b.id is None:
        c.problems.append(Problem("$.id", "An update needs 'id': {\"from\": <input holding the record id>}."))
    if b.operation == "find_or_create" and not b.match:
        c.problems.append(Problem("$.match", "find_or_create needs 'match': the properties that identify "
                                             "the record."))  # fmt: skip
    if b.operation != "find_or_create" and b.match:
        c.problems.append(Problem("$.match", "'match' is for find_or_create only."))
    if b.operation != "update" and b.id is not None:
        c.problems.append(Problem("$.id", "'id' is for update only."))
    matched: list[tuple[PropertySchema, str]] = []
    for i, m in enumerate(b.match):
        prop = c.prop(m.property, f"$.match[{i}].property")
        if prop is not None:
            matched.append((prop, "EQ"))
    written: set[str] = set()
    for i, rule in enumerate(b.fields):
        path = f"$.fields[{i}]"
        prop = c.prop(rule.property, f"{path}.property")
        c.source(rule, path, needed=True)
        if prop is None:
            continue
        if prop.key in written:
            c.problems.append(Problem(path, f"{prop.label} is written twice."))
        written.add(prop.key)
        if prop.read_only:
            c.problems.append(Problem(f"{path}.property", f"{prop.label} ({prop.key}) is read-only: the CRM "
                                                          "sets it."))  # fmt: skip
        if rule.value is not None:
            c.constants[f"{path}.value"] = c.constant(prop, rule.value, f"{path}.value")
    if b.operation in ("create", "find_or_create"):
        given = written | {p.key for p, _ in matched}
        missing = [p for p in c.obj.properties if p.required_on_create and p.key not in given]
        if missing:
            c.problems.append(Problem("$.fields", f"Creating a {c.obj.label} needs "
                                                  f"{', '.join(p.key for p in missing)}.",
                                      tuple(p.key for p in missing)))  # fmt: skip
    if matched and not c.problems:
        for index, reason in adapter.search_problems(c.obj, matched, None):
            c.problems.append(Problem("$.match" if index is None else f"$.match[{index}]", reason))


def validate(
    raw: Mapping[str, Any] | RestSearch | RestWrite, snapshot: SchemaSnapshot, adapter: SchemaAdapter,
    *, index: SchemaIndex | None = None, snapshot_version: int = 0,
) -> Validated:  # fmt: skip
    """The binding checked against ``snapshot``; raises :class:`BindingInvalid` listing every problem."""
    binding = parse(raw)
    index = index or SchemaIndex(snapshot)
    obj = find_object(snapshot, binding.object)
    if obj is None:
        close = tuple(
            f"{h.object.name} ({h.object.label})"
            for h in index.search(binding.object, kinds=("object",), limit=3, min_score=40)
        )
        raise BindingInvalid.of(
            [Problem("$.object", f"This account has no object {binding.object!r}.", close)]
        )
    checker = _Checker(snapshot, index, obj)
    if isinstance(binding, RestSearch):
        _search(checker, binding, adapter)
    else:
        _write(checker, binding, adapter)
    if checker.problems:
        raise BindingInvalid.of(checker.problems, keys=[p.key for p in obj.properties])
    return Validated(binding, obj, checker.found, checker.constants, snapshot_version)

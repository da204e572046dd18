"""Search filters compiled once per request into plain predicates over records.

A filter is turned into a closure holding its already-normalised operand(s), so evaluating it over 10,000
records costs one dict lookup and one comparison per record: no per-record parsing of the filter, no
per-record regex compilation. Record values are strings; parsing them as numbers or instants is memoised.

Comparison rules, by the property's HubSpot type (``PropertyDef.type``; inferred when undefined):

* ``number``: numeric. ``date``/``datetime``: instants; epoch milliseconds and ISO 8601 both accepted.
* ``string``/``phone_number``: case-insensitive. ``enumeration``: case-insensitive, and a multi-select
  value (``a;b``) matches when any of its options does. ``bool``: ``true``/``false``, case-insensitive.
* No definition: a numeric or ISO-date operand compares as number/instant, anything else as a string.

``IN``/``NOT_IN`` on strings: HubSpot requires the ``values`` to be lowercase; the record's value is
lowercased and compared to the values *as given*, so a value with capitals never matches (as on HubSpot).
Negative operators (``NEQ``, ``NOT_IN``, ``NOT_CONTAINS_TOKEN``) are the exact negation of their positive
twin, so records without the property match them. ``HAS_PROPERTY`` means "has a non-empty value".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .errors import validation
from .serialize import iso
from .store import ObjectType, Portal, Record

Predicate = Callable[[Record], bool]
Getter = Callable[[Record], str | None]
Key = Callable[[str], Any]

OPERATORS = (
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
)
_NEGATIONS = {"NEQ": "EQ", "NOT_IN": "IN", "NOT_CONTAINS_TOKEN": "CONTAINS_TOKEN"}
_RANGE = {
    "LT": lambda v, lo, hi: v < lo,
    "LTE": lambda v, lo, hi: v <= lo,
    "GT": lambda v, lo, hi: v > lo,
    "GTE": lambda v, lo, hi: v >= lo,
    "BETWEEN": lambda v, lo, hi: lo <= v <= hi,
}

#: Properties every record has even when no definition lists them, with their types.
_BUILTIN_TYPES = {
    "hs_object_id": "number",
    "createdate": "datetime",
    "hs_createdate": "datetime",
    "lastmodifieddate": "datetime",
    "hs_lastmodifieddate": "datetime",
}


@lru_cache(maxsize=131_072)
def number(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # NaN never compares; infinities are not amounts


@lru_cache(maxsize=131_072)
def instant(raw: str) -> float | None:
    """Epoch milliseconds of ``raw``: an epoch-ms number or an ISO 8601 date/datetime (UTC if no zone)."""
    as_number = number(raw)
    if as_number is not None:
        return as_number
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp() * 1000


def _lower(raw: str) -> str:
    return raw.lower()


#: property type -> key function turning a stored string into a comparable value (None: not comparable)
_KEYS: dict[str, Key] = {
    "number": number,
    "date": instant,
    "datetime": instant,
    "string": _lower,
    "phone_number": _lower,
    "enumeration": _lower,
    "bool": _lower,
}


def property_type(portal: Portal, object_type: ObjectType, name: str) -> str | None:
    """The defined type of a property, or None when the portal has no definition for it."""
    definition = portal.properties.get(object_type.type_id, {}).get(name)
    if definition is not None:
        return definition.type
    return _BUILTIN_TYPES.get(name)


def is_known(portal: Portal, object_type: ObjectType, name: str) -> bool:
    """Unknown only when the type has definitions and none of them (nor a built-in) has this name."""
    defs = portal.properties.get(object_type.type_id)
    return not defs or name in defs or name in _BUILTIN_TYPES


def getter(name: str) -> Getter:
    """Read a property; the id and timestamps fall back to the record's own fields."""
    fallbacks: dict[str, Callable[[Record], str]] = {
        "hs_object_id": lambda r: str(r.id),
        "createdate": lambda r: iso(r.created_at),
        "hs_createdate": lambda r: iso(r.created_at),
        "lastmodifieddate": lambda r: iso(r.updated_at),
        "hs_lastmodifieddate": lambda r: iso(r.updated_at),
    }
    fallback = fallbacks.get(name)
    if fallback is None:
        return lambda r: r.properties.get(name)

    def get(r: Record) -> str | None:
        value = r.properties.get(name)
        return fallback(r) if value is None or value == "" else value

    return get


def as_text(value: Any) -> str:
    """A filter operand as HubSpot reads it: JSON booleans become ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class Operand:
    """How one filter compares: the key function and the normalised operand(s)."""

    key: Key
    kind: str  # the effective property type

    def of(self, raw: Any, *, prop: str, field: str) -> Any:
        key = self.key(as_text(raw))
        if key is None:
            raise validation(
                f"{as_text(raw)!r} is not a valid {self.kind} value for property {prop!r} (in {field!r})."
            )
        return key


def _operand(ptype: str | None, sample: Any) -> Operand:
    if ptype is not None:
        return Operand(_KEYS.get(ptype, _lower), ptype)
    if sample is not None and instant(as_text(sample)) is not None:
        return Operand(instant, "number")  # undefined property, numeric/date operand
    return Operand(_lower, "string")


def parse_filter(raw: Any, where: str) -> tuple[str, str]:
    """Check a filter's shape; returns ``(propertyName, operator)``."""
    if not isinstance(raw, dict):
        raise validation(f"{where} must be an object with propertyName and operator.")
    name = raw.get("propertyName")
    operator = raw.get("operator")
    if not isinstance(name, str) or not name:
        raise validation(f"{where}.propertyName is required.")
    if operator not in OPERATORS:
        raise validation(
            f"Invalid operator {operator!r} in {where}; expected one of: {', '.join(OPERATORS)}."
        )
    return name, str(operator)


def compile_filter(
    portal: Portal, object_type: ObjectType, name: str, operator: str, raw: dict[str, Any], where: str
) -> Predicate:
    """The predicate of one property filter (already shape-checked by ``parse_filter``)."""
    if not is_known(portal, object_type, name):
        raise validation(
            f"There was a problem with the request: property {name!r} does not exist "
            f"for object type {object_type.name!r} (in {where})."
        )
    positive = _NEGATIONS.get(operator, operator)
    predicate = _positive(positive, name, property_type(portal, object_type, name), raw, where)
    if positive != operator:
        return lambda r: not predicate(r)
    return predicate


def required(raw: dict[str, Any], field: str, operator: str, where: str) -> Any:
    value = raw.get(field)
    if value is None or (isinstance(value, list) and not value):
        raise validation(f"Operator {operator} requires {field!r} (in {where}).")
    return value


def _positive(operator: str, name: str, ptype: str | None, raw: dict[str, Any], where: str) -> Predicate:
    get = getter(name)
    if operator == "HAS_PROPERTY":
        return lambda r: bool(get(r))
    if operator == "NOT_HAS_PROPERTY":
        return lambda r: not get(r)
    if operator == "CONTAINS_TOKEN":
        return _contains_token(get, as_text(required(raw, "value", operator, where)))
    if operator == "IN":
        values = required(raw, "values", operator, where)
        if not isinstance(values, list):
            raise validation(f"'values' must be a list (in {where}).")
        return _in(get, ptype, values, name, where)
    value = required(raw, "value", operator, where)
    operand = _operand(ptype, value)
    target = operand.of(value, prop=name, field=where)
    key = operand.key
    if operator == "EQ":
        if ptype == "enumeration":
            return _any_option(get, {target})
        return lambda r: (v := get(r)) is not None and key(v) == target

    high = (
        operand.of(required(raw, "highValue", operator, where), prop=name, field=where)
        if (operator == "BETWEEN")
        else None
    )
    compare = _RANGE[operator]

    def in_range(r: Record) -> bool:
        v = get(r)
        if v is None or v == "":
            return False
        k = key(v)
        return k is not None and compare(k, target, high)

    return in_range


def _any_option(get: Getter, wanted: set[Any]) -> Predicate:
    """Enumerations: a multi-select value matches when any of its ``;``-separated options is wanted."""

    def match(r: Record) -> bool:
        v = get(r)
        if not v:
            return False
        low = v.lower()
        return low in wanted or (";" in low and not wanted.isdisjoint(low.split(";")))

    return match


def _in(get: Getter, ptype: str | None, values: list[Any], name: str, where: str) -> Predicate:
    if ptype in ("number", "date", "datetime") or (
        ptype is None and all(instant(as_text(v)) is not None for v in values)
    ):
        operand = Operand(instant if ptype != "number" else number, ptype or "number")
        wanted_keys = {operand.of(v, prop=name, field=where) for v in values}
        key = operand.key
        return lambda r: (v := get(r)) is not None and key(v) in wanted_keys
    # Strings: HubSpot wants lowercase values; the record side is lowercased, the values are not.
    wanted = {as_text(v) for v in values}
    if ptype == "enumeration":
        return _any_option(get, wanted)
    return lambda r: (v := get(r)) is not None and v.lower() in wanted


_WORD_SPLIT = re.compile(r"\s+")
_TOKEN_SPLIT = re.compile(r"[^\w]+")


@lru_cache(maxsize=131_072)
def tokens(value: str) -> frozenset[str]:
    """Words (whitespace-separated) and their alphanumeric pieces, lowercased."""
    low = value.lower()
    words = {w for w in _WORD_SPLIT.split(low) if w}
    return frozenset(words | {t for t in _TOKEN_SPLIT.split(low) if t})


def _contains_token(get: Getter, pattern: str) -> Predicate:
    """``CONTAINS_TOKEN``: a token equals the operand; ``*`` is a wildcard matched against whole words.

    ``*@example.com`` therefore matches the e-mail ``ann@example.com``, and ``jo*`` the name ``John Doe``.
    """
    low = pattern.lower().strip()
    if "*" not in low:
        return lambda r: bool(v := get(r)) and low in tokens(v or "")
    regex = re.compile("^" + ".*".join(re.escape(part) for part in low.split("*")) + "$")

    def match(r: Record) -> bool:
        v = get(r)
        if not v:
            return False
        low_v = v.lower()
        return bool(regex.match(low_v)) or any(regex.match(w) for w in tokens(low_v))

    return match


def sort_key(portal: Portal, object_type: ObjectType, name: str) -> Callable[[Record], Any]:
    """Key for sorting by a property: numbers and instants numerically, other values case-insensitively.

    Returns None for a record without the value so the caller can place those last.
    """
    ptype = property_type(portal, object_type, name)
    key = _KEYS.get(ptype, _lower) if ptype is not None else None
    get = getter(name)

    def typed(r: Record) -> Any:
        v = get(r)
        if v is None or v == "":
            return None
        if key is not None:
            k = key(v)
            return None if k is None else (0, k) if not isinstance(k, str) else (1, k)
        as_instant = instant(v)
        return (0, as_instant) if as_instant is not None else (1, v.lower())

    return typed

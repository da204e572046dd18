"""Example inputs for tools that declare none, with realistic values that run as printed.

Shown by ``crmbridge tools show`` for a developer to copy into ``--input``: every value has the schema's
type and reads like data (a contact, Jane Smith of Acme Corp, and her deal), never a placeholder such as
``"<email>"``. Values come from the field's name where it is a common CRM word, else from its type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..spec import Tool

__all__ = ["example_input", "example_value", "tool_example"]

_FORMATS: dict[str, str] = {
    "email": "jane@acme.com",
    "date": "2026-01-31",
    "date-time": "2026-01-31T09:00:00Z",
    "uri": "https://acme.com",
    "time": "09:00",
}
#: Text values by field name (lower case, without ``_`` and ``-``).
_TEXT: dict[str, str] = {
    "email": "jane@acme.com",
    "firstname": "Jane",
    "lastname": "Smith",
    "name": "Acme Corp",
    "company": "Acme Corp",
    "organization": "Acme Corp",
    "person": "Jane Smith",
    "phone": "+1 555 0100",
    "domain": "acme.com",
    "website": "https://acme.com",
    "address": "1 Main Street, Springfield",
    "title": "Acme renewal",
    "dealname": "Acme renewal",
    "subject": "Follow up with Jane",
    "content": "Called Jane about the renewal.",
    "body": "Called Jane about the renewal.",
    "note": "Called Jane about the renewal.",
    "description": "Renewal for 2026.",
    "query": "Acme",
    "term": "Acme",
    "currency": "EUR",
    "entity": "contacts",
    "objecttype": "contacts",
    "fromobjecttype": "contacts",
    "toobjecttype": "companies",
    "propertyname": "email",
    "label": "Primary",
    "owner": "me",
}
#: A person's tool (its name says so) names a person, not a company.
_PERSON_TEXT = {**_TEXT, "name": "Jane Smith", "query": "Jane Smith", "term": "Jane Smith"}
_NUMBERS: dict[str, float] = {"amount": 5000, "value": 5000, "limit": 10, "duration": 30}
_SAMPLE_UUID = "5c1f7a3e-8f2b-4d8e-9a51-2f0c6b8e4d17"
_SAMPLE_ID, _SAMPLE_INT_ID = "101", 101
_MAX_DEPTH = 6


def tool_example(tool: Tool) -> dict[str, Any]:
    """The tool's own example when it declares one, else one generated from its schema; an update that
    would change nothing (only ids required) also sets its first optional field."""
    if tool.example is not None:
        return dict(tool.example)
    words = _PERSON_TEXT if re.search(r"person|contact", tool.name) else _TEXT
    schema = tool.input_schema
    value = example_value(schema, words=words)
    example = value if isinstance(value, dict) else {}
    props: Mapping[str, Any] = schema.get("properties", {})
    if tool.writes and not tool.annotations.destructive and example and all(map(_is_id, example)):
        spare = next((k for k in props if k not in example and not _is_id(k)), None)
        if spare is not None:
            example[spare] = example_value(props[spare], spare, 1, words=words)
    return example


def example_input(schema: Mapping[str, Any]) -> dict[str, Any]:
    """An input object holding only the schema's required fields, with realistic values."""
    value = example_value(schema)
    return value if isinstance(value, dict) else {}


def _is_id(name: str) -> bool:
    return re.search(r"(?:^|_)id$|[a-z]Id$", name) is not None


def _key(name: str) -> str:
    return re.sub(r"[_\-\s]", "", name).lower()


def example_value(
    schema: Mapping[str, Any], name: str = "value", depth: int = 0, *, words: Mapping[str, str] = _TEXT
) -> Any:
    """A value for one schema: its example, default, const or first enum value if it has one, else one
    that fits the field's name and type."""
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list):
        choices = [c for c in schema["enum"] if c is not None]
        if choices:
            return choices[0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, ()) if isinstance(o, Mapping) and o.get("type") != "null"]
        if options:
            return example_value(options[0], name, depth, words=words)
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = "string" if "string" in kinds and _key(name) in words else next(iter(kinds), None)
    if kind == "object" or (kind is None and "properties" in schema):
        return _object(schema, depth, words)
    if kind == "array":
        items = schema.get("items")
        count = max(1, int(schema.get("minItems", 1)))
        if isinstance(items, Mapping) and depth < _MAX_DEPTH:
            return [example_value(items, _singular(name), depth + 1, words=words) for _ in range(count)]
        return []
    if kind in ("integer", "number"):
        return _number(schema, name, kind)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _text(schema, name, words)


def _object(schema: Mapping[str, Any], depth: int, words: Mapping[str, str]) -> dict[str, Any]:
    if depth >= _MAX_DEPTH:
        return {}
    props: Mapping[str, Any] = schema.get("properties", {})
    out = {
        key: example_value(props.get(key, {}), key, depth + 1, words=words)
        for key in schema.get("required", ())
    }
    # ``minProperties`` (e.g. "at least one property to update"): fill from the declared fields, then the
    # free-form map, with CRM words as keys.
    spare = [key for key in props if key not in out]
    free = [key for key in words if key not in out and key not in props]
    extra = schema.get("additionalProperties")
    while len(out) < int(schema.get("minProperties", 0)):
        key = spare.pop(0) if spare else free.pop(0)
        value_schema = props[key] if key in props else extra if isinstance(extra, Mapping) else {}
        out[key] = example_value(value_schema, key, depth + 1, words=words)
    return out


def _number(schema: Mapping[str, Any], name: str, kind: str) -> int | float:
    low = schema.get("minimum", schema["exclusiveMinimum"] + 1 if "exclusiveMinimum" in schema else None)
    high = schema.get("maximum", schema["exclusiveMaximum"] - 1 if "exclusiveMaximum" in schema else None)
    wanted = _SAMPLE_INT_ID if _is_id(name) else _NUMBERS.get(_key(name), low if low is not None else 1)
    if (low is not None and wanted < low) or (high is not None and wanted > high):
        wanted = low if low is not None else high
    return int(wanted) if kind == "integer" else float(wanted)


def _text(schema: Mapping[str, Any], name: str, words: Mapping[str, str]) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    key = _key(name)
    if key in words:
        return words[key]
    if _is_id(name):
        return _SAMPLE_UUID if "uuid" in str(schema.get("description", "")).lower() else _SAMPLE_ID
    if "date" in key:
        return _FORMATS["date"]
    if "time" in key:
        return _FORMATS["time"]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|_", " ", name).strip().lower()
    return f"{spaced[:1].upper()}{spaced[1:]}" if spaced else "Acme"


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and len(name) > 3 else name

"""Example inputs for tools that declare none: the required fields, each with a value of the right type.

Shown by ``crmbridge tools show`` so a developer can copy a working ``--input`` and edit it; the values
are placeholders (``"<email>"``), not data anyone should send as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..spec import Tool

__all__ = ["example_input", "example_value", "tool_example"]

_FORMATS: dict[str, str] = {
    "email": "jane@example.com",
    "date": "2026-01-31",
    "date-time": "2026-01-31T09:00:00Z",
    "uri": "https://example.com",
    "time": "09:00:00",
}
_MAX_DEPTH = 6


def tool_example(tool: Tool) -> dict[str, Any]:
    """The tool's own example when it declares one, else one generated from its schema."""
    if tool.example is not None:
        return dict(tool.example)
    value = example_value(tool.input_schema)
    return value if isinstance(value, dict) else {}


def example_input(schema: Mapping[str, Any]) -> dict[str, Any]:
    """An input object holding only the schema's required fields (placeholders of the right type)."""
    value = example_value(schema)
    return value if isinstance(value, dict) else {}


def example_value(schema: Mapping[str, Any], name: str = "value", depth: int = 0) -> Any:
    """A placeholder for one schema: its example, default, const or first enum value if it has one."""
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
            return example_value(options[0], name, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or (kind is None and "properties" in schema):
        if depth >= _MAX_DEPTH:
            return {}
        props: Mapping[str, Any] = schema.get("properties", {})
        out = {key: example_value(props.get(key, {}), key, depth + 1) for key in schema.get("required", ())}
        # ``minProperties`` (e.g. "at least one property to update"): fill from the declared fields, then
        # from the free-form map.
        spare = [key for key in props if key not in out]
        extra = schema.get("additionalProperties")
        while len(out) < int(schema.get("minProperties", 0)):
            if spare:
                key = spare.pop(0)
                out[key] = example_value(props[key], key, depth + 1)
            else:
                key = f"property_{len(out) + 1}"
                out[key] = example_value(extra if isinstance(extra, Mapping) else {}, key, depth + 1)
        return out
    if kind == "array":
        items = schema.get("items")
        count = max(1, int(schema.get("minItems", 1)))
        if isinstance(items, Mapping) and depth < _MAX_DEPTH:
            return [example_value(items, name, depth + 1) for _ in range(count)]
        return []
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema["exclusiveMinimum"] + 1 if "exclusiveMinimum" in schema else 1)
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    return f"<{name}>"

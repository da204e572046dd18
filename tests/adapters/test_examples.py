"""Example inputs: declared examples win, and generated values have the schema's types and read like data.
That every printed example passes its tool's validation is a conformance rule
(tests/providers/test_conformance.py); that none holds a placeholder is checked in tests/test_cli.py."""

from __future__ import annotations

from crmbridge.adapters.examples import example_input, example_value, tool_example
from crmbridge.providers import builtin


def test_declared_examples_win() -> None:
    tool = next(t for t in builtin("hubspot").tools if t.example is not None)
    assert tool_example(tool) == dict(tool.example or {})


def test_generated_values_have_the_right_types_and_read_like_data() -> None:
    schema = {
        "type": "object",
        "properties": {
            "email": {"type": "string", "format": "email"},
            "stage": {"enum": ["open", "won"]},
            "count": {"type": "integer", "minimum": 5},
            "amount": {"type": ["number", "null"]},
            "done": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "ref": {"anyOf": [{"type": "null"}, {"type": "integer", "exclusiveMinimum": 0}]},
            "owner": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
            "optional": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
        },
        "required": ["email", "stage", "count", "amount", "done", "tags", "ref", "owner", "fields"],
    }
    assert example_input(schema) == {
        "email": "jane@acme.com",
        "stage": "open",
        "count": 5,
        "amount": 5000.0,
        "done": True,
        "tags": ["Tag", "Tag"],
        "ref": 1,
        "owner": {"id": "101"},
        "fields": {"email": "jane@acme.com"},
    }
    assert example_value({"type": "string", "default": "x"}) == "x"
    assert example_value({"type": "string", "examples": ["y"]}) == "y"

"""Input coercion, validation messages and strict-mode variants."""

from __future__ import annotations

import json

import pytest

from crmbridge.engine.schema import CompiledSchema, strict_schema
from crmbridge.errors import InvalidInput

SEARCH = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "filterGroups": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"filters": {"type": "array", "items": {"type": "object"}}},
                "required": ["filters"],
            },
        },
        "properties": {"type": "array", "items": {"type": "string"}},
        "limit": {"type": "integer", "minimum": 1, "maximum": 200},
        "archived": {"type": "boolean"},
        "sort": {"type": "string", "enum": ["ASCENDING", "DESCENDING"]},
    },
    "required": [],
    "additionalProperties": False,
}


def test_json_string_and_comma_string_are_accepted() -> None:
    groups = [{"filters": [{"propertyName": "amount", "operator": "GT", "value": "5"}]}]
    args = CompiledSchema(SEARCH).parse(
        {
            "filterGroups": json.dumps(groups),
            "properties": "dealname, amount",
            "limit": "20",
            "archived": "false",
        }
    )
    assert args == {
        "filterGroups": groups,
        "properties": ["dealname", "amount"],
        "limit": 20,
        "archived": False,
    }


def test_whole_input_may_be_a_json_string_and_nulls_are_dropped() -> None:
    assert CompiledSchema(SEARCH).parse('{"query": "acme", "limit": null}') == {"query": "acme"}


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"limit": 500}, "limit", "200"),
        ({"sort": "UP"}, "sort", "ASCENDING, DESCENDING"),
        ({"limt": 5}, "limt", "not a known field"),
        ({"filterGroups": [{}]}, "filterGroups.0.filters", "required"),
        ({"filterGroups": "[not json"}, "filterGroups", "type"),
        ("[1, 2]", "(input)", "JSON object"),
    ],
)
def test_errors_name_the_field_and_what_is_allowed(raw: object, field: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        CompiledSchema(SEARCH).parse(raw)
    assert caught.value.details["field"] == field
    assert fragment in caught.value.message


def test_enum_errors_list_allowed_values() -> None:
    with pytest.raises(InvalidInput) as caught:
        CompiledSchema(SEARCH).parse({"sort": "UP"})
    assert caught.value.details["allowed"] == ["ASCENDING", "DESCENDING"]


def test_strict_variant_requires_every_field_and_allows_null_for_optional_ones() -> None:
    schema = {
        "type": "object",
        "properties": {"email": {"type": "string"}, "limit": {"type": "integer", "maximum": 5}},
        "required": ["email"],
        "additionalProperties": False,
    }
    strict, ok = strict_schema(schema)
    assert ok
    assert strict["required"] == ["email", "limit"]
    assert strict["properties"]["limit"]["type"] == ["integer", "null"]
    assert "maximum" not in strict["properties"]["limit"]
    assert strict["additionalProperties"] is False
    # The strict form's nulls parse back to the plain input.
    assert CompiledSchema(schema).parse({"email": "a@b.c", "limit": None}) == {"email": "a@b.c"}


def test_free_form_maps_cannot_be_strict() -> None:
    schema = {
        "type": "object",
        "properties": {"properties": {"type": "object", "additionalProperties": True}},
    }
    strict, ok = strict_schema(schema)
    assert not ok
    assert strict == schema

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
        ({"limit": 0}, "limit", "minimum of 1"),
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


# -- hostile input: refused as invalid_input naming the field, never a Python error ------------------

IDS = {
    "type": "object",
    "properties": {
        "contact_id": {"type": "string"},
        "id": {"type": "integer"},
        "value": {"type": "number"},
        "name": {"type": "string"},
        "custom_fields": {"type": "object"},
        "filterGroups": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": False,
}


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"custom_fields": {"a": _nested(5000)}}, "custom_fields", "nested"),
        ({"filterGroups": "[" * 5000 + "]" * 5000}, "filterGroups", "nested"),
        ('{"name": ' + "[" * 5000 + "]" * 5000 + "}", "(input)", "nested"),
        ({"id": "9" * 5000}, "id", "digits"),
        ({"id": 10**5000}, "id", "digits"),
        ({"id": "--5"}, "id", "integer"),
        ('{"id": ' + "9" * 5000 + "}", "id", "digits"),
        ({"value": "NaN"}, "value", "finite"),
        ({"value": "Infinity"}, "value", "finite"),
        ({"value": "-inf"}, "value", "finite"),
        ({"value": "1e999"}, "value", "finite"),
        ({"value": float("nan")}, "value", "finite"),
        ('{"value": NaN}', "value", "finite"),
        ({"custom_fields": {"x": float("inf")}}, "custom_fields.x", "finite"),
        ({"name": "ok \ud800 then"}, "name", "surrogate"),
        ({"custom_fields": {"\udfff": 1}}, "custom_fields", "surrogate"),
        ({"name": "x" * 1_100_000}, "name", "1,000,000"),
        ({"name": object()}, "name", "JSON"),
        ({"custom_fields": {1: "a"}}, "custom_fields", "field name"),
        ({"custom_fields": {"k" * 5000: "a"}}, "custom_fields", "field name 5,000 characters"),
        ({"filterGroups": [{}] * 2_000_000}, "filterGroups", "1,000,000"),
    ],
)
def test_hostile_input_is_refused_with_the_field_and_the_reason(
    raw: object, field: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        CompiledSchema(IDS).parse(raw)
    assert caught.value.details["field"] == field
    assert fragment in caught.value.message
    assert len(caught.value.message) < 400


# -- forgiving input: what models really send --------------------------------------------------------

FORGIVING = {
    "type": "object",
    "properties": {
        "contact_id": {"type": "string"},
        "ids": {"type": "array", "items": {"type": "string"}},
        "deal_id": {"type": "integer"},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "close": {"type": "string", "format": "date"},
        "due": {"type": "string", "format": "date-time"},
        "objectType": {"enum": ["deals", "tickets"]},
        "entity": {"type": "string", "enum": ["deal", "person", "activity"]},
        "operator": {"enum": ["EQ", "NOT_IN", "HAS_PROPERTY"]},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"contact_id": 1021}, {"contact_id": "1021"}),
        ({"contact_id": 1021.0}, {"contact_id": "1021"}),
        ({"ids": [1, "2"]}, {"ids": ["1", "2"]}),
        ({"deal_id": 7.0}, {"deal_id": 7}),
        ({"deal_id": " 7 "}, {"deal_id": 7}),
        ({"close": 1735689600000}, {"close": "2025-01-01"}),
        ({"close": 1735689600}, {"close": "2025-01-01"}),
        ({"close": "1735689600000"}, {"close": "2025-01-01"}),
        ({"close": "2025-01-01T15:30:00Z"}, {"close": "2025-01-01"}),
        ({"close": 20250301}, {"close": "2025-03-01"}),
        ({"due": 1735689600000}, {"due": "2025-01-01T00:00:00Z"}),
        ({"due": 1735689600123}, {"due": "2025-01-01T00:00:00.123Z"}),
        ({"due": "2025-01-01"}, {"due": "2025-01-01T00:00:00Z"}),
        ({"objectType": "Deals"}, {"objectType": "deals"}),
        ({"objectType": "deal"}, {"objectType": "deals"}),
        ({"objectType": " TICKET "}, {"objectType": "tickets"}),
        ({"entity": "Deals"}, {"entity": "deal"}),
        ({"entity": "activities"}, {"entity": "activity"}),
        ({"entity": "PERSON"}, {"entity": "person"}),
        ({"operator": "not in"}, {"operator": "NOT_IN"}),
        ({"operator": "has-property"}, {"operator": "HAS_PROPERTY"}),
        ({"currency": "eur"}, {"currency": "EUR"}),
        ({"currency": " usd "}, {"currency": "USD"}),
    ],
)
def test_forgiving_coercion(raw: dict[str, object], expected: dict[str, object]) -> None:
    assert CompiledSchema(FORGIVING).parse(raw) == expected


def test_a_limit_above_the_maximum_is_clamped_and_the_warning_says_so() -> None:
    warnings: list[str] = []
    assert CompiledSchema(FORGIVING).parse({"limit": 1000}, warnings) == {"limit": 100}
    assert len(warnings) == 1
    assert "'limit'" in warnings[0] and "1000" in warnings[0] and "100" in warnings[0]


def test_an_epoch_date_says_which_day_it_became() -> None:
    warnings: list[str] = []
    CompiledSchema(FORGIVING).parse({"close": 1735689600000}, warnings)
    assert warnings and "2025-01-01" in warnings[0] and "'close'" in warnings[0]


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"objectType": "contacts"}, "objectType", "deals, tickets"),
        ({"close": "next friday"}, "close", "YYYY-MM-DD"),
        ({"close": 10**18}, "close", "date"),
        ({"currency": "euro"}, "currency", "^[A-Z]{3}$"),
        ({"limit": 0}, "limit", "minimum"),
    ],
)
def test_what_cannot_be_forgiven_is_still_refused(raw: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        CompiledSchema(FORGIVING).parse(raw)
    assert caught.value.details["field"] == field
    assert fragment in caught.value.message


def test_an_object_in_an_any_of_is_coerced_by_the_option_that_declares_its_fields() -> None:
    schema = {
        "type": "object",
        "properties": {
            "value": {
                "anyOf": [
                    {"type": "number"},
                    {
                        "type": "object",
                        "properties": {
                            "amount": {"type": "number"},
                            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        },
                        "additionalProperties": False,
                    },
                ]
            }
        },
    }
    parsed = CompiledSchema(schema).parse({"value": {"amount": "12.5", "currency": "eur"}})
    assert parsed == {"value": {"amount": 12.5, "currency": "EUR"}}
    assert CompiledSchema(schema).parse({"value": "5000"}) == {"value": 5000}

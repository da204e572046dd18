"""What the engine checks before validation: aliases renamed, every unknown field and every blank identifying
value reported in one error, input that is not an object left for validation to refuse."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crmbridge.engine.fields import precheck
from crmbridge.errors import InvalidInput
from crmbridge.spec import NON_BLANK, Tool

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", **NON_BLANK},
        "organization": {"type": ["integer", "string"]},
        "owner": {"type": ["integer", "string"]},
        "email": {"type": "array", "items": {"type": "string", **NON_BLANK}},
        "link": {
            "type": "object",
            "properties": {"kind": {"type": "string"}, "name": {"type": "string", **NON_BLANK}},
            "additionalProperties": False,
        },
        "custom": {"type": "object", "additionalProperties": {"type": "string"}},
        "links": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {"contacts": {"type": "array"}},
                    "additionalProperties": False,
                },
                {
                    "type": "array",
                    "items": {"type": "object", "properties": {"id": {"type": "string", **NON_BLANK}}},
                },
            ]
        },
    },
    "required": ["title"],
    "additionalProperties": False,
}
TOOL = Tool(
    "acme_deal_create",
    "Create a deal in Acme.",
    SCHEMA,
    "POST",
    "/deals",
    aliases={"org_id": "organization", "organization_id": "organization", "owner_id": "owner"},
)


def problem(raw: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        precheck(TOOL, raw)
    return caught.value


def test_aliases_become_the_fields_they_name() -> None:
    args = precheck(TOOL, {"title": "Renewal", "org_id": 7, "owner_id": "me"})
    assert args == {"title": "Renewal", "organization": 7, "owner": "me"}


def test_a_null_alias_is_an_absent_field_and_an_equal_pair_is_one_value() -> None:
    assert precheck(TOOL, {"title": "x", "org_id": None, "organization": 3}) == {
        "title": "x",
        "organization": 3,
    }
    assert precheck(TOOL, {"title": "x", "org_id": 3, "organization_id": 3}) == {
        "title": "x",
        "organization": 3,
    }


def test_an_alias_that_contradicts_its_field_is_refused_by_name() -> None:
    error = problem({"title": "x", "organization": "Acme", "org_id": 7})
    assert error.details["field"] == "organization"
    assert "'org_id' is another name for 'organization'" in error.message


def test_every_unknown_field_is_reported_with_its_closest_name() -> None:
    error = problem({"titel": "x", "Owner": 1, "colour": "red", "link": {"knd": "person"}, "nothing": None})
    assert error.message.startswith("Unknown fields: 'titel' (did you mean 'title'?), 'Owner' (did you mean")
    assert error.details["unknown"] == [
        {"field": "titel", "closest": "title"},
        {"field": "Owner", "closest": "owner"},
        {"field": "colour"},
        {"field": "link.knd", "closest": "kind"},
    ]
    assert error.details["field"] == "titel" and "organization" in error.details["allowed"]


def test_free_form_maps_take_any_key() -> None:
    assert precheck(TOOL, {"title": "x", "custom": {"anything": "goes"}})["custom"] == {"anything": "goes"}


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_blank_identifying_values_are_reported_wherever_they_are(blank: str) -> None:
    error = problem({"title": blank, "email": ["a@b.example", blank], "link": {"name": blank}})
    assert error.details["blank"] == ["title", "email[1]", "link.name"]
    assert error.details["field"] == "title"
    assert "must not be empty or blank" in error.message


def test_unknown_and_blank_fields_come_in_one_error() -> None:
    error = problem({"title": " ", "stage_name": "Won"})
    assert error.details["unknown"] == [{"field": "stage_name"}] and error.details["blank"] == ["title"]


def test_a_json_string_is_checked_like_an_object() -> None:
    assert precheck(TOOL, json.dumps({"title": "x", "owner_id": 5})) == {"title": "x", "owner": 5}
    assert problem('{"title": "x", "titel": "y"}').details["unknown"] == [
        {"field": "titel", "closest": "title"}
    ]


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '{"value": NaN}', "", None, 42, ["title"]])
def test_input_that_is_not_an_object_goes_on_unchanged(raw: Any) -> None:
    assert precheck(TOOL, raw) is raw


def test_the_option_of_an_any_of_that_fits_the_value_is_checked() -> None:
    assert problem({"title": "x", "links": {"contact": ["Ann"]}}).details["unknown"] == [
        {"field": "links.contact", "closest": "contacts"}
    ]
    assert problem({"title": "x", "links": [{"id": " "}]}).details["blank"] == ["links[0].id"]


def test_huge_names_and_values_are_cut_short_in_the_message() -> None:
    error = problem({"title": "x", "k" * 70_000: 1, "organization": "A" * 70_000, "org_id": 7})
    assert len(error.message) < 400
    error = problem({"title": "x", "k" * 70_000: 1})
    assert len(error.message) < 400 and len(error.details["field"]) <= 80

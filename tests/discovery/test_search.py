"""Schema search: ranked, typo-tolerant, over objects, properties, option labels and descriptions."""

from __future__ import annotations

import pytest

from crmbridge.discovery import compare
from crmbridge.errors import InvalidInput
from crmbridge.spec import ObjectSchema, PropertyOption, PropertySchema, SchemaSnapshot

from .env import USER, Env


def top(env: Env, connection: str, q: str) -> dict[str, object]:
    hits = env.bridge.discovery.search(connection, USER, q)
    assert hits, q
    return hits[0]


@pytest.fixture
def discovered(env: Env) -> Env:
    env.discover("hubspot")
    env.discover("pipedrive")
    return env


@pytest.mark.parametrize(
    ("q", "obj", "prop"),
    [
        ("vin", "2-1000101", "vin"),  # the custom object's VIN property
        ("VIN", "2-1000101", "vin"),
        ("renewal date", "companies", "renewal_date"),  # the date property labelled so
        ("renewl date", "companies", "renewal_date"),  # a typo
        ("when the contract renews", "companies", "renewal_date"),  # its description
        ("deal stage", "deals", "dealstage"),
    ],
)
def test_hubspot_search_examples(discovered: Env, q: str, obj: str, prop: str) -> None:
    hit = top(discovered, "hubspot", q)
    assert (hit["object"], hit["property"]) == (obj, prop)


def test_option_labels_and_objects_are_found(discovered: Env) -> None:
    hit = top(discovered, "hubspot", "Closed Won")
    assert hit["kind"] == "option" and hit["option"] == {"value": "closedwon", "label": "Closed Won"}
    assert top(discovered, "hubspot", "cars")["kind"] == "object"
    pd = top(discovered, "pipedrive", "preferred langauge")
    assert pd["object"] == "persons" and pd["label"] == "Preferred language" and pd["customProperty"]
    german = top(discovered, "pipedrive", "German")
    assert german["kind"] == "option" and german["label"] == "Preferred language"


def test_search_is_ranked_and_bounded(discovered: Env) -> None:
    hits = discovered.bridge.discovery.search("hubspot", USER, "date", limit=5)
    assert len(hits) == 5
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    only_deals = discovered.bridge.discovery.search("hubspot", USER, "amount", object="deals")
    assert {h["object"] for h in only_deals} == {"deals"}
    with pytest.raises(InvalidInput):
        discovered.bridge.discovery.search("hubspot", USER, "  ")


def test_compare_reports_options_and_removed_objects() -> None:
    stage = PropertySchema(
        "stage", "Stage", "enumeration", options=(PropertyOption("a", "A"), PropertyOption("b", "B"))
    )
    old = SchemaSnapshot(
        "x", (ObjectSchema("deals", "Deal", properties=(stage,)), ObjectSchema("gone", "Gone"))
    )
    moved = PropertySchema(
        "stage", "Stage", "enumeration", options=(PropertyOption("a", "Aa"), PropertyOption("c", "C"))
    )
    new = SchemaSnapshot(
        "x", (ObjectSchema("deals", "Deal", properties=(moved,)), ObjectSchema("new", "New"))
    )
    changes = compare(old, new)
    assert changes["added_objects"] == ["new"] and changes["removed_objects"] == ["gone"]
    options = changes["changed_objects"]["deals"]["changed_properties"]["stage"]["options"]
    assert options == {"added": ["c"], "removed": ["b"], "relabelled": ["a"]}
    assert compare(None, new) == {}

"""Every 422 case, against the account's own snapshot: each problem at its JSON path with a suggestion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge.bindings import BindingInvalid, Bindings
from crmbridge.engine import CallTarget
from crmbridge.errors import InsufficientScope
from tests.discovery.env import USER, Env

from .helpers import CARS, search, write


def problems(env: Env, connection: str, binding: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(BindingInvalid) as info:
        env.run(env.bridge.bindings.avalidate(connection, USER, binding))
    assert info.value.http_status == 422 and info.value.code == "invalid_binding"
    return info.value.problems


def test_unknown_property_names_the_closest_real_ones(ready: Env) -> None:
    found = problems(ready, "hubspot", search("x", "contacts", [{"property": "emial", "from": "e"}]))
    assert found[0]["path"] == "$.filters[0].property"
    assert found[0]["suggestions"][0].startswith("email")
    pd = problems(
        ready, "pipedrive", search("x", "persons", [{"property": "preferred langauge", "value": "German"}])
    )
    assert "Preferred language" in pd[0]["suggestions"][0]


def test_an_option_that_does_not_exist_lists_the_allowed_ones(ready: Env) -> None:
    found = problems(ready, "hubspot", search("x", "deals", [{"property": "dealstage", "value": "Won big"}]))
    assert found[0]["path"] == "$.filters[0].value"
    assert "Closed Won (closedwon)" in found[0]["suggestions"]
    binding = write("x", "persons", "create", [{"property": "name", "from": "n"},
                                               {"property": "Preferred language", "value": "Klingon"}])  # fmt: skip
    pd = problems(ready, "pipedrive", binding)
    assert pd[0]["path"] == "$.fields[1].value" and any(
        s.startswith("German (") for s in pd[0]["suggestions"]
    )


def test_a_read_only_property_cannot_be_written(ready: Env) -> None:
    hs = problems(ready, "hubspot", write("x", "contacts", "update", [{"property": "createdate", "value": "2024-01-01"}],
                                          id={"from": "contact_id"}))  # fmt: skip
    assert hs[0]["path"] == "$.fields[0].property" and "read-only" in hs[0]["message"]
    pd = problems(ready, "pipedrive", write("x", "deals", "update", [{"property": "add_time", "from": "t"}],
                                            id={"from": "deal_id"}))  # fmt: skip
    assert "read-only" in pd[0]["message"]


def test_a_filter_the_crm_cannot_run(ready: Env) -> None:
    contract = next(p for p in ready.discover("pipedrive").snapshot.object("deals").properties  # type: ignore[union-attr]
                    if p.label == "Contract length (months)")  # fmt: skip
    pd = problems(
        ready, "pipedrive", search("x", "deals", [{"property": contract.key, "operator": "GT", "value": 12}])
    )
    assert pd[0]["path"] == "$.filters[0]" and "saved filter" in pd[0]["message"]
    two_terms = search(
        "x", "persons", [{"property": "name", "from": "n"}, {"property": "emails", "from": "e"}]
    )
    assert "one term" in problems(ready, "pipedrive", two_terms)[0]["message"]
    wrong_type = problems(
        ready,
        "hubspot",
        search("x", "deals", [{"property": "dealstage", "operator": "GT", "value": "closedwon"}]),
    )
    assert wrong_type[0]["path"] == "$.filters[0].operator"


def test_too_many_filters(ready: Env) -> None:
    many = [{"property": "email", "operator": "HAS_PROPERTY"}] * 7
    found = problems(ready, "hubspot", search("x", "contacts", many))
    assert found[0]["path"] == "$.filters" and "at most 6" in found[0]["message"]


def test_every_problem_is_listed_with_its_path(ready: Env) -> None:
    binding = write("x", "deals", "update", [
        {"property": "dealstage", "value": "Closed Wonn"}, {"property": "amont", "from": "a"},
        {"property": "createdate", "value": "1"}, {"property": "dealname"},
    ])  # fmt: skip
    paths = [p["path"] for p in problems(ready, "hubspot", binding)]
    assert paths == [
        "$.id",
        "$.fields[0].value",
        "$.fields[1].property",
        "$.fields[2].property",
        "$.fields[3]",
    ]


def test_shape_errors_and_unknown_objects(ready: Env) -> None:
    bad = search("x", "contacts", [{"property": "email", "operator": "LIKE", "value": "a"}])
    assert problems(ready, "hubspot", bad)[0]["path"] == "$.filters[0].operator"
    assert problems(ready, "hubspot", {"kind": "restSearch", "object": "contacts"})[0]["path"] == "$.name"
    unknown = problems(ready, "hubspot", search("x", "carz", []))
    assert unknown[0]["path"] == "$.object" and unknown[0]["suggestions"][0].startswith(CARS)
    needs = problems(ready, "hubspot", write("x", "cars", "create", [{"property": "model", "from": "m"}]))
    assert needs[0]["path"] == "$.fields" and set(needs[0]["suggestions"]) == {"vin", "make"}


def test_a_custom_object_without_its_scope_returns_the_reauthorisation_link(ready: Env) -> None:
    """An OAuth account that granted the standard scopes only: binding the custom object asks for exactly
    crm.objects.custom.write, with the link to grant it."""
    asked: list[list[str]] = []

    async def link(scopes: Any) -> str:
        asked.append(list(scopes))
        return "https://app.hubspot.com/oauth/authorize?scope=" + "%20".join(scopes)

    async def target_for(connection: str, identifier: str) -> CallTarget:
        granted = frozenset({"crm.objects.contacts.read", "crm.objects.contacts.write"})
        return CallTarget(
            "acct", "http://sandbox/hubspot", httpx.Auth(), granted_scopes=granted, authorization_link=link
        )

    bindings = Bindings(ready.bridge.discovery, target_for=target_for)
    binding = write(
        "add_car", "Car", "create", [{"property": "vin", "from": "vin"}, {"property": "make", "from": "make"}]
    )
    with pytest.raises(InsufficientScope) as info:
        ready.run(bindings.avalidate("hubspot", USER, binding))
    assert info.value.details["missing_scopes"] == ["crm.objects.custom.write"]
    assert info.value.details["authorization_link"].endswith("scope=crm.objects.custom.write")
    assert asked == [["crm.objects.custom.write"]]
    contacts = search("find", "contacts", [{"property": "email", "from": "email"}])
    assert ready.run(bindings.avalidate("hubspot", USER, contacts)).obj.name == "contacts"

"""Resolvers: matching rules as pure functions, ambiguity and caching through a real call context."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge.engine.context import CallContext
from crmbridge.errors import AmbiguousReference, InvalidInput
from crmbridge.providers import builtin
from crmbridge.providers.hubspot import resolve_owners, resolve_pipelines, resolve_props, resolve_search
from crmbridge.providers.hubspot.resolve import PREPARERS, RESOLVERS
from crmbridge.providers.hubspot.resolve_owners import Owner
from crmbridge.providers.hubspot.resolve_pipelines import Pipeline, Stage
from crmbridge.providers.hubspot.resolve_records import domain_of
from crmbridge.providers.hubspot.tools_crm import TOOLS
from crmbridge_sandbox import Sandbox

from ..harness import Account

pytestmark = pytest.mark.anyio

SALES = Pipeline(
    "default", "Sales Pipeline", 0, (Stage("closedwon", "Closed Won"), Stage("closedlost", "Closed Lost"))
)
RENEWALS = Pipeline("11", "Renewals", 1, (Stage("12", "Closed Won"), Stage("13", "Renewed")))
PIPES = [SALES, RENEWALS]
PEOPLE = [
    Owner("101", "ann.lee@corp.test", "Ann", "Lee", "9001"),
    Owner("102", "ann.kim@corp.test", "Ann", "Kim", "9002"),
    Owner("103", "bo.diaz@corp.test", "Bo", "Diaz", "9003"),
]


def context(account: Account) -> CallContext:
    engine = account.engine
    return CallContext(builtin("hubspot"), account.target, engine.http, engine.cache)


def test_every_tool_names_a_registered_resolver_and_preparer() -> None:
    for tool in TOOLS:
        assert set(tool.resolve.values()) <= set(RESOLVERS), tool.name
        assert tool.prepare in PREPARERS, tool.name


@pytest.mark.parametrize(
    ("ref", "stage"),
    [
        ("Closed Won", "closedwon"),
        ("closed-won", "closedwon"),
        ("CLOSEDLOST", "closedlost"),
        ("closedwon", "closedwon"),
        ("won", "closedwon"),  # a unique whole-word match
    ],
)
def test_stage_by_label_or_id_in_its_pipeline(ref: str, stage: str) -> None:
    assert resolve_pipelines.find_stage(PIPES, SALES, ref).id == stage


def test_a_word_shared_by_stages_is_ambiguous() -> None:
    with pytest.raises(AmbiguousReference) as err:
        resolve_pipelines.find_stage(PIPES, SALES, "closed")
    assert [c["id"] for c in err.value.details["candidates"]] == ["closedwon", "closedlost"]
    assert resolve_pipelines.stage_matches(PIPES, "closed") == [
        "closedwon",
        "closedlost",
        "12",
    ]  # in each pipeline


def test_stage_is_resolved_in_the_chosen_pipeline_only() -> None:
    assert resolve_pipelines.find_stage(PIPES, RENEWALS, "closed won").id == "12"
    with pytest.raises(InvalidInput) as err:
        resolve_pipelines.find_stage(PIPES, SALES, "Renewed")
    assert err.value.details["allowed"] == ["closedwon", "closedlost"] and "'Renewals'" in err.value.message
    assert resolve_pipelines.stage_matches(PIPES, "Closed Won") == ["closedwon", "12"]
    assert resolve_pipelines.stage_matches(PIPES, "Closed Won", {"11"}) == ["12"]


def test_pipeline_by_label_or_id_and_the_default() -> None:
    assert resolve_pipelines.find_pipeline(PIPES, "renewals") is RENEWALS
    assert resolve_pipelines.find_pipeline(PIPES, "Sales Pipeline") is SALES
    assert resolve_pipelines.default_pipeline([RENEWALS, SALES]) is SALES
    with pytest.raises(InvalidInput) as err:
        resolve_pipelines.find_pipeline(PIPES, "Nope")
    assert err.value.details == {"field": "pipeline", "allowed": ["default", "11"]}


@pytest.mark.parametrize(
    ("ref", "ids"),
    [("101", ["101"]), ("9003", ["103"]), ("ANN.KIM@corp.test", ["102"]), ("ann lee", ["101"]),
     ("Diaz", ["103"]), ("Ann", ["101", "102"]), ("Zed", [])],
)  # fmt: skip
def test_owner_matching(ref: str, ids: list[str]) -> None:
    assert [o.id for o in resolve_owners._matches(PEOPLE, ref)] == ids


async def test_ambiguous_owner_lists_candidates(hubspot: Account) -> None:
    ctx = context(hubspot)
    ctx.cache.put(hubspot.target.account_key, "owners", PEOPLE)
    with pytest.raises(AmbiguousReference) as err:
        await RESOLVERS["owner"](ctx, "Ann", {})
    assert err.value.details["candidates"] == [
        {"id": "101", "label": "Ann Lee <ann.lee@corp.test>"},
        {"id": "102", "label": "Ann Kim <ann.kim@corp.test>"},
    ]
    assert await RESOLVERS["owner"](ctx, "bo.diaz@corp.test", {}) == "103"


async def test_account_setup_is_fetched_once_per_account(hubspot: Account) -> None:
    owner = (await hubspot.crm.get("/crm/v3/owners")).json()["results"][0]["email"]
    await hubspot.crm.delete("http://sandbox/_sandbox/requests")
    for name in ("One", "Two"):
        await hubspot.ok(
            "hubspot_deal_create",
            {"dealname": name, "amount": 1, "dealstage": "Closed Won", "hubspot_owner_id": owner},
        )
    r = await hubspot.crm.get("http://sandbox/_sandbox/requests", params={"provider": "hubspot"})
    paths = [e["path"] for e in r.json()["requests"] if e["method"] == "GET"]
    assert paths.count("/crm/v3/pipelines/deals") == 1
    assert paths.count("/crm/v3/properties/deals") == 1
    assert paths.count("/crm/v3/owners") == 1


async def test_stage_resolver_uses_the_pipeline_already_resolved(hubspot: Account) -> None:
    ctx = context(hubspot)
    args: dict[str, Any] = {"pipeline": "Renewals"}
    args["pipeline"] = await RESOLVERS["deal_pipeline"](ctx, args["pipeline"], args)
    stage = await RESOLVERS["deal_stage"](ctx, "Renewed", args)
    r = await hubspot.crm.get(f"/crm/v3/pipelines/deals/{args['pipeline']}")
    assert stage in {s["id"] for s in r.json()["stages"] if s["label"] == "Renewed"}


def test_filter_groups_are_accepted_in_the_shapes_models_send() -> None:
    one = {"propertyName": "amount", "operator": ">", "value": 5}
    assert resolve_search._groups(one) == [{"filters": [one]}]
    assert resolve_search._groups([one]) == [{"filters": [one]}]
    assert resolve_search._groups({"filterGroups": [{"filters": [one]}]}) == [{"filters": [one]}]
    assert resolve_search._filter(one, "f") == {"propertyName": "amount", "operator": "GT", "value": "5"}
    many = resolve_search._filter({"propertyName": "x", "operator": "EQ", "value": ["a", "b"]}, "f")
    assert many == {"propertyName": "x", "operator": "IN", "values": ["a", "b"]}
    with pytest.raises(InvalidInput):
        resolve_search._groups(["not a group"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-createdate", ("createdate", "DESCENDING")), ("amount desc", ("amount", "DESCENDING")),
     (["closedate"], ("closedate", "ASCENDING")), ({"propertyName": "amount", "direction": "desc"}, ("amount", "DESCENDING"))],
)  # fmt: skip
def test_sorts(raw: Any, expected: tuple[str, str]) -> None:
    assert resolve_search._sorts(raw) == [{"propertyName": expected[0], "direction": expected[1]}]


def test_only_one_sort() -> None:
    with pytest.raises(InvalidInput) as err:
        resolve_search._sorts(["a", "b"])
    assert err.value.details["field"] == "sorts"


def test_property_values_are_normalised() -> None:
    priority = resolve_props.PropDef("hs_priority", "Priority", "enumeration", "select", (("high", "High"),))
    multi = resolve_props.PropDef("tags", "Tags", "enumeration", "checkbox", (("A_B", "A b"), ("C", "Cee")))
    amount = resolve_props.PropDef("amount", "Amount", "number", "number", ())
    flag = resolve_props.PropDef("optout", "Opt out", "bool", "booleancheckbox", ())
    assert resolve_props._normalize(priority, "HIGH") == "high"
    assert resolve_props._normalize(priority, "urgent") == "urgent"  # HubSpot answers with the options
    assert resolve_props._normalize(multi, "a b;cee") == "A_B;C"
    assert resolve_props._normalize(amount, "$75,000.50") == "75000.50"
    assert resolve_props._normalize(flag, "Yes") == "true"
    defs = {"firstname": priority, "lastname": priority}
    assert resolve_props.suggest("first_name", defs) == ["firstname"]
    assert resolve_props.unknown_property("totally_custom", "contacts", defs, "x") is None


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("acme.com", "acme.com"),
        ("https://www.Acme.com/about", "acme.com"),
        ("Acme Inc.", None),
        ("Acme", None),
    ],
)
def test_domain_detection(text: str, domain: str | None) -> None:
    assert domain_of(text) == domain


async def test_stage_labels_in_any_script_resolve_exactly(hubspot: Account, sandbox: Sandbox) -> None:
    """A portal whose stages are labelled in Cyrillic: the exact label works, a near-miss is refused."""
    stages = sandbox.hubspot.portals[hubspot.info["portal_id"]].pipelines["0-3"][0].stages
    labels = [
        "Назначена встреча",
        "Квалифицирован",
        "Презентация 1",
        "Решение",
        "Договор",
        "Выиграна",
        "Проиграна",
    ]
    for stage, label in zip(stages, labels, strict=True):
        stage.label = label
    won = await hubspot.call(
        "hubspot_deal_create", {"dealname": "Сделка", "amount": 1, "dealstage": "выиграна"}
    )
    assert won.ok, won.error
    stored = (await hubspot.crm.get(f"/crm/v3/objects/deals/{won.data['id']}?properties=dealstage")).json()
    assert stored["properties"]["dealstage"] == "closedwon"
    miss = await hubspot.call(
        "hubspot_deal_create", {"dealname": "Сделка", "amount": 1, "dealstage": "Этап 1"}
    )
    assert miss.error is not None and miss.error.code == "invalid_input"
    assert miss.error.details["field"] == "dealstage"

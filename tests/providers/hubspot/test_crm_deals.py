"""Deal tools against the sandbox: stages and pipelines by label, associations, lost creates."""

from __future__ import annotations

import json

import pytest

from crmbridge_sandbox import Sandbox

from ..harness import Account
from .helpers import create, engine_losing, get, john_smith, linked, search

pytestmark = pytest.mark.anyio

SEED_DEAL = {
    "dealname": "Acme Corp — Enterprise 2026",
    "amount": 75000,
    "dealstage": "presentationscheduled",
    "pipeline": "default",
    "closedate": "2026-06-30",
    "hs_priority": "HIGH",
}


async def renewals(account: Account) -> dict[str, str]:
    r = await account.crm.get("/crm/v3/pipelines/deals")
    pipeline = next(p for p in r.json()["results"] if p["label"] == "Renewals")
    return {"id": pipeline["id"], **{s["label"]: s["id"] for s in pipeline["stages"]}}


async def test_deal_create_seed_example(hubspot: Account) -> None:
    data = await hubspot.ok("hubspot_deal_create", dict(SEED_DEAL))
    stored = await get(hubspot, "deals", data["id"], *SEED_DEAL)
    assert stored["properties"] == {
        "dealname": "Acme Corp — Enterprise 2026", "amount": "75000", "dealstage": "presentationscheduled",
        "pipeline": "default", "closedate": "2026-06-30T00:00:00.000Z", "hs_priority": "high",
    }  # fmt: skip


async def test_deal_create_in_the_closed_won_stage_by_label(hubspot: Account) -> None:
    data = await hubspot.ok(
        "hubspot_deal_create", {"dealname": "Won by label", "amount": "1,200", "dealstage": "Closed Won"}
    )
    stored = await get(hubspot, "deals", data["id"], "dealstage", "pipeline", "amount")
    assert stored["properties"] == {"dealstage": "closedwon", "pipeline": "default", "amount": "1200"}


async def test_deal_create_in_another_pipeline_by_labels(hubspot: Account) -> None:
    ids = await renewals(hubspot)
    data = await hubspot.ok(
        "hubspot_deal_create",
        {
            "dealname": "Renewal 2027",
            "amount": 900,
            "pipeline": "renewals",
            "dealstage": "renewal negotiation",
        },
    )
    stored = await get(hubspot, "deals", data["id"], "dealstage", "pipeline")
    assert stored["properties"] == {"pipeline": ids["id"], "dealstage": ids["Renewal Negotiation"]}
    assert data["labels"]["dealstage"] == "Renewal Negotiation" and data["labels"]["pipeline"] == "Renewals"


async def test_deal_create_links_contacts_and_companies(hubspot: Account) -> None:
    company = (await search(hubspot, "companies", limit=1, properties=["domain"]))[0]
    other = await create(hubspot, "companies", name="Second Co")
    data = await hubspot.ok(
        "hubspot_deal_create",
        {"dealname": "Linked deal", "amount": 10, "dealstage": "appointmentscheduled",
         "associations": {"contacts": ["john smith"], "companies": [company["properties"]["domain"], "Second Co"]}},
    )  # fmt: skip
    john = await john_smith(hubspot)
    assert await linked(hubspot, "deals", data["id"], "contacts") == {john: {3}}
    assert await linked(hubspot, "deals", data["id"], "companies") == {company["id"]: {5, 341}, other: {341}}


async def test_deal_create_after_lost_answer_makes_no_duplicate(hubspot: Account, sandbox: Sandbox) -> None:
    engine, lossy = engine_losing(
        sandbox, lambda r: r.method == "POST" and r.url.path.endswith("/objects/deals")
    )
    result = await engine.execute_named(
        "hubspot_deal_create",
        {"dealname": "Lost answer", "amount": 5, "dealstage": "Closed Won"},
        hubspot.target,
    )
    await engine.aclose()
    assert result.ok, result.error
    assert lossy.lost == 1
    assert [r["id"] for r in await search(hubspot, "deals", ("dealname", "EQ", "Lost answer"))] == [
        result.data["id"]
    ]


async def test_deal_create_with_an_unknown_stage_lists_the_stages(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_deal_create", {"dealname": "Bad", "amount": 1, "dealstage": "Won Big"}
    )
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "dealstage"
    assert "closedwon" in result.error.details["allowed"]
    assert "'Closed Won' (closedwon)" in result.error.message
    assert await search(hubspot, "deals", ("dealname", "EQ", "Bad")) == []


async def test_deal_create_with_a_stage_of_another_pipeline_says_which(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_deal_create", {"dealname": "Bad", "amount": 1, "dealstage": "Renewed"}
    )
    assert result.error is not None and result.error.details["field"] == "dealstage"
    assert "'Renewals'" in result.error.message


async def test_deal_create_needs_no_amount(hubspot: Account) -> None:
    """HubSpot asks a deal for its name and stage; the amount is optional there, so it is here."""
    data = await hubspot.ok("hubspot_deal_create", {"dealname": "No amount", "dealstage": "closedwon"})
    stored = await get(hubspot, "deals", data["id"], "dealname", "amount", "dealstage")
    assert stored["properties"]["dealname"] == "No amount" and not stored["properties"].get("amount")


async def test_deal_get_matches_the_crm(hubspot: Account) -> None:
    deal = (await search(hubspot, "deals", limit=1))[0]
    data = await hubspot.ok("hubspot_deal_get", {"deal_id": deal["id"], "associations": "contacts,companies"})
    stored = await get(hubspot, "deals", deal["id"], "dealname", "amount", "dealstage")
    assert {k: data["properties"][k] for k in stored["properties"]} == stored["properties"]
    assert set(data["associations"]["companies"]) == set(
        await linked(hubspot, "deals", deal["id"], "companies")
    )
    assert data["labels"]["pipeline"] in {"Sales Pipeline", "Renewals"}


async def test_deal_get_unknown_id_is_not_found(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_deal_get", {"deal_id": "777777777"})
    assert result.error is not None and result.error.code == "not_found"


async def test_deal_update_stage_by_label_within_the_deals_pipeline(hubspot: Account) -> None:
    ids = await renewals(hubspot)
    deal = await create(hubspot, "deals", dealname="Up", pipeline=ids["id"], dealstage=ids["Renewal Due"])
    await hubspot.ok("hubspot_deal_update", {"deal_id": deal, "dealstage": "Renewed", "amount": 42})
    stored = await get(hubspot, "deals", deal, "dealstage", "pipeline", "amount")
    assert stored["properties"] == {"dealstage": ids["Renewed"], "pipeline": ids["id"], "amount": "42"}
    await hubspot.ok(
        "hubspot_deal_update", {"deal_id": deal, "pipeline": "Sales Pipeline", "dealstage": "Closed Lost"}
    )
    stored = await get(hubspot, "deals", deal, "dealstage", "pipeline")
    assert stored["properties"] == {"dealstage": "closedlost", "pipeline": "default"}


async def test_deal_update_unknown_id_is_not_found(hubspot: Account) -> None:
    for change in ({"dealstage": "Closed Won"}, {"amount": 3}):
        result = await hubspot.call("hubspot_deal_update", {"deal_id": "777777777", **change})
        assert result.error is not None and result.error.code == "not_found"


async def test_deals_search_seed_example(hubspot: Account) -> None:
    data = await hubspot.ok(
        "hubspot_deals_search",
        {
            "filterGroups": json.dumps([{"filters": [
                {"propertyName": "dealstage", "operator": "EQ", "value": "presentationscheduled"},
                {"propertyName": "amount", "operator": "GT", "value": "50000"},
            ]}]),
            "properties": "dealname,amount,dealstage,closedate,hs_priority",
            "limit": 20,
        },
    )  # fmt: skip
    expected = await search(
        hubspot, "deals", ("dealstage", "EQ", "presentationscheduled"), ("amount", "GT", "50000")
    )
    assert expected and [x["id"] for x in data["results"]] == [x["id"] for x in expected[:20]]
    assert all(float(x["properties"]["amount"]) > 50000 for x in data["results"])
    assert {x["properties"]["dealstage"] for x in data["results"]} == {"presentationscheduled"}


async def test_deals_search_by_stage_label(hubspot: Account) -> None:
    data = await hubspot.ok(
        "hubspot_deals_search",
        {
            "filterGroups": [{"propertyName": "dealstage", "operator": "=", "value": "Closed Won"}],
            "limit": 100,
        },
    )
    expected = await search(hubspot, "deals", ("dealstage", "EQ", "closedwon"))
    assert expected and [x["id"] for x in data["results"]] == [x["id"] for x in expected]


async def test_deals_search_with_an_unknown_stage_lists_the_stages(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_deals_search",
        {"filterGroups": [{"propertyName": "dealstage", "operator": "EQ", "value": "Won Big"}]},
    )
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "filterGroups[0].filters[0].value"
    assert "closedwon" in result.error.details["allowed"]


async def test_deal_update_to_another_pipeline_needs_one_of_its_stages(hubspot: Account) -> None:
    deal = await create(hubspot, "deals", dealname="Mover", dealstage="closedwon")
    result = await hubspot.call("hubspot_deal_update", {"deal_id": deal, "pipeline": "Renewals"})
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "dealstage"
    assert (await renewals(hubspot))["Renewed"] in result.error.details["allowed"]
    assert (await get(hubspot, "deals", deal, "pipeline"))["properties"] == {"pipeline": "default"}

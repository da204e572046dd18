"""hubspot_ticket_create (pipeline/status by id or label, contact/company links) and hubspot_tickets_search."""

from __future__ import annotations

import pytest

from crmbridge.engine import CallContext
from crmbridge.engine.recheck import Absent, Found, look_back, take_mark
from crmbridge.providers import builtin

from ..harness import Account
from .generic_helpers import call_with_scopes, create, error, first_id, john, linked, record

pytestmark = pytest.mark.anyio
_PROPS = ["subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority"]


async def test_ticket_create_defaults(hubspot: Account) -> None:
    data = await hubspot.ok("hubspot_ticket_create", {"subject": "Login fails", "content": "SSO error"})
    stored = (await record(hubspot, "tickets", data["id"], _PROPS)).json()["properties"]
    assert {k: stored.get(k) for k in _PROPS} == {
        "subject": "Login fails",
        "content": "SSO error",
        "hs_pipeline": "0",
        "hs_pipeline_stage": "1",  # the support pipeline's first status, "New"
        "hs_ticket_priority": None,
    }
    assert data["properties"]["subject"] == "Login fails"


async def test_ticket_create_labels_and_links(hubspot: Account) -> None:
    jid, company = await john(hubspot), await first_id(hubspot, "companies")
    data = await hubspot.ok(
        "hubspot_ticket_create",
        {
            "subject": "Invoice wrong",
            "hs_pipeline": "Support Pipeline",
            "hs_pipeline_stage": "waiting on us",
            "hs_ticket_priority": "URGENT",
            "contactId": int(jid),
            "companyId": company,
        },
    )
    stored = (await record(hubspot, "tickets", data["id"], _PROPS)).json()["properties"]
    assert (stored["hs_pipeline"], stored["hs_pipeline_stage"], stored["hs_ticket_priority"]) == (
        "0",
        "3",
        "URGENT",
    )
    assert data["labels"] == {"hs_pipeline": "Support Pipeline", "hs_pipeline_stage": "Waiting on us"}
    assert data["associations"] == {"contacts": [jid], "companies": [company]}
    assert [t["typeId"] for t in (await linked(hubspot, "tickets", data["id"], "contacts"))[jid]] == [16]
    assert [t["typeId"] for t in (await linked(hubspot, "tickets", data["id"], "companies"))[company]] == [
        339
    ]


async def test_ticket_create_errors(hubspot: Account) -> None:
    before = (await hubspot.crm.post("/crm/v3/objects/tickets/search", json={})).json()["total"]
    stage = error(
        await hubspot.call("hubspot_ticket_create", {"subject": "x", "hs_pipeline_stage": "Escalated"})
    )
    assert stage["code"] == "invalid_input" and stage["field"] == "hs_pipeline_stage"
    assert stage["allowed"] == ["1", "2", "3", "4"] and "'Waiting on us' (3)" in stage["message"]
    pipeline = error(await hubspot.call("hubspot_ticket_create", {"subject": "x", "hs_pipeline": "Sales"}))
    assert pipeline["code"] == "invalid_input" and pipeline["field"] == "hs_pipeline"
    subject = error(await hubspot.call("hubspot_ticket_create", {"content": "no subject"}))
    assert subject["code"] == "invalid_input" and subject["field"] == "subject"
    owner = error(await hubspot.call("hubspot_ticket_create", {"subject": "x", "hubspot_owner_id": "1"}))
    assert owner["code"] == "invalid_input" and owner["field"] == "hubspot_owner_id"
    scope = error(
        await call_with_scopes(
            hubspot, {"crm.objects.contacts.write"}, "hubspot_ticket_create", {"subject": "x"}
        )
    )
    assert scope["code"] == "insufficient_scope" and scope["missing_scopes"] == ["tickets"]
    after = (await hubspot.crm.post("/crm/v3/objects/tickets/search", json={})).json()["total"]
    assert after == before


async def test_ticket_create_recheck_keys_find_the_ticket(hubspot: Account) -> None:
    """A lost create is settled by searching on the recheck keys: they must find exactly the new ticket."""
    provider = builtin("hubspot")
    tool = hubspot.engine.catalog.tool("hubspot_ticket_create")
    ctx = CallContext(provider, hubspot.target, hubspot.engine.http, hubspot.engine.cache)
    args = {"subject": "Printer on fire", "hs_pipeline": "0", "hs_pipeline_stage": "1"}
    listing = provider.hooks.created_listing(tool, args)
    assert listing is not None
    mark = await take_mark(ctx, listing, max_pages=2)
    assert mark is not None and await look_back(ctx, listing, mark, max_pages=2) == Absent()
    data = await hubspot.ok("hubspot_ticket_create", {"subject": "Printer on fire"})
    found = await look_back(ctx, listing, mark, max_pages=2)
    assert isinstance(found, Found) and found.record["id"] == data["id"]


async def test_tickets_search(hubspot: Account) -> None:
    ids = [
        await create(
            hubspot, "tickets", {"subject": f"Refund {n}", "hs_pipeline_stage": "1", "hs_ticket_priority": p}
        )
        for n, p in (("b", "HIGH"), ("a", "HIGH"), ("c", "LOW"))
    ]
    high = {"filters": [{"propertyName": "hs_ticket_priority", "operator": "EQ", "value": "HIGH"}]}
    data = await hubspot.ok(
        "hubspot_tickets_search",
        {"query": "refund", "filterGroups": [high], "sorts": "subject", "properties": ["subject"]},
    )
    assert [r["id"] for r in data["results"]] == [ids[1], ids[0]] and data["total"] == 2
    desc = await hubspot.ok("hubspot_tickets_search", {"query": "refund", "sorts": ["-subject"], "limit": 1})
    assert [r["id"] for r in desc["results"]] == [ids[2]] and desc["next_cursor"] == "1"


async def test_tickets_search_errors(hubspot: Account) -> None:
    op = error(
        await hubspot.call(
            "hubspot_tickets_search",
            {"filterGroups": [{"filters": [{"propertyName": "subject", "operator": "LIKE", "value": "x"}]}]},
        )
    )
    assert op["code"] == "invalid_input" and "EQ" in op["allowed"]
    prop = error(
        await hubspot.call(
            "hubspot_tickets_search",
            {"filterGroups": [{"filters": [{"propertyName": "mood", "operator": "EQ", "value": "x"}]}]},
        )
    )
    assert prop["code"] == "invalid_input" and "mood" in prop["message"]
    sort = error(await hubspot.call("hubspot_tickets_search", {"sorts": [{"direction": "DESCENDING"}]}))
    assert sort["code"] == "invalid_input" and sort["field"] == "sorts"


async def test_in_filters_match_whatever_case_the_model_uses(hubspot: Account) -> None:
    """HubSpot matches IN values in lower case only; the schema's enum is upper case (HIGH, URGENT)."""
    made = await hubspot.ok(
        "hubspot_ticket_create", {"subject": "Printer on fire", "hs_ticket_priority": "HIGH"}
    )
    group = {
        "filters": [{"propertyName": "hs_ticket_priority", "operator": "IN", "values": ["HIGH", "URGENT"]}]
    }
    found = await hubspot.ok("hubspot_tickets_search", {"filterGroups": [group], "limit": 100})
    assert made["id"] in [t["id"] for t in found["results"]]
    by_record = {"entity": "tickets", "searchObj": {"filterGroups": [group], "limit": 100}}
    found = await hubspot.ok("hubspot_records_search", by_record)
    assert made["id"] in [t["id"] for t in found["results"]]

"""Generic record tools (seed 004): create, get, update and archive over every object type."""

from __future__ import annotations

from typing import Any

import pytest

from ..harness import Account
from .generic_helpers import TS, api, cars, create, error, first_id, john, linked, record

pytestmark = pytest.mark.anyio

#: entity → (properties sent, properties expected back as HubSpot stores them)
CREATES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "contacts": ({"email": "ada@example.com", "firstname": "Ada"}, {"email": "ada@example.com"}),
    "companies": (
        {"name": "Acme", "domain": "acme.com", "numberofemployees": 40},
        {"numberofemployees": "40"},
    ),
    "deals": ({"dealname": "Acme Q1", "dealstage": "qualifiedtobuy", "amount": 50000.0}, {"amount": "50000"}),
    "lineItems": ({"name": "Seat", "quantity": 3, "price": "10"}, {"quantity": "3"}),
    "products": ({"name": "Widget", "price": 99.5, "hs_sku": "W-1"}, {"price": "99.5"}),
    "tickets": ({"subject": "Broken", "hs_pipeline_stage": "1"}, {"hs_pipeline": "0"}),
    "quotes": ({"hs_title": "Q-1", "hs_status": "DRAFT"}, {}),
    "calls": ({"hs_timestamp": TS, "hs_call_title": "Intro", "hs_call_direction": "INBOUND"}, {}),
    "emails": ({"hs_timestamp": TS, "hs_email_subject": "Hi"}, {}),
    "meetings": ({"hs_timestamp": TS, "hs_meeting_title": "Kickoff"}, {}),
    "notes": ({"hs_timestamp": TS, "hs_note_body": "Called back"}, {}),
    "postalMails": ({"hs_timestamp": TS, "hs_postal_mail_body": "Letter"}, {}),
    "tasks": ({"hs_timestamp": TS, "hs_task_subject": "Follow up"}, {}),
    "cars:id": ({"vin": "WVWZZZ1JZXW000001", "make": "Audi", "year": 2020}, {"year": "2020"}),
    "cars:fqn": ({"vin": "WVWZZZ1JZXW000002", "make": "Seat", "model": "Leon"}, {}),
}


async def _entity(hubspot: Account, name: str) -> tuple[str, str]:
    """(what the tool is given, the API path name) for a case name."""
    if name.startswith("cars:"):
        found = await cars(hubspot)
        return found[name.split(":")[1]], found["id"]
    return name, api(name)


@pytest.mark.parametrize("case", list(CREATES))
async def test_record_create_each_entity(hubspot: Account, case: str) -> None:
    entity, api_name = await _entity(hubspot, case)
    sent, stored = CREATES[case]
    data = await hubspot.ok("hubspot_record_create", {"entity": entity, "properties": sent})
    r = await record(hubspot, api_name, data["id"], [*sent, *stored])
    assert r.status_code == 200, r.text
    props = r.json()["properties"]
    plain = {k: v for k, v in sent.items() if isinstance(v, str) and k != "hs_timestamp"}
    assert {k: props[k] for k in plain} == plain
    assert {k: props[k] for k in stored} == stored
    if "hs_timestamp" in sent:
        assert props["hs_timestamp"].startswith("2026-01-15T10:00:00")
    assert data["properties"].items() >= {k: v for k, v in props.items() if k in plain}.items()


async def test_record_create_with_associations(hubspot: Account) -> None:
    company, deal = await first_id(hubspot, "companies"), await first_id(hubspot, "deals")
    seed_style = {
        "to": {"id": company},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
    }
    data = await hubspot.ok(
        "hubspot_record_create",
        {
            "entity": "contacts",
            "properties": {"email": "jane@example.com", "lastname": "Smith"},
            "associations": [seed_style, {"to": {"id": int(deal)}, "toObjectType": "deals"}],
        },
    )
    assert data["associations"] == {"deals": [deal]}  # the links given by object type are echoed
    companies = await linked(hubspot, "contacts", data["id"], "companies")
    assert {t["typeId"] for t in companies[company]} >= {1}
    deals = await linked(hubspot, "contacts", data["id"], "deals")
    assert [t["typeId"] for t in deals[deal]] == [4]  # contact → deal, the default (unlabelled) type


async def test_record_create_errors(hubspot: Account) -> None:
    before = (await hubspot.crm.post("/crm/v3/objects/contacts/search", json={})).json()["total"]
    bad = error(await hubspot.call("hubspot_record_create", {"entity": "widgets", "properties": {"a": "b"}}))
    assert bad["code"] == "invalid_input" and bad["field"] == "entity" and "lineItems" in bad["allowed"]
    prop = error(
        await hubspot.call(
            "hubspot_record_create", {"entity": "contacts", "properties": {"favourite_fruit": "x"}}
        )
    )
    assert prop["code"] == "invalid_input" and prop["field"] == "favourite_fruit"
    assert "favourite_fruit" in prop["message"]
    link = error(
        await hubspot.call(
            "hubspot_record_create",
            {
                "entity": "contacts",
                "properties": {"email": "x@example.com"},
                "associations": [{"to": {"id": "1"}}],
            },
        )
    )
    assert link["code"] == "invalid_input" and link["field"] == "associations[0].types"
    note = error(
        await hubspot.call("hubspot_record_create", {"entity": "notes", "properties": {"hs_note_body": "x"}})
    )
    assert note["code"] == "invalid_input" and "hs_timestamp" in note["message"]
    after = (await hubspot.crm.post("/crm/v3/objects/contacts/search", json={})).json()["total"]
    assert after == before


GETS = {
    "deals": {"dealname": "Get me", "dealstage": "closedwon", "amount": "10"},
    "notes": {"hs_timestamp": TS, "hs_note_body": "A note"},
    "tasks": {"hs_timestamp": TS, "hs_task_subject": "A task"},
    "lineItems": {"name": "Line", "quantity": "2"},
    "cars:fqn": {"vin": "1HGCM82633A000003", "make": "Honda"},
}


@pytest.mark.parametrize("case", list(GETS))
async def test_record_get_each_entity(hubspot: Account, case: str) -> None:
    entity, api_name = await _entity(hubspot, case)
    rid = await create(hubspot, api_name, GETS[case])
    names = [k for k in GETS[case] if k != "hs_timestamp"]
    data = await hubspot.ok("hubspot_record_get", {"entity": entity, "entityId": rid, "properties": names})
    stored = (await record(hubspot, api_name, rid, names)).json()["properties"]
    assert data["id"] == rid
    assert {k: data["properties"][k] for k in names} == {k: stored[k] for k in names}


async def test_record_get_history_associations_and_id_property(hubspot: Account) -> None:
    jid = await john(hubspot)
    await hubspot.crm.patch(f"/crm/v3/objects/contacts/{jid}", json={"properties": {"jobtitle": "CTO"}})
    email = (await record(hubspot, "contacts", jid, ["email"])).json()["properties"]["email"]
    data = await hubspot.ok(
        "hubspot_record_get",
        {
            "entity": "contacts",
            "entityId": email,
            "idProperty": "email",
            "properties": "firstname,jobtitle",
            "propertiesWithHistory": ["jobtitle"],
            "associations": ["companies", "deals"],
        },
    )
    assert data["id"] == jid and data["properties"]["jobtitle"] == "CTO"
    assert data["propertiesWithHistory"]["jobtitle"][0]["value"] == "CTO"
    assert data["associations"]["companies"] == sorted(await linked(hubspot, "contacts", jid, "companies"))
    assert data["associations"]["deals"] == sorted(await linked(hubspot, "contacts", jid, "deals"))


async def test_record_get_errors(hubspot: Account) -> None:
    missing = error(await hubspot.call("hubspot_record_get", {"entity": "contacts", "entityId": "987654321"}))
    assert missing["code"] == "not_found"
    no_id = error(await hubspot.call("hubspot_record_get", {"entity": "contacts"}))
    assert no_id["code"] == "invalid_input" and no_id["field"] == "entityId"
    bad = error(
        await hubspot.call(
            "hubspot_record_get", {"entity": "contacts", "entityId": "1", "associations": ["x"]}
        )
    )
    assert bad["code"] == "invalid_input" and bad["field"] == "associations"


async def test_record_update(hubspot: Account) -> None:
    jid = await john(hubspot)
    data = await hubspot.ok(
        "hubspot_record_update",
        {
            "entity": "contacts",
            "entityId": jid,
            "properties": {"jobtitle": "VP Sales", "hs_email_optout": True},
        },
    )
    assert data["properties"]["jobtitle"] == "VP Sales"
    stored = (await record(hubspot, "contacts", jid, ["jobtitle", "hs_email_optout"])).json()["properties"]
    assert stored["jobtitle"] == "VP Sales" and stored["hs_email_optout"] == "true"
    email = (await record(hubspot, "contacts", jid, ["email"])).json()["properties"]["email"]
    await hubspot.ok(
        "hubspot_record_update",
        {"entity": "contacts", "entityId": email, "idProperty": "email", "properties": {"city": "Lisbon"}},
    )
    assert (await record(hubspot, "contacts", jid, ["city"])).json()["properties"]["city"] == "Lisbon"


async def test_record_update_errors(hubspot: Account) -> None:
    jid = await john(hubspot)
    before = (await record(hubspot, "contacts", jid, ["lifecyclestage"])).json()["properties"]
    bad = error(
        await hubspot.call(
            "hubspot_record_update",
            {"entity": "contacts", "entityId": jid, "properties": {"lifecyclestage": "champion"}},
        )
    )
    assert (
        bad["code"] == "invalid_input" and bad["field"] == "lifecyclestage" and "customer" in bad["allowed"]
    )
    assert (await record(hubspot, "contacts", jid, ["lifecyclestage"])).json()["properties"] == before
    empty = error(
        await hubspot.call("hubspot_record_update", {"entity": "contacts", "entityId": jid, "properties": {}})
    )
    assert empty["code"] == "invalid_input" and empty["field"] == "properties"
    missing = error(
        await hubspot.call(
            "hubspot_record_update", {"entity": "deals", "entityId": "987654321", "properties": {"amount": 1}}
        )
    )
    assert missing["code"] == "not_found"


async def test_record_archive(hubspot: Account) -> None:
    deal = await first_id(hubspot, "deals")
    data = await hubspot.ok("hubspot_record_archive", {"entity": "deals", "entityId": deal})
    assert data == {"id": deal, "deleted": True}
    assert (await record(hubspot, "deals", deal, ["dealname"])).status_code == 404
    archived = await record(hubspot, "deals", deal, ["dealname"], archived="true")
    assert archived.status_code == 200 and archived.json()["archived"] is True
    car = (await cars(hubspot))["id"]
    rid = await create(hubspot, car, {"vin": "JH4KA7561PC000004", "make": "Acura"})
    await hubspot.ok("hubspot_record_archive", {"entity": car, "entityId": rid})
    assert (await record(hubspot, car, rid, ["vin"])).status_code == 404


async def test_record_archive_errors(hubspot: Account) -> None:
    missing = error(
        await hubspot.call("hubspot_record_archive", {"entity": "contacts", "entityId": "987654321"})
    )
    assert missing["code"] == "not_found" and missing["field"] == "entityId"
    deal = await first_id(hubspot, "deals")
    await hubspot.ok("hubspot_record_archive", {"entity": "deals", "entityId": deal})
    again = error(await hubspot.call("hubspot_record_archive", {"entity": "deals", "entityId": deal}))
    assert again["code"] == "not_found" and "archived" in again["message"]
    bad = error(await hubspot.call("hubspot_record_archive", {"entity": "contact_list", "entityId": deal}))
    assert bad["code"] == "invalid_input" and bad["field"] == "entity"
    assert (await record(hubspot, "deals", deal, [], archived="true")).json()["archived"] is True

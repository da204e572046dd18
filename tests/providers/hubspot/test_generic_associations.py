"""hubspot_association_create (default, label, type id) and hubspot_associations_list."""

from __future__ import annotations

import pytest

from ..harness import Account
from .generic_helpers import call_with_scopes, cars, create, error, first_id, john, linked

pytestmark = pytest.mark.anyio


async def _new_company(hubspot: Account, name: str = "Linked Co") -> str:
    return await create(hubspot, "companies", {"name": name})


async def test_association_create_default(hubspot: Account) -> None:
    jid, company = await john(hubspot), await _new_company(hubspot)
    link = {
        "fromObjectType": "contacts",
        "fromObjectId": jid,
        "toObjectType": "companies",
        "toObjectId": company,
    }
    data = await hubspot.ok("hubspot_association_create", link)
    assert data["results"][0]["associationSpec"] == {
        "associationCategory": "HUBSPOT_DEFINED",
        "associationTypeId": 279,
    }
    assert [t["typeId"] for t in (await linked(hubspot, "contacts", jid, "companies"))[company]] == [279]
    again = await hubspot.ok("hubspot_association_create", link)  # idempotent
    assert again["results"] == data["results"]
    assert [t["typeId"] for t in (await linked(hubspot, "contacts", jid, "companies"))[company]] == [279]


@pytest.mark.parametrize("how", [{"label": "primary"}, {"associationTypeId": 1}])
async def test_association_create_labelled(hubspot: Account, how: dict[str, object]) -> None:
    jid, company = await john(hubspot), await _new_company(hubspot)
    link = {
        "fromObjectType": "contacts",
        "fromObjectId": jid,
        "toObjectType": "companies",
        "toObjectId": company,
    }
    await hubspot.ok("hubspot_association_create", {**link, **how})
    types = (await linked(hubspot, "contacts", jid, "companies"))[company]
    assert {(t["typeId"], t["label"]) for t in types} == {(1, "Primary"), (279, None)}


async def test_association_create_custom_object_and_engagement(hubspot: Account) -> None:
    car, jid = await cars(hubspot), await john(hubspot)
    rid = await create(hubspot, car["id"], {"vin": "WBA00000000000006", "make": "BMW"})
    await hubspot.ok(
        "hubspot_association_create",
        {"fromObjectType": car["fqn"], "fromObjectId": rid, "toObjectType": "contacts", "toObjectId": jid},
    )
    assert jid in await linked(hubspot, car["id"], rid, "contacts")
    note = await create(hubspot, "notes", {"hs_timestamp": "2026-01-15T10:00:00Z", "hs_note_body": "x"})
    await hubspot.ok(
        "hubspot_association_create",
        {"fromObjectType": "notes", "fromObjectId": note, "toObjectType": "contacts", "toObjectId": jid},
    )
    assert [t["typeId"] for t in (await linked(hubspot, "notes", note, "contacts"))[jid]] == [202]


async def test_association_create_errors(hubspot: Account) -> None:
    jid, company = await john(hubspot), await _new_company(hubspot)
    link = {
        "fromObjectType": "contacts",
        "fromObjectId": jid,
        "toObjectType": "companies",
        "toObjectId": company,
    }
    label = error(await hubspot.call("hubspot_association_create", {**link, "label": "Best friend"}))
    assert label["code"] == "invalid_input" and label["field"] == "label" and "Primary" in label["allowed"]
    type_id = error(await hubspot.call("hubspot_association_create", {**link, "associationTypeId": 9999}))
    assert type_id["code"] == "invalid_input" and 279 in type_id["allowed"]
    assert company not in await linked(hubspot, "contacts", jid, "companies")
    missing = error(await hubspot.call("hubspot_association_create", {**link, "toObjectId": "987654321"}))
    assert missing["code"] == "not_found"
    kind = error(await hubspot.call("hubspot_association_create", {**link, "toObjectType": "lead"}))
    assert kind["code"] == "invalid_input" and kind["field"] == "toObjectType"
    scopes = {"crm.objects.contacts.write"}
    ticket = {**link, "toObjectType": "tickets", "toObjectId": "1"}
    scope = error(await call_with_scopes(hubspot, scopes, "hubspot_association_create", ticket))
    assert scope["code"] == "insufficient_scope" and scope["missing_scopes"] == ["tickets"]


async def test_associations_list(hubspot: Account) -> None:
    jid = await john(hubspot)
    data = await hubspot.ok(
        "hubspot_associations_list", {"objectType": "contacts", "objectId": jid, "toObjectType": "deals"}
    )
    crm = await linked(hubspot, "contacts", jid, "deals")
    assert {str(r["toObjectId"]): r["associationTypes"] for r in data["results"]} == crm
    page = await hubspot.ok(
        "hubspot_associations_list",
        {"objectType": "contacts", "objectId": jid, "toObjectType": "deals", "limit": 1},
    )
    assert page["count"] == 1 and page["next_cursor"] == "1"
    deal = await first_id(hubspot, "deals")
    items = await hubspot.ok(
        "hubspot_associations_list", {"objectType": "deals", "objectId": deal, "toObjectType": "lineItems"}
    )
    assert {str(r["toObjectId"]) for r in items["results"]} == set(
        await linked(hubspot, "deals", deal, "line_items")
    )


async def test_associations_list_errors(hubspot: Account) -> None:
    missing = error(
        await hubspot.call(
            "hubspot_associations_list",
            {"objectType": "contacts", "objectId": "987654321", "toObjectType": "deals"},
        )
    )
    assert missing["code"] == "not_found"
    kind = error(
        await hubspot.call(
            "hubspot_associations_list", {"objectType": "people", "objectId": "1", "toObjectType": "deals"}
        )
    )
    assert kind["code"] == "invalid_input" and kind["field"] == "objectType"
    scope = error(
        await call_with_scopes(
            hubspot,
            {"crm.objects.contacts.read"},
            "hubspot_associations_list",
            {"objectType": "contacts", "objectId": "1", "toObjectType": "deals"},
        )
    )
    assert scope["code"] == "insufficient_scope" and scope["missing_scopes"] == ["crm.objects.deals.read"]

"""Property definitions: list/read shapes per the SDK model, custom property creation, groups."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import sdk_load

pytestmark = pytest.mark.anyio
P = "/hubspot/crm/v3/properties"


async def test_contact_properties(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{P}/contacts", headers=portal["headers"])
    assert r.status_code == 200
    body = r.json()
    sdk_load("properties", body, "CollectionResponsePropertyNoPaging")
    by_name = {p["name"]: p for p in body["results"]}
    assert by_name["email"]["hasUniqueValue"] is True
    assert by_name["createdate"]["modificationMetadata"]["readOnlyValue"] is True
    assert by_name["hs_object_id"]["type"] == "number"
    stages = [o["value"] for o in by_name["lifecyclestage"]["options"]]
    assert stages[0] == "subscriber" and "customer" in stages and stages[-1] == "other"
    owners = (await client.get("/hubspot/crm/v3/owners", headers=portal["headers"])).json()["results"]
    assert {o["value"] for o in by_name["hubspot_owner_id"]["options"]} == {o["id"] for o in owners}


async def test_type_specific_definitions(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    deal_stage = (await client.get(f"{P}/deals/dealstage", headers=h)).json()
    values = [o["value"] for o in deal_stage["options"]]
    assert values[:7] == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]
    assert len(values) > 7  # the Renewals pipeline's stages too
    sdk_load("properties", deal_stage, "ModelProperty")
    prio = (await client.get(f"{P}/tickets/hs_ticket_priority", headers=h)).json()
    assert [o["value"] for o in prio["options"]] == ["LOW", "MEDIUM", "HIGH", "URGENT"]
    status = (await client.get(f"{P}/tasks/hs_task_status", headers=h)).json()
    assert [o["value"] for o in status["options"]] == [
        "NOT_STARTED",
        "IN_PROGRESS",
        "WAITING",
        "COMPLETED",
        "DEFERRED",
    ]
    for kind, name in (
        ("notes", "hs_note_body"),
        ("calls", "hs_call_duration"),
        ("line_items", "hs_product_id"),
        ("quotes", "hs_title"),
        ("products", "hs_sku"),
        ("0-2", "numberofemployees"),
    ):
        r = await client.get(f"{P}/{kind}/{name}", headers=h)
        assert r.status_code == 200, (kind, name)
    r = await client.get(f"{P}/contacts/nope", headers=h)
    assert r.status_code == 404


async def test_create_custom_property_then_use_it(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    body = {
        "name": "favorite_color", "label": "Favorite color", "type": "enumeration", "fieldType": "select",
        "groupName": "contactinformation", "options": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}],
    }  # fmt: skip
    r = await client.post(f"{P}/contacts", headers=h, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["hubspotDefined"] is False and [o["value"] for o in created["options"]] == ["red", "blue"]
    assert (await client.get(f"{P}/contacts/favorite_color", headers=h)).json()["label"] == "Favorite color"
    r = await client.post(f"{P}/contacts", headers=h, json=body)
    assert r.status_code == 409 and r.json()["message"] == "Property named 'favorite_color' already exists."
    c = "/hubspot/crm/v3/objects/contacts"
    assert (
        await client.post(c, headers=h, json={"properties": {"favorite_color": "blue"}})
    ).status_code == 201
    assert (
        await client.post(c, headers=h, json={"properties": {"favorite_color": "green"}})
    ).status_code == 400


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"name": None}, "name"),
        ({"type": "colour"}, "type"),
        ({"fieldType": "slider"}, "fieldType"),
        ({"groupName": "nogroup"}, "nogroup"),
        ({"name": "hs_mine"}, "hs_"),
        ({"type": "enumeration", "fieldType": "select"}, "option"),
    ],
)
async def test_create_property_errors(
    client: httpx.AsyncClient, portal: dict[str, Any], patch: dict[str, Any], needle: str
) -> None:
    body = {
        "name": "nickname",
        "label": "Nickname",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }
    body.update(patch)
    r = await client.post(
        f"{P}/contacts", headers=portal["headers"], json={k: v for k, v in body.items() if v is not None}
    )
    assert r.status_code == 400 and needle in r.json()["message"]


async def test_groups(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{P}/deals/groups", headers=portal["headers"])
    assert r.status_code == 200
    assert r.json()["results"][0]["name"] == "dealinformation"
    sdk_load("properties", r.json(), "CollectionResponsePropertyGroupNoPaging")

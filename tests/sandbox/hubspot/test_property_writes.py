"""Property update/archive, batch read/create/archive and property groups."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import sdk_load

pytestmark = pytest.mark.anyio
P = "/hubspot/crm/v3/properties/contacts"
TIER = {"name": "tier", "label": "Tier", "type": "enumeration", "fieldType": "select",
        "groupName": "contactinformation", "options": [{"label": "Gold", "value": "gold"}]}  # fmt: skip


async def test_update_and_archive_a_custom_property(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    assert (await client.post(P, headers=h, json=TIER)).status_code == 201
    r = await client.patch(
        f"{P}/tier",
        headers=h,
        json={"label": "Loyalty tier", "options": [{"label": "Silver", "value": "silver"}]},
    )
    assert r.status_code == 200, r.text
    sdk_load("properties", r.json(), "ModelProperty")
    assert r.json()["label"] == "Loyalty tier" and [o["value"] for o in r.json()["options"]] == ["silver"]
    assert (await client.delete(f"{P}/tier", headers=h)).status_code == 204
    assert (await client.get(f"{P}/tier", headers=h)).status_code == 404
    assert (await client.get(f"{P}/tier", headers=h, params={"archived": "true"})).status_code == 200
    assert (await client.delete(f"{P}/tier", headers=h)).status_code == 404


@pytest.mark.parametrize(
    ("method", "name", "body", "status", "needle"),
    [
        ("PATCH", "email", {"label": "Mail"}, 400, "defined by HubSpot"),
        ("DELETE", "email", None, 400, "defined by HubSpot"),
        ("PATCH", "nosuch", {"label": "x"}, 404, "Unable to find"),
        ("PATCH", "tier", {"type": "colour"}, 400, "Invalid property type"),
        ("PATCH", "tier", {"groupName": "nogroup"}, 400, "does not exist"),
        ("PATCH", "tier", {"options": []}, 400, "needs at least one option"),
    ],
)
async def test_property_write_refusals(
    client: httpx.AsyncClient,
    portal: dict[str, Any],
    method: str,
    name: str,
    body: Any,
    status: int,
    needle: str,
) -> None:
    await client.post(P, headers=portal["headers"], json=TIER)
    r = await client.request(method, f"{P}/{name}", headers=portal["headers"], json=body)
    assert r.status_code == status and needle in r.json()["message"], r.text


async def test_property_batches(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    good = {**TIER, "name": "tier_b"}
    r = await client.post(
        f"{P}/batch/create", headers=h, json={"inputs": [good, {**TIER, "name": "Bad Name"}]}
    )
    assert r.status_code == 207, r.text
    assert [x["name"] for x in r.json()["results"]] == ["tier_b"] and r.json()["numErrors"] == 1
    r = await client.post(f"{P}/batch/create", headers=h, json={"inputs": [{"name": "x", "label": "X"}]})
    assert r.status_code == 400 and "PropertyCreate" in r.json()["message"]
    r = await client.post(
        f"{P}/batch/read",
        headers=h,
        json={"inputs": [{"name": "email"}, {"name": "nosuch"}], "archived": False},
    )
    assert r.status_code == 207 and [x["name"] for x in r.json()["results"]] == ["email"], r.text
    sdk_load("properties", r.json(), "BatchResponsePropertyWithErrors")
    assert (await client.post(f"{P}/batch/read", headers=h, json={"inputs": [{}]})).status_code == 400
    r = await client.post(f"{P}/batch/archive", headers=h, json={"inputs": [{"name": "tier_b"}]})
    assert r.status_code == 204
    assert (await client.get(f"{P}/tier_b", headers=h)).status_code == 404


async def test_property_groups(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    r = await client.post(
        f"{P}/groups", headers=h, json={"name": "loyalty", "label": "Loyalty", "displayOrder": 5}
    )
    assert r.status_code == 201, r.text
    sdk_load("properties", r.json(), "PropertyGroup")
    assert (
        await client.post(f"{P}/groups", headers=h, json={"name": "loyalty", "label": "L"})
    ).status_code == 409
    assert (await client.post(f"{P}/groups", headers=h, json={"name": "x"})).status_code == 400
    r = await client.patch(f"{P}/groups/loyalty", headers=h, json={"label": "Loyalty programme"})
    assert r.status_code == 200 and r.json()["label"] == "Loyalty programme"
    assert (await client.get(f"{P}/groups/loyalty", headers=h)).json()["label"] == "Loyalty programme"
    assert (await client.post(P, headers=h, json={**TIER, "groupName": "loyalty"})).status_code == 201
    held = await client.delete(f"{P}/groups/loyalty", headers=h)
    assert held.status_code == 400 and "still holds" in held.json()["message"]
    await client.delete(f"{P}/tier", headers=h)
    assert (await client.delete(f"{P}/groups/loyalty", headers=h)).status_code == 204
    assert (await client.get(f"{P}/groups/loyalty", headers=h)).status_code == 404
    names = [g["name"] for g in (await client.get(f"{P}/groups", headers=h)).json()["results"]]
    assert "loyalty" not in names and "contactinformation" in names
    assert (await client.delete(f"{P}/groups/contactinformation", headers=h)).status_code == 400

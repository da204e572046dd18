"""Archiving a property definition: custom ones leave the list (and show under ``archived=true``);
HubSpot's own cannot be archived."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
P = "/hubspot/crm/v3/properties"


async def test_archive_a_custom_property(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    body = {
        "name": "warranty",
        "label": "Warranty",
        "type": "string",
        "fieldType": "text",
        "groupName": "dealinformation",
    }
    assert (await client.post(f"{P}/deals", json=body, headers=h)).status_code == 201
    assert (await client.delete(f"{P}/deals/warranty", headers=h)).status_code == 204
    live = {p["name"] for p in (await client.get(f"{P}/deals", headers=h)).json()["results"]}
    archived = (await client.get(f"{P}/deals", params={"archived": "true"}, headers=h)).json()["results"]
    assert "warranty" not in live
    assert [p["name"] for p in archived if p["name"] == "warranty"] == ["warranty"]
    again = await client.delete(f"{P}/deals/warranty", headers=h)
    assert again.status_code == 404


async def test_hubspot_defined_properties_stay(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.delete(f"{P}/deals/amount", headers=portal["headers"])
    assert r.status_code == 400
    assert r.json()["category"] == "VALIDATION_ERROR"

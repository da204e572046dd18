"""Helpers for the HubSpot record tests: extra portals and SDK-model deserialisation of our answers."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace
from typing import Any

import httpx


async def new_portal(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await client.post("/_sandbox/hubspot/portals", json={"seed": 11, **body})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"Authorization": f"Bearer {data['private_app_token']}"}
    return data


def sdk_load(package: str, body: Any, type_name: str) -> Any:
    """Deserialise a JSON answer with the official SDK's models (raises if a required field is missing)."""
    module = importlib.import_module(f"hubspot.crm.{package}.api_client")
    client = module.ApiClient()
    return client.deserialize(SimpleNamespace(data=json.dumps(body)), type_name)


def property_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON list HubSpot embeds in a VALIDATION_ERROR message."""
    prefix = "Property values were not valid: "
    assert body["message"].startswith(prefix), body
    items: list[dict[str, Any]] = json.loads(body["message"][len(prefix) :])
    return items

"""Shared fixtures: a fresh in-process sandbox per test, reached through httpx like a network service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from crmbridge.sandbox import Sandbox


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with sandbox.client() as c:
        yield c


@pytest.fixture
async def portal(client: httpx.AsyncClient) -> dict[str, Any]:
    """A seeded HubSpot portal: the control API's answer plus ready-made auth headers."""
    r = await client.post("/_sandbox/hubspot/portals", json={"seed": 7})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"Authorization": f"Bearer {data['private_app_token']}"}
    data["prefix"] = "/hubspot"
    return data


@pytest.fixture
async def company(client: httpx.AsyncClient) -> dict[str, Any]:
    """A seeded Pipedrive company: the control API's answer plus ready-made auth headers."""
    r = await client.post("/_sandbox/pipedrive/companies", json={"seed": 7})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"x-api-token": data["api_token"]}
    data["prefix"] = f"/pipedrive/{data['company_domain']}"
    return data

"""``CallContext.paginate``: side look-ups follow every page, through the call's limits and retries."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from crmbridge.engine.context import CallContext
from crmbridge.providers import builtin

from .harness import Account

pytestmark = pytest.mark.anyio


def context(account: Account, provider: str) -> CallContext:
    return CallContext(builtin(provider), account.target, account.engine.http, account.engine.cache)


async def logged(client: httpx.AsyncClient, provider: str, path: str) -> list[dict[str, Any]]:
    r = await client.get("/_sandbox/requests", params={"provider": provider})
    return [e for e in r.json()["requests"] if e["path"].endswith(path)]


async def collect(ctx: CallContext, path: str, **options: Any) -> list[Any]:
    return [record async for record in ctx.paginate(path, **options)]


async def test_hubspot_list_pages_follow_after_in_the_query(
    hubspot: Account, client: httpx.AsyncClient
) -> None:
    everyone = (await hubspot.crm.get("/crm/v3/owners", params={"limit": 500})).json()["results"]
    assert len(everyone) > 2
    await client.delete("/_sandbox/requests")
    owners = await collect(
        context(hubspot, "hubspot"), "/crm/v3/owners", params={"limit": 2}, items="results"
    )
    assert [o["id"] for o in owners] == [o["id"] for o in everyone]
    assert len(await logged(client, "hubspot", "/crm/v3/owners")) == -(-len(everyone) // 2)


@pytest.mark.slow  # 17 search pages at HubSpot's real 5 searches per second
async def test_hubspot_search_pages_follow_after_in_the_body(hubspot: Account) -> None:
    search = {"limit": 3, "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]}
    everyone = (
        await hubspot.crm.post("/crm/v3/objects/contacts/search", json={**search, "limit": 200})
    ).json()
    found = await collect(
        context(hubspot, "hubspot"), "/crm/v3/objects/contacts/search", method="POST", json=search,
        items="results", max_pages=100,
    )  # fmt: skip
    assert len(everyone["results"]) > 3
    assert [c["id"] for c in found] == [c["id"] for c in everyone["results"]]


async def test_max_pages_bounds_the_requests_and_says_so(
    hubspot: Account, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await client.delete("/_sandbox/requests")
    with caplog.at_level(logging.WARNING, logger="crmbridge.engine"):
        owners = await collect(
            context(hubspot, "hubspot"), "/crm/v3/owners", params={"limit": 1}, items="results", max_pages=2
        )
    assert len(owners) == 2
    assert len(await logged(client, "hubspot", "/crm/v3/owners")) == 2
    assert "stopped after 2 pages" in caplog.text


async def test_pipedrive_v2_cursor_and_v1_offset_pages(pipedrive: Account) -> None:
    ctx = context(pipedrive, "pipedrive")
    persons = (await pipedrive.crm.get("/api/v2/persons", params={"limit": 500})).json()["data"]
    users = (await pipedrive.crm.get("/api/v1/users")).json()["data"]
    assert len(persons) > 3 and len(users) > 2
    found = await collect(ctx, "/api/v2/persons", params={"limit": 3}, max_pages=100)
    assert [p["id"] for p in found] == [p["id"] for p in persons]
    assert [u["id"] for u in await collect(ctx, "/api/v1/users", params={"limit": 2})] == [
        u["id"] for u in users
    ]


async def test_pages_are_retried_like_any_request(pipedrive: Account, client: httpx.AsyncClient) -> None:
    persons = (await pipedrive.crm.get("/api/v2/persons", params={"limit": 500})).json()["data"]
    await client.delete("/_sandbox/requests")
    r = await client.post("/_sandbox/faults", json={"pipedrive": {"500": 0.3}, "seed": 3})
    assert r.status_code == 200, r.text
    found = await collect(
        context(pipedrive, "pipedrive"), "/api/v2/persons", params={"limit": 2}, max_pages=100
    )
    await client.post("/_sandbox/faults", json={})
    assert [p["id"] for p in found] == [p["id"] for p in persons]
    assert any(e["status"] == 500 for e in await logged(client, "pipedrive", "/api/v2/persons"))

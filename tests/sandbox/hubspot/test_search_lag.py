"""The optional search-index lag: off by default; when on, search sees writes ``seconds`` late."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
C = "/hubspot/crm/v3/objects/contacts"


def _by_email(email: str) -> dict[str, Any]:
    return {
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}],
        "properties": ["email", "firstname"],
    }


async def _found(client: httpx.AsyncClient, portal: dict[str, Any], email: str) -> list[dict[str, Any]]:
    r = await client.post(C + "/search", headers=portal["headers"], json=_by_email(email))
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


async def test_search_is_immediate_by_default(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    await client.post(C, headers=portal["headers"], json={"properties": {"email": "now@example.com"}})
    assert len(await _found(client, portal, "now@example.com")) == 1


async def test_lagging_index_hides_new_writes_until_the_lag_passes(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    assert (await client.post("/_sandbox/hubspot/search-lag", json={"seconds": 5})).json() == {
        "search_lag_seconds": 5
    }
    created = (
        await client.post(C, headers=h, json={"properties": {"email": "lag@example.com", "firstname": "Old"}})
    ).json()
    assert await _found(client, portal, "lag@example.com") == []
    assert (await client.get(f"{C}/{created['id']}", headers=h)).status_code == 200  # reads are immediate
    await client.post("/_sandbox/clock", json={"advance_seconds": 6})
    assert [r["id"] for r in await _found(client, portal, "lag@example.com")] == [created["id"]]

    await client.patch(f"{C}/{created['id']}", headers=h, json={"properties": {"firstname": "New"}})
    stale = await _found(client, portal, "lag@example.com")
    assert stale[0]["properties"]["firstname"] == "Old"
    await client.delete(f"{C}/{created['id']}", headers=h)
    assert len(await _found(client, portal, "lag@example.com")) == 1  # archived, not yet de-indexed
    await client.post("/_sandbox/clock", json={"advance_seconds": 6})
    assert await _found(client, portal, "lag@example.com") == []
    await client.post("/_sandbox/hubspot/search-lag", json={"seconds": 0})


@pytest.mark.parametrize("seconds", [-1, 61, "soon", None])
async def test_search_lag_bounds(client: httpx.AsyncClient, seconds: Any) -> None:
    r = await client.post("/_sandbox/hubspot/search-lag", json={"seconds": seconds})
    assert r.status_code == 400 and "seconds" in r.json()["error"], r.text

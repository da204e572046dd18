"""Owners: list, paging, email filter, lookups by id and userId."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import sdk_load

pytestmark = pytest.mark.anyio
OWNERS = "/hubspot/crm/v3/owners"


async def test_list_and_shape(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{OWNERS}/", headers=portal["headers"])
    assert r.status_code == 200
    body = r.json()
    sdk_load("owners", body, "CollectionResponsePublicOwnerForwardPaging")
    owners = body["results"]
    assert len(owners) == 5 and "paging" not in body
    first = owners[0]
    assert set(first) >= {
        "id",
        "email",
        "firstName",
        "lastName",
        "userId",
        "userIdIncludingInactive",
        "type",
        "teams",
        "archived",
        "createdAt",
        "updatedAt",
    }
    assert first["type"] == "PERSON" and isinstance(first["userId"], int) and isinstance(first["id"], str)
    contacts = (
        await client.get(
            "/hubspot/crm/v3/objects/contacts",
            headers=portal["headers"],
            params={"properties": "hubspot_owner_id", "limit": "100"},
        )
    ).json()
    assert {c["properties"]["hubspot_owner_id"] for c in contacts["results"]} <= {o["id"] for o in owners}


async def test_paging_and_email_filter(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    page = (await client.get(OWNERS, headers=h, params={"limit": "2"})).json()
    assert len(page["results"]) == 2
    rest = (
        await client.get(OWNERS, headers=h, params={"limit": "10", "after": page["paging"]["next"]["after"]})
    ).json()
    assert len(rest["results"]) == 3 and not {o["id"] for o in rest["results"]} & {
        o["id"] for o in page["results"]
    }
    target = rest["results"][0]
    found = (await client.get(OWNERS, headers=h, params={"email": target["email"].upper()})).json()["results"]
    assert [o["id"] for o in found] == [target["id"]]


async def test_get_by_id_and_user_id(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    owner = (await client.get(OWNERS, headers=h)).json()["results"][0]
    r = await client.get(f"{OWNERS}/{owner['id']}", headers=h)
    assert r.json() == owner
    sdk_load("owners", r.json(), "PublicOwner")
    r = await client.get(f"{OWNERS}/{owner['userId']}", headers=h, params={"idProperty": "userId"})
    assert r.json()["id"] == owner["id"]
    assert (await client.get(f"{OWNERS}/123", headers=h)).status_code == 404
    assert (await client.get(f"{OWNERS}/123", headers=h, params={"idProperty": "email"})).status_code == 400


async def test_owner_scope(client: httpx.AsyncClient, sandbox: Any, portal: dict[str, Any]) -> None:
    sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read",)
    assert (await client.get(OWNERS, headers=portal["headers"])).status_code == 403

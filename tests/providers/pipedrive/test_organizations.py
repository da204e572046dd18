"""Organization tools against the Pipedrive sandbox: each one's effect on the CRM, and its main error."""

from __future__ import annotations

import pytest

from ..harness import Account
from ._crm import crm_get, error_of, first

pytestmark = pytest.mark.anyio


async def test_organization_create_stores_name_address_and_owner(pipedrive: Account) -> None:
    users = await crm_get(pipedrive, "/api/v1/users")
    data = await pipedrive.ok(
        "pipedrive_organization_create",
        {"name": "Initech", "address": "4120 Freidrich Ln, Austin", "website": "https://initech.example",
         "owner": users[2]["name"]},
    )  # fmt: skip
    org = await crm_get(pipedrive, f"/api/v2/organizations/{data['id']}")
    assert (org["name"], org["address"]["value"], org["owner_id"]) == (
        "Initech",
        "4120 Freidrich Ln, Austin",
        users[2]["id"],
    )
    assert org["website"] == "https://initech.example"


async def test_organization_create_without_name_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_organization_create", {"address": "1 Main St"}))
    assert (error["code"], error["field"]) == ("invalid_input", "name")


async def test_organization_get_returns_the_organization(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/organizations")
    data = await pipedrive.ok("pipedrive_organization_get", {"id": seeded["id"]})
    assert (data["name"], data["address"]["value"]) == (seeded["name"], seeded["address"]["value"])


async def test_organization_get_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_organization_get", {"id": 999999}))
    assert error["code"] == "not_found"


async def test_organizations_list_filters_by_owner(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/organizations")
    owner = next(u for u in await crm_get(pipedrive, "/api/v1/users") if u["id"] == seeded["owner_id"])
    expected = [o["id"] for o in await crm_get(pipedrive, "/api/v2/organizations", owner_id=owner["id"])]
    data = await pipedrive.ok("pipedrive_organizations_list", {"owner": owner["email"], "limit": 100})
    assert [o["id"] for o in data["results"]] == expected and seeded["id"] in expected


async def test_organizations_list_unknown_owner_lists_the_users(pipedrive: Account) -> None:
    error = error_of(
        await pipedrive.call("pipedrive_organizations_list", {"owner": "nobody@nowhere.example"})
    )
    assert (error["code"], error["field"]) == ("invalid_input", "owner")
    admin = next(u for u in await crm_get(pipedrive, "/api/v1/users") if u["name"] == "Sandbox Admin")
    assert admin["id"] in error["allowed"] and "'Sandbox Admin <" in error["message"]


async def test_organization_update_changes_the_organization(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/organizations")
    await pipedrive.ok("pipedrive_organization_update", {"id": seeded["id"], "name": "Renamed Inc"})
    assert (await crm_get(pipedrive, f"/api/v2/organizations/{seeded['id']}"))["name"] == "Renamed Inc"


async def test_organization_update_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_organization_update", {"id": 999999, "name": "X"}))
    assert error["code"] == "not_found"


async def test_organization_delete_soft_deletes(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/organizations")
    await pipedrive.ok("pipedrive_organization_delete", {"id": seeded["id"]})
    assert (await crm_get(pipedrive, f"/api/v2/organizations/{seeded['id']}"))["is_deleted"] is True


async def test_organization_delete_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_organization_delete", {"id": 999999}))
    assert error["code"] == "not_found"


async def test_organizations_search_by_name(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/organizations")
    data = await pipedrive.ok("pipedrive_organizations_search", {"term": seeded["name"], "exact_match": True})
    assert [o["id"] for o in data["results"]] == [seeded["id"]]


async def test_organizations_search_without_term_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_organizations_search", {"limit": 5}))
    assert (error["code"], error["field"]) == ("invalid_input", "term")

"""Person tools against the Pipedrive sandbox: each one's effect on the CRM, and its main error."""

from __future__ import annotations

import pytest

from ..harness import Account
from ._crm import crm_get, error_of, first

pytestmark = pytest.mark.anyio


async def test_person_create_stores_contacts_and_organization(pipedrive: Account) -> None:
    org = await first(pipedrive, "/api/v2/organizations")
    data = await pipedrive.ok(
        "pipedrive_person_create",
        {"name": "Ada Lovelace", "email": "ada@engine.example, ada2@engine.example", "phone": ["+44 1"],
         "organization": org["name"]},
    )  # fmt: skip
    person = await crm_get(pipedrive, f"/api/v2/persons/{data['id']}")
    assert person["name"] == "Ada Lovelace" and person["org_id"] == org["id"]
    assert [(e["value"], e["primary"]) for e in person["emails"]] == [
        ("ada@engine.example", True),
        ("ada2@engine.example", False),
    ]
    assert person["phones"][0]["value"] == "+44 1"


async def test_person_create_without_name_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_person_create", {"email": ["x@y.example"]}))
    assert (error["code"], error["field"]) == ("invalid_input", "name")


async def test_person_get_returns_the_person(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/persons")
    data = await pipedrive.ok("pipedrive_person_get", {"id": seeded["id"]})
    assert (data["name"], data["emails"]) == (seeded["name"], seeded["emails"])


async def test_person_get_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_person_get", {"id": 999999}))
    assert error["code"] == "not_found"


async def test_persons_list_filters_by_organization_name(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    org = await crm_get(pipedrive, f"/api/v2/organizations/{person['org_id']}")
    expected = [p["id"] for p in await crm_get(pipedrive, "/api/v2/persons", org_id=org["id"])]
    data = await pipedrive.ok("pipedrive_persons_list", {"organization": org["name"]})
    assert [p["id"] for p in data["results"]] == expected and person["id"] in expected


async def test_persons_list_unknown_organization_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_persons_list", {"organization": "No Such Company Zzz"}))
    assert (error["code"], error["field"]) == ("invalid_input", "organization")


async def test_person_update_changes_the_person(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/persons")
    await pipedrive.ok(
        "pipedrive_person_update", {"id": seeded["id"], "name": "New Name", "email": ["n@x.example"]}
    )
    person = await crm_get(pipedrive, f"/api/v2/persons/{seeded['id']}")
    assert person["name"] == "New Name" and [e["value"] for e in person["emails"]] == ["n@x.example"]


async def test_person_update_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_person_update", {"id": 999999, "name": "X"}))
    assert error["code"] == "not_found"


async def test_person_delete_soft_deletes(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/persons")
    await pipedrive.ok("pipedrive_person_delete", {"id": seeded["id"]})
    assert (await crm_get(pipedrive, f"/api/v2/persons/{seeded['id']}"))["is_deleted"] is True


async def test_person_delete_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_person_delete", {"id": 999999}))
    assert error["code"] == "not_found"


async def test_persons_search_by_email(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/persons")
    email = seeded["emails"][0]["value"]
    data = await pipedrive.ok("pipedrive_persons_search", {"term": email})
    assert [p["id"] for p in data["results"]] == [seeded["id"]]
    assert data["results"][0]["emails"] == [email]


async def test_persons_search_short_term_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_persons_search", {"term": "a"}))
    assert (error["code"], error["field"]) == ("invalid_input", "term")

"""Persons and organizations v2: name rules, emails/phones objects, address objects, references."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio


async def test_person_contacts_primary_and_labels(company_api: CompanyApi) -> None:
    body = {
        "name": "Ada Lovelace",
        "emails": [{"value": "ada@example.com"}, {"value": "ada@home.example", "label": "home"}],
        "phones": [{"value": "+1 555 0100", "primary": False}, {"value": "+1 555 0199", "primary": True}],
    }
    r = await company_api.post("/api/v2/persons", json=body)
    assert r.status_code == 200, r.text
    person = await company_api.data(f"/api/v2/persons/{r.json()['data']['id']}")
    assert person["emails"] == [
        {"value": "ada@example.com", "primary": True, "label": "work"},
        {"value": "ada@home.example", "primary": False, "label": "home"},
    ]
    assert [p["primary"] for p in person["phones"]] == [False, True]
    assert (person["first_name"], person["last_name"]) == ("Ada", "Lovelace")


async def test_person_name_from_first_and_last(company_api: CompanyApi) -> None:
    person = (
        await company_api.post("/api/v2/persons", json={"first_name": "Grace", "last_name": "Hopper"})
    ).json()["data"]
    assert person["name"] == "Grace Hopper"
    renamed = await company_api.patch(f"/api/v2/persons/{person['id']}", json={"last_name": "Murray"})
    assert renamed.json()["data"]["name"] == "Grace Murray"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"emails": [{"value": "a@b.c"}]}, "'name' is required"),
        ({"first_name": "Only"}, "'name' is required"),
        ({"name": "x", "emails": ["a@b.c"]}, "only objects"),
        (
            {
                "name": "x",
                "emails": [{"value": "a@b.c", "primary": True}, {"value": "d@e.f", "primary": True}],
            },
            "at most one",
        ),
        ({"name": "x", "phones": [{"value": "1", "primary": "yes"}]}, "true or false"),
        ({"name": "x", "emails": [{"email": "a@b.c"}]}, "unknown key"),
        ({"name": "x", "org_id": 424242}, "Organization with id 424242"),
        ({"name": "x", "org_id": "1"}, "expected an integer"),
        ({"name": "x", "marketing_status": "maybe"}, "marketing_status"),
    ],
)
async def test_person_validation(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    r = await company_api.post("/api/v2/persons", json=body)
    assert r.status_code == 400 and needle in r.json()["error"], r.text


async def test_person_list_filters_and_delete(company_api: CompanyApi) -> None:
    orgs = await company_api.all("/api/v2/organizations")
    org = orgs[0]
    created = (
        await company_api.post("/api/v2/persons", json={"name": "Linked", "org_id": org["id"]})
    ).json()["data"]
    members = await company_api.all("/api/v2/persons", org_id=org["id"])
    assert created["id"] in [p["id"] for p in members] and all(p["org_id"] == org["id"] for p in members)
    assert (await company_api.delete(f"/api/v2/persons/{created['id']}")).json()["data"] == {
        "id": created["id"]
    }
    assert created["id"] not in [p["id"] for p in await company_api.all("/api/v2/persons", org_id=org["id"])]
    assert (await company_api.data(f"/api/v2/persons/{created['id']}"))["is_deleted"] is True
    r = await company_api.post(
        "/api/v2/deals", json={"title": "to a deleted person", "person_id": created["id"]}
    )
    assert r.status_code == 400


async def test_person_custom_field(company_api: CompanyApi) -> None:
    fields = {
        f["field_name"]: f for f in await company_api.data("/api/v2/personFields", params={"limit": 500})
    }
    code = fields["Job title"]["field_code"]
    person = (
        await company_api.post("/api/v2/persons", json={"name": "CTO", "custom_fields": {code: "CTO"}})
    ).json()["data"]
    assert (await company_api.data(f"/api/v2/persons/{person['id']}"))["custom_fields"][code] == "CTO"
    r = await company_api.patch(f"/api/v2/persons/{person['id']}", json={"custom_fields": {code: 5}})
    assert r.status_code == 400 and "expected a string" in r.json()["error"]


async def test_organization_crud_and_address(company_api: CompanyApi) -> None:
    body = {"name": "Acme", "address": {"value": "1 Main St, Springfield", "locality": "Springfield"}}
    r = await company_api.post("/api/v2/organizations", json=body)
    assert r.status_code == 200, r.text
    org = r.json()["data"]
    assert org["address"]["value"] == "1 Main St, Springfield" and org["address"]["country"] is None
    patched = await company_api.patch(
        f"/api/v2/organizations/{org['id']}", json={"name": "Acme Inc", "employee_count": 50}
    )
    got = await company_api.data(f"/api/v2/organizations/{org['id']}")
    assert got == patched.json()["data"] and got["name"] == "Acme Inc" and got["employee_count"] == 50
    for bad, needle in [
        ({}, "'name' is required"),
        ({"name": "x", "address": "1 Main St"}, "address object"),
        ({"name": "x", "address": {"locality": "X"}}, "'value'"),
        ({"name": "x", "employee_count": 1.5}, "integer"),
    ]:
        r = await company_api.post("/api/v2/organizations", json=bad)
        assert r.status_code == 400 and needle in r.json()["error"], (bad, r.text)
    await company_api.delete(f"/api/v2/organizations/{org['id']}")
    assert org["id"] not in [o["id"] for o in await company_api.all("/api/v2/organizations")]

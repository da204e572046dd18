"""Custom object schemas: the seeded "cars" object, creation on enterprise portals, errors, aliases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import new_portal, sdk_load

pytestmark = pytest.mark.anyio
S = "/hubspot/crm-object-schemas/v3/schemas"

PETS = {
    "name": "pets",
    "labels": {"singular": "Pet", "plural": "Pets"},
    "primaryDisplayProperty": "pet_name",
    "requiredProperties": ["pet_name"],
    "associatedObjects": ["CONTACT", "0-3"],
    "properties": [
        {"name": "pet_name", "label": "Name", "type": "string", "fieldType": "text"},
        {"name": "species", "label": "Species", "type": "enumeration", "fieldType": "select",
         "options": [{"label": "Dog", "value": "dog"}, {"label": "Cat", "value": "cat"}]},
    ],
}  # fmt: skip


async def test_seeded_cars_schema(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(S, headers=portal["headers"])
    assert r.status_code == 200
    body = r.json()
    sdk_load("schemas", body, "CollectionResponseObjectSchemaNoPaging")
    [cars] = body["results"]
    assert cars["name"] == "cars" and cars["objectTypeId"].startswith("2-")
    assert cars["fullyQualifiedName"] == f"p{portal['portal_id']}_cars"
    assert cars["labels"] == {"singular": "Car", "plural": "Cars"}
    assert {p["name"] for p in cars["properties"]} >= {"make", "model", "year", "vin", "price"}
    assert next(p for p in cars["properties"] if p["name"] == "vin")["hasUniqueValue"] is True
    assert {a["toObjectTypeId"] for a in cars["associations"]} == {"0-1", "0-2"}
    for ref in ("cars", cars["objectTypeId"], cars["fullyQualifiedName"]):
        got = await client.get(f"/hubspot/crm/v3/schemas/{ref}", headers=portal["headers"])
        assert got.status_code == 200 and got.json()["objectTypeId"] == cars["objectTypeId"]
    sdk_load("schemas", cars, "ObjectSchema")
    assert (await client.get(f"{S}/contacts", headers=portal["headers"])).status_code == 404


async def test_custom_objects_need_enterprise(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.post(S, headers=portal["headers"], json=PETS)
    assert r.status_code == 403 and "Enterprise" in r.json()["message"]


async def test_create_schema_then_records_and_associations(client: httpx.AsyncClient) -> None:
    ent = await new_portal(client, tier="enterprise")
    h = ent["headers"]
    r = await client.post(S, headers=h, json=PETS)
    assert r.status_code == 201, r.text
    schema = r.json()
    type_id = schema["objectTypeId"]
    assert schema["fullyQualifiedName"] == f"p{ent['portal_id']}_pets"
    assoc = {a["toObjectTypeId"]: a["id"] for a in schema["associations"]}
    assert set(assoc) == {"0-1", "0-3"}
    assert (await client.post(S, headers=h, json=PETS)).status_code == 409
    listed = (await client.get(S, headers=h)).json()["results"]
    assert [s["name"] for s in listed] == ["cars", "pets"]
    contact = (await client.get("/hubspot/crm/v3/objects/contacts", headers=h, params={"limit": "1"})).json()[
        "results"
    ][0]
    body = {
        "properties": {"pet_name": "Rex", "species": "dog"},
        "associations": [
            {
                "to": {"id": contact["id"]},
                "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": int(assoc["0-1"])}],
            }
        ],
    }
    r = await client.post(f"/hubspot/crm/v3/objects/{type_id}", headers=h, json=body)
    assert r.status_code == 201, r.text
    pet = r.json()
    got = await client.get(
        f"/hubspot/crm/v3/objects/pets/{pet['id']}",
        headers=h,
        params={"associations": "contacts", "properties": "pet_name"},
    )
    assert got.json()["properties"]["pet_name"] == "Rex"
    assert got.json()["associations"]["contacts"]["results"][0]["id"] == contact["id"]
    r = await client.post(
        f"/hubspot/crm/v3/objects/{type_id}", headers=h, json={"properties": {"species": "cat"}}
    )
    assert r.status_code == 400 and "pet_name" in r.json()["message"]
    props = (await client.get(f"/hubspot/crm/v3/properties/{type_id}", headers=h)).json()["results"]
    assert {"pet_name", "species", "hs_object_id", "hs_createdate"} <= {p["name"] for p in props}


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"name": "contacts"}, "already exists"),
        ({"labels": {"singular": "Pet"}}, "labels"),
        ({"requiredProperties": ["ghost"]}, "ghost"),
        ({"primaryDisplayProperty": "ghost"}, "ghost"),
        ({"associatedObjects": ["spaceships"]}, "spaceships"),
        ({"properties": []}, "properties"),
    ],
)
async def test_schema_errors(client: httpx.AsyncClient, patch: dict[str, Any], needle: str) -> None:
    ent = await new_portal(client, tier="enterprise")
    r = await client.post(S, headers=ent["headers"], json={**PETS, **patch})
    assert r.status_code in (400, 409) and needle in r.json()["message"], r.text


async def test_schema_scopes(client: httpx.AsyncClient, sandbox: Any, portal: dict[str, Any]) -> None:
    sandbox.hubspot.private_app_scopes = ("crm.objects.custom.read",)
    assert (await client.get(S, headers=portal["headers"])).status_code == 403
    assert (await client.get("/hubspot/crm/v3/objects/cars", headers=portal["headers"])).status_code == 200

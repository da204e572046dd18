"""Custom object schema writes: PATCH, DELETE (archive), purge, and association definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from .records_helpers import new_portal, sdk_load
from .test_schemas import PETS

pytestmark = pytest.mark.anyio
S = "/hubspot/crm-object-schemas/v3/schemas"
WRITE = ["crm.schemas.custom.write"]


def _when(value: Any) -> datetime:
    assert isinstance(value, str)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _error(r: httpx.Response, status: int, category: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["status"] == "error" and body["category"] == category
    assert isinstance(body["message"], str) and isinstance(body["correlationId"], str)
    return body


async def _pets(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    ent = await new_portal(client, tier="enterprise")
    r = await client.post(S, headers=ent["headers"], json=PETS)
    assert r.status_code == 201, r.text
    schema: dict[str, Any] = r.json()
    return ent["headers"], schema


async def _record(client: httpx.AsyncClient, h: dict[str, str], type_ref: str, props: dict[str, str]) -> str:
    r = await client.post(f"/hubspot/crm/v3/objects/{type_ref}", headers=h, json={"properties": props})
    assert r.status_code == 201, r.text
    rid: str = r.json()["id"]
    return rid


async def _clear_cars(client: httpx.AsyncClient, h: dict[str, str]) -> int:
    cars = (await client.get("/hubspot/crm/v3/objects/cars", headers=h, params={"limit": "100"})).json()
    inputs = [{"id": c["id"]} for c in cars["results"]]
    r = await client.post("/hubspot/crm/v3/objects/cars/batch/archive", headers=h, json={"inputs": inputs})
    assert r.status_code == 204, r.text
    return len(inputs)


async def test_patch_answers_an_object_type_definition_and_sticks(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    before = (await client.get(f"{S}/cars", headers=h)).json()
    patch = {
        "labels": {"singular": "Vehicle"},
        "requiredProperties": ["vin"],
        "searchableProperties": ["vin", "year"],
        "secondaryDisplayProperties": ["year"],
        "primaryDisplayProperty": "model",
        "description": "Cars we sold",
        "restorable": True,
    }
    r = await client.patch(f"{S}/cars", headers=h, json=patch)
    assert r.status_code == 200, r.text
    body = r.json()
    sdk_load("schemas", body, "ObjectTypeDefinition")
    assert body["objectTypeId"] == before["objectTypeId"] and body["id"] == before["id"]
    assert isinstance(body["id"], str) and isinstance(body["portalId"], int)
    assert body["portalId"] == portal["portal_id"]
    assert (body["name"], body["fullyQualifiedName"]) == ("cars", before["fullyQualifiedName"])
    assert body["labels"] == {"singular": "Vehicle", "plural": "Cars"}
    assert body["requiredProperties"] == ["vin"]
    assert body["searchableProperties"] == ["vin", "year"]
    assert body["secondaryDisplayProperties"] == ["year"]
    assert body["primaryDisplayProperty"] == "model"
    assert body["description"] == "Cars we sold" and body["archived"] is False
    assert "properties" not in body and "associations" not in body
    assert _when(body["updatedAt"]) > _when(body["createdAt"])
    got = (await client.get(f"/hubspot/crm/v3/schemas/{body['objectTypeId']}", headers=h)).json()
    assert {k: got[k] for k in patch if k in got and k != "labels"} == {
        k: v for k, v in patch.items() if k not in ("labels", "restorable")
    }
    assert got["labels"]["singular"] == "Vehicle"
    # requiredProperties now governs record creates: make is no longer needed, vin still is.
    await _record(client, h, "cars", {"vin": "PATCHED-VIN-1"})
    refused = await client.post("/hubspot/crm/v3/objects/cars", headers=h, json={"properties": {"make": "x"}})
    assert refused.status_code == 400 and "vin" in refused.json()["message"]
    cleared = await client.patch(f"{S}/cars", headers=h, json={"clearDescription": True})
    assert cleared.status_code == 200 and "description" not in cleared.json()


async def test_patch_naming_unknown_properties_is_refused_whole(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    before = (await client.get(f"{S}/cars", headers=h)).json()
    r = await client.patch(
        f"{S}/cars",
        headers=h,
        json={"requiredProperties": ["vin", "ghost"], "primaryDisplayProperty": "phantom", "labels": {}},
    )
    body = _error(r, 400, "VALIDATION_ERROR")
    assert "ghost" in body["message"] and "phantom" in body["message"]
    assert "requiredProperties" in body["message"] and "primaryDisplayProperty" in body["message"]
    after = (await client.get(f"{S}/cars", headers=h)).json()
    assert after["requiredProperties"] == before["requiredProperties"]
    assert after["primaryDisplayProperty"] == before["primaryDisplayProperty"]


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"labels": "Car"}, "labels"),
        ({"labels": {"plural": ""}}, "plural"),
        ({"requiredProperties": "vin"}, "requiredProperties"),
        ({"searchableProperties": [1]}, "searchableProperties"),
        ({"primaryDisplayProperty": 7}, "primaryDisplayProperty"),
        ({"description": 5}, "description"),
        ({"restorable": "yes"}, "restorable"),
        ({"clearDescription": 1}, "clearDescription"),
    ],
)
async def test_patch_with_wrong_types_is_a_400(
    client: httpx.AsyncClient, portal: dict[str, Any], patch: dict[str, Any], needle: str
) -> None:
    r = await client.patch(f"{S}/cars", headers=portal["headers"], json=patch)
    assert needle in _error(r, 400, "VALIDATION_ERROR")["message"]


async def test_delete_is_refused_while_records_live(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    live = len(
        (await client.get("/hubspot/crm/v3/objects/cars", headers=h, params={"limit": "100"})).json()[
            "results"
        ]
    )
    assert live > 0
    body = _error(await client.delete(f"{S}/cars", headers=h), 400, "VALIDATION_ERROR")
    assert f"{live} record" in body["message"]
    assert (await client.get(f"{S}/cars", headers=h)).status_code == 200


async def test_delete_archives_then_purge_frees_the_name(client: httpx.AsyncClient) -> None:
    ent = await new_portal(client, tier="enterprise")
    h = ent["headers"]
    cars = (await client.get(f"{S}/cars", headers=h)).json()
    type_id = cars["objectTypeId"]
    contact = (await client.get("/hubspot/crm/v3/objects/contacts", headers=h, params={"limit": "1"})).json()
    contact_id = contact["results"][0]["id"]
    await _clear_cars(client, h)
    r = await client.delete(f"/hubspot/crm/v3/schemas/{cars['fullyQualifiedName']}", headers=h)
    assert r.status_code == 204 and r.content == b""
    assert [s["name"] for s in (await client.get(S, headers=h)).json()["results"]] == []
    archived = (await client.get(S, headers=h, params={"archived": "true"})).json()["results"]
    assert [(s["name"], s["archived"]) for s in archived] == [("cars", True)]
    sdk_load("schemas", {"results": archived}, "CollectionResponseObjectSchemaNoPaging")
    _error(await client.get(f"{S}/cars", headers=h), 404, "OBJECT_NOT_FOUND")
    _error(await client.delete(f"{S}/cars", headers=h), 404, "OBJECT_NOT_FOUND")
    _error(await client.patch(f"{S}/cars", headers=h, json={"description": "x"}), 404, "OBJECT_NOT_FOUND")
    # The object's record, property and association routes no longer know the type.
    for path in (
        "/crm/v3/objects/cars",
        f"/crm/v3/objects/{type_id}",
        f"/crm/v3/properties/{type_id}",
        f"/crm/v4/objects/contacts/{contact_id}/associations/{type_id}",
    ):
        body = _error(await client.get(f"/hubspot{path}", headers=h), 400, "VALIDATION_ERROR")
        assert "Unable to infer object type" in body["message"], path
    # The name stays taken until the schema is purged.
    same_name = {**PETS, "name": "cars", "labels": {"singular": "Car", "plural": "Cars"}}
    assert (await client.post(S, headers=h, json=same_name)).status_code == 409
    assert (await client.delete(f"{S}/{type_id}/purge", headers=h)).status_code == 204
    assert (await client.get(S, headers=h, params={"archived": "true"})).json()["results"] == []
    _error(await client.delete(f"{S}/{type_id}/purge", headers=h), 404, "OBJECT_NOT_FOUND")
    again = await client.post(S, headers=h, json=same_name)
    assert again.status_code == 201, again.text
    assert (await client.get("/hubspot/crm/v3/objects/cars", headers=h)).json()["results"] == []


async def test_delete_with_archived_true_purges_an_archived_schema(client: httpx.AsyncClient) -> None:
    h, pets = await _pets(client)
    ref = pets["objectTypeId"]
    live = await client.delete(f"{S}/{ref}", headers=h, params={"archived": "true"})
    assert "not deleted" in _error(live, 400, "VALIDATION_ERROR")["message"]
    assert (
        "not deleted"
        in _error(await client.delete(f"{S}/{ref}/purge", headers=h), 400, "VALIDATION_ERROR")["message"]
    )
    assert (await client.delete(f"{S}/{ref}", headers=h)).status_code == 204
    assert (await client.delete(f"{S}/{ref}", headers=h, params={"archived": "true"})).status_code == 204
    assert (await client.get(S, headers=h, params={"archived": "true"})).json()["results"] == []
    # A new schema after a purge takes a type id no live schema has.
    again = (await client.post(S, headers=h, json=PETS)).json()
    listed = [s["objectTypeId"] for s in (await client.get(S, headers=h)).json()["results"]]
    assert len(set(listed)) == len(listed) == 2 and again["objectTypeId"] in listed


async def test_association_definition_is_usable_by_v4_and_removable(client: httpx.AsyncClient) -> None:
    h, pets = await _pets(client)
    type_id = pets["objectTypeId"]
    r = await client.post(
        f"{S}/{type_id}/associations",
        headers=h,
        json={"fromObjectTypeId": type_id, "toObjectTypeId": "0-2", "name": "pet_to_company"},
    )
    assert r.status_code == 201, r.text
    made = r.json()
    sdk_load("schemas", made, "AssociationDefinition")
    assert (made["fromObjectTypeId"], made["toObjectTypeId"], made["name"]) == (
        type_id,
        "0-2",
        "pet_to_company",
    )
    assert isinstance(made["id"], str) and made["id"].isdigit()
    assert made["createdAt"] == made["updatedAt"] and _when(made["createdAt"])
    schema = (await client.get(f"{S}/{type_id}", headers=h)).json()
    listed = {a["id"]: a for a in schema["associations"]}
    assert listed[made["id"]]["toObjectTypeId"] == "0-2" and listed[made["id"]]["name"] == "pet_to_company"
    labels = (await client.get(f"/hubspot/crm/v4/associations/{type_id}/companies/labels", headers=h)).json()
    assert {"category": "USER_DEFINED", "typeId": int(made["id"]), "label": None} in labels["results"]
    pet = await _record(client, h, type_id, {"pet_name": "Rex"})
    company = (await client.get("/hubspot/crm/v3/objects/companies", headers=h, params={"limit": "1"})).json()
    company_id = company["results"][0]["id"]
    v4 = f"/hubspot/crm/v4/objects/{type_id}/{pet}/associations/default/companies/{company_id}"
    assert (await client.put(v4, headers=h)).status_code == 200
    back = await client.get(
        f"/hubspot/crm/v4/objects/companies/{company_id}/associations/{type_id}", headers=h
    )
    assert [x["toObjectId"] for x in back.json()["results"]] == [int(pet)]
    # The same pair again is a conflict; the way back defined from the other side too.
    again = await client.post(
        f"{S}/{type_id}/associations", headers=h, json={"fromObjectTypeId": "0-2", "toObjectTypeId": type_id}
    )
    _error(again, 409, "OBJECT_ALREADY_EXISTS")
    r = await client.delete(f"/hubspot/crm/v3/schemas/{type_id}/associations/{made['id']}", headers=h)
    assert r.status_code == 204 and r.content == b""
    schema = (await client.get(f"{S}/{type_id}", headers=h)).json()
    assert made["id"] not in {a["id"] for a in schema["associations"]}
    assert "0-2" not in {a["toObjectTypeId"] for a in schema["associations"]}
    assert (
        "no default association"
        in _error(await client.put(v4, headers=h), 400, "VALIDATION_ERROR")["message"]
    )
    gone = await client.delete(f"{S}/{type_id}/associations/{made['id']}", headers=h)
    _error(gone, 404, "OBJECT_NOT_FOUND")
    # Defined again, the pair starts with no record associations: the old ones went with the old type.
    egg = {"fromObjectTypeId": type_id, "toObjectTypeId": "companies"}
    assert (await client.post(f"{S}/{type_id}/associations", headers=h, json=egg)).status_code == 201
    back = await client.get(
        f"/hubspot/crm/v4/objects/companies/{company_id}/associations/{type_id}", headers=h
    )
    assert back.status_code == 200 and back.json()["results"] == []


async def test_association_defined_towards_the_schema(client: httpx.AsyncClient) -> None:
    h, pets = await _pets(client)
    type_id = pets["objectTypeId"]
    r = await client.post(
        f"{S}/pets/associations", headers=h, json={"fromObjectTypeId": "tickets", "toObjectTypeId": type_id}
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["fromObjectTypeId"], made["toObjectTypeId"]) == ("0-5", type_id)
    assert made["name"] == "TICKET_TO_PETS"  # a custom type is named by its name
    ticket = await _record(client, h, "tickets", {"subject": "Lost dog", "hs_pipeline_stage": "1"})
    pet = await _record(client, h, "pets", {"pet_name": "Rex"})
    put = await client.put(
        f"/hubspot/crm/v4/objects/tickets/{ticket}/associations/{type_id}/{pet}",
        headers=h,
        json=[{"associationCategory": "USER_DEFINED", "associationTypeId": int(made["id"])}],
    )
    assert put.status_code == 201, put.text


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"toObjectTypeId": "0-1"}, "some of required attributes are not set [fromObjectTypeId]"),
        ({"name": "x"}, "[fromObjectTypeId, toObjectTypeId]"),
        ({"fromObjectTypeId": "PETS", "toObjectTypeId": None}, "[toObjectTypeId]"),
        ({"fromObjectTypeId": "pets", "toObjectTypeId": "spaceships"}, "spaceships"),
        ({"fromObjectTypeId": 12, "toObjectTypeId": "0-1"}, "fromObjectTypeId"),
        ({"fromObjectTypeId": "0-1", "toObjectTypeId": "0-2"}, "must start or end at"),
        ({"fromObjectTypeId": "pets", "toObjectTypeId": "0-5", "name": ""}, "name"),
    ],
)
async def test_association_invalid_inputs(
    client: httpx.AsyncClient, body: dict[str, Any], needle: str
) -> None:
    h, _ = await _pets(client)
    r = await client.post(f"{S}/pets/associations", headers=h, json=body)
    message = _error(r, 400, "VALIDATION_ERROR")["message"]
    assert needle in message, message
    if "required" in needle:
        assert message.startswith("Invalid input JSON: Cannot build AssociationDefinitionEgg")


ROUTES = [
    ("PATCH", "{}", {"description": "x"}),
    ("DELETE", "{}", None),
    ("DELETE", "{}/purge", None),
    ("POST", "{}/associations", {"fromObjectTypeId": "0-1", "toObjectTypeId": "0-2"}),
    ("DELETE", "{}/associations/1", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("ref", ["spaceships", "contacts", "2-99999999"])
async def test_unknown_object_type_is_a_404(
    client: httpx.AsyncClient, portal: dict[str, Any], method: str, path: str, body: Any, ref: str
) -> None:
    r = await client.request(method, f"{S}/{path.format(ref)}", headers=portal["headers"], json=body)
    _error(r, 404, "OBJECT_NOT_FOUND")


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_writes_need_the_schema_write_scope(
    client: httpx.AsyncClient, sandbox: Any, portal: dict[str, Any], method: str, path: str, body: Any
) -> None:
    sandbox.hubspot.private_app_scopes = ("crm.schemas.custom.read", "crm.objects.custom.write")
    r = await client.request(method, f"{S}/{path.format('cars')}", headers=portal["headers"], json=body)
    err = _error(r, 403, "MISSING_SCOPES")
    assert err["errors"][0]["context"]["requiredGranularScopes"] == WRITE
    assert (await client.get(f"{S}/cars", headers=portal["headers"])).status_code == 200


async def test_description_from_create_and_the_older_path(client: httpx.AsyncClient) -> None:
    ent = await new_portal(client, tier="enterprise")
    h = ent["headers"]
    r = await client.post(S, headers=h, json={**PETS, "description": "Our patients"})
    assert r.status_code == 201 and r.json()["description"] == "Our patients"
    r = await client.patch("/hubspot/crm/v3/schemas/pets", headers=h, json={"description": "Animals"})
    assert r.status_code == 200 and r.json()["description"] == "Animals"
    assert (await client.get(f"{S}/pets", headers=h)).json()["description"] == "Animals"
    bad = await client.post(S, headers=h, json={**PETS, "name": "dogs", "description": 3})
    assert "description" in _error(bad, 400, "VALIDATION_ERROR")["message"]

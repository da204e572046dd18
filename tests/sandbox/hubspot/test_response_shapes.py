"""Response shapes and refusals found by auditing the sandbox against HubSpot's published response models.

Each test pins one fact as our own data (attribute names, JSON types, status codes). The places where the
sandbox follows the live service rather than the published model are pinned at the end.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import new_portal, sdk_load
from .test_schemas import PETS

pytestmark = pytest.mark.anyio
P = "/hubspot/crm/v3/properties/contacts"
S = "/hubspot/crm-object-schemas/v3/schemas"
BASE = {"label": "Audit", "type": "string", "fieldType": "text", "groupName": "contactinformation"}


def _refused(r: httpx.Response, status: int = 400, category: str = "VALIDATION_ERROR") -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["status"] == "error" and body["category"] == category
    assert isinstance(body["message"], str) and isinstance(body["correlationId"], str)
    return body


async def test_property_type_phone_number_is_accepted(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    body = {**BASE, "name": "direct_line", "type": "phone_number", "fieldType": "phonenumber"}
    r = await client.post(P, headers=portal["headers"], json=body)
    assert r.status_code == 201, r.text
    assert r.json()["type"] == "phone_number"
    sdk_load("properties", r.json(), "ModelProperty")
    made = await client.post(
        "/hubspot/crm/v3/objects/contacts",
        headers=portal["headers"],
        json={"properties": {"email": "line@example.com", "direct_line": "+1 555 0100"}},
    )
    assert made.status_code == 201 and made.json()["properties"]["direct_line"] == "+1 555 0100"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"hidden": "no"}, "hidden"),
        ({"formField": 1}, "formField"),
        ({"hasUniqueValue": "yes"}, "hasUniqueValue"),
        ({"description": 5}, "description"),
        ({"calculationFormula": ["x"]}, "calculationFormula"),
        ({"dataSensitivity": "secret"}, "dataSensitivity"),
        ({"numberDisplayHint": "big"}, "numberDisplayHint"),
        ({"textDisplayHint": "loud"}, "textDisplayHint"),
        (
            {
                "type": "enumeration",
                "fieldType": "select",
                "options": [{"label": "A", "value": "a", "hidden": "x"}],
            },
            "hidden",
        ),
        (
            {
                "type": "enumeration",
                "fieldType": "select",
                "options": [{"label": "A", "value": "a", "description": 3}],
            },
            "description",
        ),
    ],
)
async def test_property_create_refuses_wrongly_typed_optional_attributes(
    client: httpx.AsyncClient, portal: dict[str, Any], extra: dict[str, Any], needle: str
) -> None:
    h = portal["headers"]
    r = await client.post(P, headers=h, json={**BASE, "name": "typed_probe", **extra})
    assert needle in _refused(r)["message"]
    assert (await client.get(f"{P}/typed_probe", headers=h)).status_code == 404


@pytest.mark.parametrize(
    "extra", [{"hidden": "x"}, {"formField": "x"}, {"description": 1}, {"textDisplayHint": 2}]
)
async def test_property_update_refuses_wrongly_typed_attributes(
    client: httpx.AsyncClient, portal: dict[str, Any], extra: dict[str, Any]
) -> None:
    h = portal["headers"]
    assert (await client.post(P, headers=h, json={**BASE, "name": "typed_probe"})).status_code == 201
    _refused(await client.patch(f"{P}/typed_probe", headers=h, json={"label": "Changed", **extra}))
    assert (await client.get(f"{P}/typed_probe", headers=h)).json()["label"] == "Audit"


async def test_property_batch_errors_are_complete_standard_errors(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    r = await client.post(
        f"{P}/batch/read",
        headers=portal["headers"],
        json={"inputs": [{"name": "email"}, {"name": "no_such"}]},
    )
    assert r.status_code == 207, r.text
    (error,) = r.json()["errors"]
    assert error["status"] == "error" and error["category"] == "OBJECT_NOT_FOUND"
    assert isinstance(error["message"], str) and error["context"] == {"name": ["no_such"]}
    assert error["errors"] == [] and error["links"] == {}
    sdk_load("properties", r.json(), "BatchResponsePropertyWithErrors")


@pytest.mark.parametrize(
    "body",
    [
        {"label": "Renamed"},
        {"associationTypeId": "abc", "label": "Renamed"},
        {"associationTypeId": True, "label": "x"},
    ],
)
@pytest.mark.parametrize("base", ["/hubspot/crm/v4/associations", "/hubspot/crm/associations/v4"])
async def test_label_update_without_an_integer_type_id_is_a_400(
    client: httpx.AsyncClient, portal: dict[str, Any], body: dict[str, Any], base: str
) -> None:
    h, labels = portal["headers"], f"{base}/contacts/companies/labels"
    made = await client.post(labels, headers=h, json={"label": "Mentor", "name": "mentor"})
    assert made.status_code == 200, made.text
    _refused(await client.put(labels, headers=h, json=body))
    assert "Mentor" in [x["label"] for x in (await client.get(labels, headers=h)).json()["results"]]


@pytest.mark.parametrize("route", ["read", "update", "archive"])
async def test_batch_input_id_must_be_a_string(
    client: httpx.AsyncClient, portal: dict[str, Any], route: str
) -> None:
    item: dict[str, Any] = {"id": {"value": "1"}}
    if route == "update":
        item["properties"] = {"firstname": "X"}
    r = await client.post(
        f"/hubspot/crm/v3/objects/contacts/batch/{route}", headers=portal["headers"], json={"inputs": [item]}
    )
    assert "'id' must be a string" in _refused(r)["message"]


async def test_batch_input_numeric_id_is_read_as_its_digits(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    first = (await client.get("/hubspot/crm/v3/objects/contacts", headers=h, params={"limit": 1})).json()
    rid = first["results"][0]["id"]
    r = await client.post(
        "/hubspot/crm/v3/objects/contacts/batch/read", headers=h, json={"inputs": [{"id": int(rid)}]}
    )
    assert r.status_code == 200 and [x["id"] for x in r.json()["results"]] == [rid], r.text


async def test_schema_batch_read(client: httpx.AsyncClient) -> None:
    ent = await new_portal(client, tier="enterprise")
    h = ent["headers"]
    made = await client.post(S, headers=h, json=PETS)
    assert made.status_code == 201, made.text
    type_id = made.json()["objectTypeId"]
    flags = {
        "includeAssociationDefinitions": True,
        "includeAuditMetadata": False,
        "includePropertyDefinitions": True,
    }
    r = await client.post(
        f"{S}/batch/read", headers=h, json={"inputs": [type_id, "pets", "2-999999"], **flags}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"results"} and [s["objectTypeId"] for s in body["results"]] == [type_id]
    schema = body["results"][0]
    for key, kind in {
        "id": str, "objectTypeId": str, "name": str, "fullyQualifiedName": str, "labels": dict,
        "requiredProperties": list, "searchableProperties": list, "secondaryDisplayProperties": list,
        "properties": list, "associations": list, "archived": bool, "createdAt": str, "updatedAt": str,
    }.items():  # fmt: skip
        assert isinstance(schema[key], kind), key
    sdk_load("schemas", body, "CollectionResponseObjectSchemaNoPaging")


@pytest.mark.parametrize(
    "body",
    [{}, {"inputs": "pets"}, {"inputs": [1]}, {"inputs": ["pets"], "includePropertyDefinitions": "yes"}],
)
async def test_schema_batch_read_refusals(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    ent = await new_portal(client, tier="enterprise")
    _refused(await client.post(f"{S}/batch/read", headers=ent["headers"], json=body))


# Where the sandbox follows the live service rather than the published response models.


async def test_v4_association_ids_are_json_numbers_and_unlabelled_types_have_null_label(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    """The models type ``toObjectId``/``fromObjectId`` as strings and ``label`` as a string; the service
    sends numbers (ids beyond 32 bits broke an SDK that read them as int32) and ``null`` for no label."""
    h = portal["headers"]
    contact = (await client.get("/hubspot/crm/v3/objects/contacts", headers=h, params={"limit": 1})).json()
    company = (await client.get("/hubspot/crm/v3/objects/companies", headers=h, params={"limit": 1})).json()
    cid, coid = contact["results"][0]["id"], company["results"][0]["id"]
    base = f"/hubspot/crm/v4/objects/contacts/{cid}/associations/companies"
    r = await client.put(
        f"{base}/{coid}",
        headers=h,
        json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
    )
    assert r.status_code == 201, r.text
    assert r.json()["fromObjectId"] == int(cid) and r.json()["toObjectId"] == int(coid)
    listed = (await client.get(base, headers=h)).json()["results"]
    entry = next(x for x in listed if x["toObjectId"] == int(coid))
    assert {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None} in entry["associationTypes"]


async def test_requested_properties_without_a_value_are_null(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    """The models type property values as strings; the service answers ``null`` for an unset one asked for."""
    h = portal["headers"]
    made = await client.post(
        "/hubspot/crm/v3/objects/contacts", headers=h, json={"properties": {"email": "bare@example.com"}}
    )
    rid = made.json()["id"]
    r = await client.get(
        f"/hubspot/crm/v3/objects/contacts/{rid}", headers=h, params={"properties": "firstname"}
    )
    assert r.status_code == 200 and r.json()["properties"]["firstname"] is None

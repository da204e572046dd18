"""Batch read/create/update/upsert/archive, their limits, and 207 partial answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import property_errors, sdk_load

pytestmark = pytest.mark.anyio
C = "/hubspot/crm/v3/objects"


async def _batch(
    client: httpx.AsyncClient, portal: dict[str, Any], kind: str, op: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"{C}/{kind}/batch/{op}", headers=portal["headers"], json=body)


async def _contact_ids(client: httpx.AsyncClient, portal: dict[str, Any], n: int) -> list[str]:
    r = await client.get(f"{C}/contacts", headers=portal["headers"], params={"limit": str(n)})
    return [x["id"] for x in r.json()["results"]]


async def test_batch_read_and_missing_ids(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    ids = await _contact_ids(client, portal, 3)
    r = await _batch(
        client, portal, "contacts", "read", {"inputs": [{"id": i} for i in ids], "properties": ["email"]}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "COMPLETE" and {"startedAt", "completedAt"} <= set(body)
    assert sorted(x["id"] for x in body["results"]) == sorted(ids)
    sdk_load("objects", body, "BatchResponseSimplePublicObject")
    r = await _batch(
        client, portal, "contacts", "read", {"inputs": [{"id": ids[0]}, {"id": "555"}], "properties": []}
    )
    assert r.status_code == 207
    body = r.json()
    assert body["numErrors"] == 1 and len(body["results"]) == 1
    err = body["errors"][0]
    assert err["category"] == "OBJECT_NOT_FOUND" and err["context"] == {"ids": ["555"]}
    assert "CONTACT" in err["message"]
    sdk_load("objects", body, "BatchResponseSimplePublicObjectWithErrors")


async def test_batch_read_by_email_with_history(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{C}/contacts", headers=portal["headers"], params={"limit": "2"})
    emails = [x["properties"]["email"] for x in r.json()["results"]]
    r = await _batch(
        client,
        portal,
        "contacts",
        "read",
        {
            "idProperty": "email",
            "inputs": [{"id": e.upper()} for e in emails],
            "properties": ["email"],
            "propertiesWithHistory": ["email"],
        },
    )
    assert r.status_code == 200
    results = r.json()["results"]
    assert sorted(x["properties"]["email"] for x in results) == sorted(emails)
    assert all(x["propertiesWithHistory"]["email"][0]["value"] == x["properties"]["email"] for x in results)


async def test_batch_limits(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await _batch(
        client, portal, "contacts", "read", {"inputs": [{"id": str(i)} for i in range(101)], "properties": []}
    )
    assert r.status_code == 400 and "100" in r.json()["message"]
    body = {
        "inputs": [{"id": str(i)} for i in range(51)],
        "properties": [],
        "propertiesWithHistory": ["email"],
    }
    r = await _batch(client, portal, "contacts", "read", body)
    assert r.status_code == 400 and "50" in r.json()["message"]
    r = await _batch(
        client, portal, "contacts", "create", {"inputs": [{"properties": {}} for _ in range(101)]}
    )
    assert r.status_code == 400
    r = await _batch(client, portal, "contacts", "read", {"inputs": "nope"})
    assert r.status_code == 400


async def test_batch_create_all_or_nothing(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    ids = await _contact_ids(client, portal, 1)
    inputs = [
        {
            "properties": {"email": "n1@example.com", "firstname": "N1"},
            "associations": [
                {
                    "to": {"id": ids[0]},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
                }
            ],
        },
        {"properties": {"email": "n2@example.com"}},
    ]
    # a company associated to a contact via "Primary" (contact→company type 1) is wrong: from companies the id is 2
    r = await _batch(
        client,
        portal,
        "companies",
        "create",
        {"inputs": [{"properties": {"name": "X"}, "associations": inputs[0]["associations"]}]},
    )
    assert r.status_code == 400
    r = await _batch(
        client,
        portal,
        "contacts",
        "create",
        {"inputs": [inputs[1], {"properties": {"email": "n3@example.com", "bogus": "1"}}]},
    )
    assert r.status_code == 400 and property_errors(r.json())[0]["name"] == "bogus"
    assert (
        await client.get(f"{C}/contacts/n2@example.com", headers=h, params={"idProperty": "email"})
    ).status_code == 404
    company = (await client.get(f"{C}/companies", headers=h, params={"limit": "1"})).json()["results"][0][
        "id"
    ]
    inputs[0]["associations"][0]["to"]["id"] = company  # type: ignore[index]
    r = await _batch(client, portal, "contacts", "create", {"inputs": inputs})
    assert r.status_code == 201, r.text
    body = r.json()
    assert [x["properties"]["email"] for x in body["results"]] == ["n1@example.com", "n2@example.com"]
    sdk_load("objects", body, "BatchResponseSimplePublicObject")
    got = await client.get(
        f"{C}/contacts/{body['results'][0]['id']}", headers=h, params={"associations": "companies"}
    )
    assert got.json()["associations"]["companies"]["results"] == [
        {"id": company, "type": "contact_to_company"}
    ]


async def test_batch_create_duplicate_email_conflict(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    john = (await client.get(f"{C}/contacts", headers=h, params={"limit": "1"})).json()["results"][0]
    r = await _batch(
        client,
        portal,
        "contacts",
        "create",
        {
            "inputs": [
                {"properties": {"email": "fresh@example.com"}},
                {"properties": {"email": john["properties"]["email"]}},
            ]
        },
    )
    assert r.status_code == 409
    assert r.json()["message"] == f"Contact already exists. Existing ID: {john['id']}"
    assert (
        await client.get(f"{C}/contacts/fresh@example.com", headers=h, params={"idProperty": "email"})
    ).status_code == 404
    r = await _batch(
        client,
        portal,
        "contacts",
        "create",
        {
            "inputs": [
                {"properties": {"email": "twin@example.com"}},
                {"properties": {"email": "TWIN@example.com"}},
            ]
        },
    )
    assert r.status_code == 400 and "twin@example.com" in r.json()["message"]


async def test_batch_create_partial_207_with_trace_ids(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    john = (await client.get(f"{C}/contacts", headers=h, params={"limit": "1"})).json()["results"][0]
    inputs = [
        {"properties": {"email": "ok1@example.com"}, "objectWriteTraceId": "a"},
        {"properties": {"email": john["properties"]["email"]}, "objectWriteTraceId": "b"},
        {"properties": {"email": "ok2@example.com", "lifecyclestage": "nope"}, "objectWriteTraceId": "c"},
        {"properties": {"email": "ok3@example.com"}, "objectWriteTraceId": "d"},
    ]
    r = await _batch(client, portal, "contacts", "create", {"inputs": inputs})
    assert r.status_code == 207
    body = r.json()
    assert body["numErrors"] == 2
    assert sorted(x["properties"]["email"] for x in body["results"]) == ["ok1@example.com", "ok3@example.com"]
    by_trace = {e["context"]["objectWriteTraceId"][0]: e for e in body["errors"]}
    assert by_trace["b"]["category"] == "CONFLICT" and john["id"] in by_trace["b"]["message"]
    assert by_trace["c"]["category"] == "VALIDATION_ERROR" and "INVALID_OPTION" in by_trace["c"]["message"]
    sdk_load("objects", body, "BatchResponseSimplePublicObjectWithErrors")
    assert (
        await client.get(f"{C}/contacts/ok3@example.com", headers=h, params={"idProperty": "email"})
    ).status_code == 200


async def test_batch_update(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    ids = await _contact_ids(client, portal, 2)
    r = await _batch(
        client,
        portal,
        "contacts",
        "update",
        {"inputs": [{"id": i, "properties": {"jobtitle": f"T{i}"}} for i in ids]},
    )
    assert r.status_code == 200
    for i in ids:
        got = await client.get(f"{C}/contacts/{i}", headers=h, params={"properties": "jobtitle"})
        assert got.json()["properties"]["jobtitle"] == f"T{i}"
    r = await _batch(
        client,
        portal,
        "contacts",
        "update",
        {"inputs": [{"id": ids[0], "properties": {}}, {"id": ids[0], "properties": {}}]},
    )
    assert r.status_code == 400 and "Duplicate IDs" in r.json()["message"]
    r = await _batch(
        client,
        portal,
        "contacts",
        "update",
        {"inputs": [{"id": ids[0], "properties": {"city": "Oslo"}}, {"id": "777", "properties": {}}]},
    )
    assert r.status_code == 207 and r.json()["errors"][0]["context"] == {"ids": ["777"]}
    r = await _batch(
        client,
        portal,
        "contacts",
        "update",
        {
            "inputs": [
                {"id": ids[0], "properties": {"city": "Rome"}},
                {"id": ids[1], "properties": {"nope": "1"}},
            ]
        },
    )
    assert r.status_code == 400
    got = await client.get(f"{C}/contacts/{ids[0]}", headers=h, params={"properties": "city"})
    assert got.json()["properties"]["city"] == "Oslo"  # all-or-nothing


async def test_batch_upsert_new_flags(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    john = (await client.get(f"{C}/contacts", headers=h, params={"limit": "1"})).json()["results"][0]
    inputs = [
        {"id": john["properties"]["email"], "idProperty": "email", "properties": {"jobtitle": "Chief"}},
        {"id": "brand.new@example.com", "idProperty": "email", "properties": {"firstname": "Brand"}},
    ]
    r = await _batch(client, portal, "contacts", "upsert", {"inputs": inputs})
    assert r.status_code == 200, r.text
    body = r.json()
    flags = {x["properties"]["email"]: x["new"] for x in body["results"]}
    assert flags == {john["properties"]["email"]: False, "brand.new@example.com": True}
    sdk_load("objects", body, "BatchResponseSimplePublicUpsertObject")
    got = await client.get(f"{C}/contacts/{john['id']}", headers=h, params={"properties": "jobtitle"})
    assert got.json()["properties"]["jobtitle"] == "Chief"
    r = await _batch(client, portal, "contacts", "upsert", {"inputs": [{"id": "x", "properties": {}}]})
    assert r.status_code == 400 and "idProperty" in r.json()["message"]
    r = await _batch(
        client,
        portal,
        "contacts",
        "upsert",
        {"inputs": [{"id": "x", "idProperty": "firstname", "properties": {}}]},
    )
    assert r.status_code == 400


async def test_batch_archive(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    ids = await _contact_ids(client, portal, 2)
    r = await _batch(
        client, portal, "contacts", "archive", {"inputs": [{"id": i} for i in ids] + [{"id": "999"}]}
    )
    assert r.status_code == 204
    for i in ids:
        assert (await client.get(f"{C}/contacts/{i}", headers=h)).status_code == 404
    r = await _batch(
        client, portal, "contacts", "read", {"inputs": [{"id": i} for i in ids], "properties": []}
    )
    assert r.status_code == 207
    r = await client.post(
        f"{C}/contacts/batch/read",
        headers=h,
        params={"archived": "true"},
        json={"inputs": [{"id": i} for i in ids], "properties": []},
    )
    assert r.status_code == 200 and all(x["archived"] for x in r.json()["results"])

"""Record CRUD on /crm/v3/objects: list paging, reads, creates with inline associations, updates, archive."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import new_portal, sdk_load

pytestmark = pytest.mark.anyio
C = "/hubspot/crm/v3/objects"


async def _create(
    client: httpx.AsyncClient, h: dict[str, str], kind: str, props: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    r = await client.post(f"{C}/{kind}", headers=h, json={"properties": props, **extra})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_list_pages_through_every_contact_once(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        params = {"limit": "20", **({"after": after} if after else {})}
        r = await client.get(f"{C}/contacts", headers=h, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        pages += 1
        seen += [x["id"] for x in body["results"]]
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        assert "after=" in body["paging"]["next"]["link"]
    assert len(seen) == len(set(seen)) == 50
    assert pages == 3
    first = (await client.get(f"{C}/contacts", headers=h)).json()
    assert len(first["results"]) == 10  # default limit
    assert set(first["results"][0]["properties"]) >= {
        "email",
        "firstname",
        "lastname",
        "hs_object_id",
        "createdate",
    }
    sdk_load("objects", first, "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging")


async def test_list_limit_over_100_is_rejected(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{C}/contacts", headers=portal["headers"], params={"limit": "101"})
    assert r.status_code == 400
    assert r.json()["category"] == "VALIDATION_ERROR"


async def test_unknown_object_type_is_400(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{C}/widgets", headers=portal["headers"])
    assert r.status_code == 400
    assert r.json()["message"] == "Unable to infer object type from: widgets"


async def test_create_read_by_name_and_type_id(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    made = await _create(
        client, h, "contacts", {"email": "Ada@Example.com", "firstname": "Ada", "lastname": 7}
    )
    assert made["properties"]["email"] == "ada@example.com"
    assert made["properties"]["lastname"] == "7"  # numbers are coerced to strings
    assert made["properties"]["hs_object_id"] == made["id"]
    assert made["properties"]["createdate"] == made["createdAt"]
    sdk_load("objects", made, "SimplePublicObject")
    for ref in ("contacts", "0-1", "contact"):
        r = await client.get(f"{C}/{ref}/{made['id']}", headers=h, params={"properties": "firstname,email"})
        assert r.status_code == 200, r.text
        assert r.json()["properties"]["firstname"] == "Ada"
    r = await client.get(f"{C}/contacts/ADA@example.com", headers=h, params={"idProperty": "email"})
    assert r.status_code == 200 and r.json()["id"] == made["id"]


async def test_id_property_must_be_unique(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{C}/contacts/John", headers=portal["headers"], params={"idProperty": "firstname"})
    assert r.status_code == 400
    assert "email" in r.json()["message"]


async def test_unknown_id_is_404(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{C}/contacts/999999", headers=portal["headers"])
    assert r.status_code == 404
    assert r.json()["category"] == "OBJECT_NOT_FOUND"
    r = await client.patch(f"{C}/contacts/999999", headers=portal["headers"], json={"properties": {}})
    assert r.status_code == 404


async def test_update_and_history(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    made = await _create(client, h, "companies", {"name": "Acme", "city": "Boston"})
    cid = made["id"]
    r1 = await client.patch(f"{C}/companies/{cid}", headers=h, json={"properties": {"city": "Denver"}})
    assert r1.status_code == 200 and r1.json()["properties"]["city"] == "Denver"
    r2 = await client.patch(f"{C}/companies/{cid}", headers=h, json={"properties": {"city": "Austin"}})
    assert r2.status_code == 200
    r = await client.get(f"{C}/companies/{cid}", headers=h, params={"propertiesWithHistory": "city"})
    body = r.json()
    assert [e["value"] for e in body["propertiesWithHistory"]["city"]] == ["Austin", "Denver", "Boston"]
    assert all(e["sourceType"] == "API" for e in body["propertiesWithHistory"]["city"])
    sdk_load("objects", body, "SimplePublicObjectWithAssociations")
    # clearing with an empty string
    await client.patch(f"{C}/companies/{cid}", headers=h, json={"properties": {"city": ""}})
    r = await client.get(f"{C}/companies/{cid}", headers=h, params={"properties": "city"})
    assert r.json()["properties"]["city"] is None


async def test_patch_by_email(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    made = await _create(client, h, "contacts", {"email": "pat@example.com"})
    r = await client.patch(
        f"{C}/contacts/pat@example.com",
        headers=h,
        params={"idProperty": "email"},
        json={"properties": {"jobtitle": "CTO"}},
    )
    assert r.status_code == 200 and r.json()["id"] == made["id"]
    assert r.json()["properties"]["jobtitle"] == "CTO"


async def test_archive_hides_record_and_its_associations(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    company = await _create(client, h, "companies", {"name": "Gone Inc"})
    contact = await _create(
        client,
        h,
        "contacts",
        {"email": "keep@example.com"},
        associations=[
            {
                "to": {"id": company["id"]},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
            }
        ],
    )
    r = await client.get(f"{C}/contacts/{contact['id']}", headers=h, params={"associations": "companies"})
    assert r.json()["associations"]["companies"]["results"] == [
        {"id": company["id"], "type": "contact_to_company_unlabeled"}
    ]
    assert (await client.delete(f"{C}/companies/{company['id']}", headers=h)).status_code == 204
    assert (await client.get(f"{C}/companies/{company['id']}", headers=h)).status_code == 404
    archived = await client.get(f"{C}/companies/{company['id']}", headers=h, params={"archived": "true"})
    assert (
        archived.status_code == 200
        and archived.json()["archived"] is True
        and "archivedAt" in archived.json()
    )
    r = await client.get(f"{C}/contacts/{contact['id']}", headers=h, params={"associations": "companies"})
    assert "associations" not in r.json()
    listed = (await client.get(f"{C}/companies", headers=h, params={"archived": "true"})).json()
    assert [x["id"] for x in listed["results"]] == [company["id"]]
    live = [
        x["id"]
        for x in (await client.get(f"{C}/companies", headers=h, params={"limit": "100"})).json()["results"]
    ]
    assert company["id"] not in live
    # archiving an unknown id is still 204, as HubSpot does
    assert (await client.delete(f"{C}/companies/424242", headers=h)).status_code == 204


async def test_inline_association_errors(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    contacts = (await client.get(f"{C}/contacts", headers=h, params={"limit": "1"})).json()["results"]
    body = {
        "properties": {"hs_timestamp": "2025-01-01T10:00:00Z", "hs_note_body": "hello"},
        "associations": [
            {
                "to": {"id": "987654321"},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
            }
        ],
    }
    r = await client.post(f"{C}/notes", headers=h, json=body)
    assert r.status_code == 400 and "987654321" in r.json()["message"]
    body["associations"][0]["to"]["id"] = contacts[0]["id"]  # type: ignore[index]
    body["associations"][0]["types"][0]["associationTypeId"] = 279  # type: ignore[index]
    r = await client.post(f"{C}/notes", headers=h, json=body)
    assert r.status_code == 400 and "279" in r.json()["message"]
    before = len((await client.get(f"{C}/notes", headers=h, params={"limit": "100"})).json()["results"])
    assert before == 30  # nothing was written by the failed creates
    body["associations"][0]["types"][0]["associationTypeId"] = 202  # type: ignore[index]
    r = await client.post(f"{C}/notes", headers=h, json=body)
    assert r.status_code == 201
    got = await client.get(
        f"{C}/notes/{r.json()['id']}",
        headers=h,
        params={"associations": "contacts", "properties": "hs_note_body"},
    )
    assert got.json()["associations"]["contacts"]["results"][0]["id"] == contacts[0]["id"]
    assert got.json()["properties"]["hs_note_body"] == "hello"


async def test_list_with_associations(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(
        f"{C}/deals", headers=portal["headers"], params={"associations": "companies,contacts", "limit": "5"}
    )
    results = r.json()["results"]
    assert all("associations" in d for d in results)
    types = {a["type"] for d in results for a in d["associations"].get("companies", {}).get("results", [])}
    assert types == {"deal_to_company", "deal_to_company_unlabeled"}


async def test_custom_object_crud_by_type_id_and_name(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    h = portal["headers"]
    schema = (await client.get("/hubspot/crm-object-schemas/v3/schemas", headers=h)).json()["results"][0]
    type_id, fqn = schema["objectTypeId"], schema["fullyQualifiedName"]
    made = await _create(client, h, type_id, {"vin": "1HGCM82633A004352", "make": "Honda", "year": "2020"})
    for ref in (type_id, "cars", fqn):
        r = await client.get(f"{C}/{ref}/{made['id']}", headers=h, params={"properties": "make,year"})
        assert r.status_code == 200 and r.json()["properties"]["make"] == "Honda"
    r = await client.patch(f"{C}/cars/{made['id']}", headers=h, json={"properties": {"model": "Accord"}})
    assert r.json()["properties"]["model"] == "Accord"
    r = await client.get(f"{C}/cars/1HGCM82633A004352", headers=h, params={"idProperty": "vin"})
    assert r.status_code == 200 and r.json()["id"] == made["id"]
    listed = (await client.get(f"{C}/{type_id}", headers=h, params={"limit": "100"})).json()["results"]
    assert len(listed) == 11
    assert (await client.delete(f"{C}/{fqn}/{made['id']}", headers=h)).status_code == 204
    assert (await client.get(f"{C}/cars/{made['id']}", headers=h)).status_code == 404


async def test_portals_never_see_each_other(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    other = await new_portal(client, seed=7)
    made = await _create(client, portal["headers"], "contacts", {"email": "mine@example.com"})
    r = await client.get(f"{C}/contacts/{made['id']}", headers=other["headers"])
    assert r.status_code == 404
    r = await client.get(
        f"{C}/contacts/mine@example.com", headers=other["headers"], params={"idProperty": "email"}
    )
    assert r.status_code == 404
    # the same email may exist in both portals
    r = await client.post(
        f"{C}/contacts", headers=other["headers"], json={"properties": {"email": "mine@example.com"}}
    )
    assert r.status_code == 201


async def test_scopes_are_checked(client: httpx.AsyncClient, sandbox: Any, portal: dict[str, Any]) -> None:
    sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read",)
    h = portal["headers"]
    assert (await client.get(f"{C}/contacts", headers=h)).status_code == 200
    r = await client.post(f"{C}/contacts", headers=h, json={"properties": {"email": "x@example.com"}})
    assert r.status_code == 403 and r.json()["category"] == "MISSING_SCOPES"
    assert (await client.get(f"{C}/cars", headers=h)).status_code == 403
    r = await client.get(f"{C}/deals", headers=h)
    assert r.status_code == 403
    assert "crm.objects.deals.read" in r.json()["errors"][0]["context"]["requiredGranularScopes"]

"""Record merges and the GDPR delete of contacts: the merged record keeps the primary's id and values,
takes the other's missing values and associations; invalid bodies are 400s in HubSpot's error schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
OBJ = "/hubspot/crm/v3/objects"
V4 = "/hubspot/crm/v4/objects"


async def _create(client: httpx.AsyncClient, portal: dict[str, Any], kind: str, props: dict[str, str]) -> str:
    r = await client.post(f"{OBJ}/{kind}", headers=portal["headers"], json={"properties": props})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_contact_merge(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    primary = await _create(client, portal, "contacts", {"email": "keep@example.com", "firstname": "Ada"})
    other = await _create(client, portal, "contacts", {"email": "old@example.com", "firstname": "A.",
                                                        "phone": "+15550100"})  # fmt: skip
    company = await _create(client, portal, "companies", {"name": "Merge Co"})
    r = await client.put(
        f"/hubspot/crm/v4/objects/contacts/{other}/associations/default/companies/{company}", headers=h
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"{OBJ}/contacts/merge", headers=h, json={"primaryObjectId": primary, "objectIdToMerge": other}
    )
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["id"] == primary and set(merged) >= {
        "id",
        "properties",
        "createdAt",
        "updatedAt",
        "archived",
    }
    props = merged["properties"]
    assert (props["email"], props["firstname"], props["phone"]) == ("keep@example.com", "Ada", "+15550100")
    assert props["hs_merged_object_ids"] == other
    assert (await client.get(f"{OBJ}/contacts/{other}", headers=h)).status_code == 404
    links = (await client.get(f"{V4}/contacts/{primary}/associations/companies", headers=h)).json()["results"]
    assert [str(x["toObjectId"]) for x in links] == [company]


@pytest.mark.parametrize("kind", ["companies", "deals", "tickets"])
async def test_other_types_merge(client: httpx.AsyncClient, portal: dict[str, Any], kind: str) -> None:
    name = {"companies": "name", "deals": "dealname", "tickets": "subject"}[kind]
    more = {"companies": "description", "deals": "amount", "tickets": "content"}[kind]
    extra = {"tickets": {"hs_pipeline_stage": "1", "hs_pipeline": "0"},
             "deals": {"dealstage": "appointmentscheduled", "pipeline": "default"}}.get(kind, {})  # fmt: skip
    a = await _create(client, portal, kind, {name: "A", **extra})
    b = await _create(client, portal, kind, {name: "B", more: "12", **extra})
    r = await client.post(
        f"{OBJ}/{kind}/merge", headers=portal["headers"], json={"primaryObjectId": a, "objectIdToMerge": b}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["properties"][name], r.json()["properties"][more]) == ("A", "12")


@pytest.mark.parametrize(
    ("body", "status", "category", "words"),
    [
        ({}, 400, "VALIDATION_ERROR", "Cannot build PublicMergeInput"),
        ({"primaryObjectId": "1"}, 400, "VALIDATION_ERROR", "[objectIdToMerge]"),
        ({"primaryObjectId": "{a}", "objectIdToMerge": "{a}"}, 400, "VALIDATION_ERROR", "itself"),
        ({"primaryObjectId": "{a}", "objectIdToMerge": "999999999"}, 404, "OBJECT_NOT_FOUND", "999999999"),
        ({"primaryObjectId": ["x"], "objectIdToMerge": "{a}"}, 400, "VALIDATION_ERROR", "must be a string"),
    ],
)
async def test_invalid_merges(
    client: httpx.AsyncClient,
    portal: dict[str, Any],
    body: dict[str, Any],
    status: int,
    category: str,
    words: str,
) -> None:
    a = await _create(client, portal, "contacts", {"email": "solo@example.com"})
    filled = {k: v.replace("{a}", a) if isinstance(v, str) else v for k, v in body.items()}
    r = await client.post(f"{OBJ}/contacts/merge", headers=portal["headers"], json=filled)
    assert r.status_code == status, r.text
    err = r.json()
    assert err["status"] == "error" and err["category"] == category and words in err["message"]
    assert "correlationId" in err
    assert (await client.get(f"{OBJ}/contacts/{a}", headers=portal["headers"])).status_code == 200


async def test_unmergeable_type(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    a = await _create(client, portal, "products", {"name": "A"})
    b = await _create(client, portal, "products", {"name": "B"})
    r = await client.post(
        f"{OBJ}/products/merge", headers=portal["headers"], json={"primaryObjectId": a, "objectIdToMerge": b}
    )
    assert r.status_code == 400 and "not supported" in r.json()["message"]


async def test_gdpr_delete(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    a = await _create(client, portal, "contacts", {"email": "forget@example.com"})
    b = await _create(client, portal, "contacts", {"email": "forget-too@example.com"})
    r = await client.post(f"{OBJ}/contacts/gdpr-delete", headers=h, json={"objectId": a})
    assert r.status_code == 204 and r.content == b""
    assert (await client.get(f"{OBJ}/contacts/{a}", headers=h)).status_code == 404
    assert (
        await client.get(f"{OBJ}/contacts/{a}", headers=h, params={"archived": "true"})
    ).status_code == 404
    r = await client.post(f"{OBJ}/contacts/gdpr-delete", headers=h,
                          json={"objectId": "forget-too@example.com", "idProperty": "email"})  # fmt: skip
    assert r.status_code == 204
    assert (await client.get(f"{OBJ}/contacts/{b}", headers=h)).status_code == 404
    again = await client.post(f"{OBJ}/contacts/gdpr-delete", headers=h, json={"objectId": a})
    assert again.status_code == 404 and again.json()["category"] == "OBJECT_NOT_FOUND"
    bad = await client.post(f"{OBJ}/contacts/gdpr-delete", headers=h, json={"idProperty": "email"})
    assert bad.status_code == 400 and "PublicGdprDeleteInput" in bad.json()["message"]

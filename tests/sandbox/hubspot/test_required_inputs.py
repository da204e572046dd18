"""Bodies lacking what HubSpot's published schemas require are refused whole with a 400 (issue 15).

The table encodes, as our own data, which attributes each request schema requires (from HubSpot's public
spec collection). ``associations`` on creates is required by the spec but not by the live service (the
official clients leave it out), so the sandbox keeps it optional; see docs/decisions/017.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
C = "/hubspot/crm/v3/objects/contacts"
A = "/hubspot/crm/v4/associations/contacts/companies/batch"

#: (method, path, body, schema named in the error, missing attribute).
CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("POST", C, {}, "SimplePublicObjectInputForCreate", "properties"),
    ("POST", C, {"properties": None}, "SimplePublicObjectInputForCreate", "properties"),
    ("PATCH", C + "/{cid}", {}, "SimplePublicObjectInput", "properties"),
    (
        "POST",
        C + "/batch/create",
        {"inputs": [{"properties": {"email": "ok@example.com"}}, {"associations": []}]},
        "SimplePublicObjectBatchInputForCreate",
        "properties",
    ),
    ("POST", C + "/batch/update", {"inputs": [{"properties": {}}]}, "SimplePublicObjectBatchInput", "id"),
    (
        "POST",
        C + "/batch/update",
        {"inputs": [{"id": "{cid}"}]},
        "SimplePublicObjectBatchInput",
        "properties",
    ),
    (
        "POST",
        C + "/batch/upsert",
        {"inputs": [{"idProperty": "email", "properties": {}}]},
        "SimplePublicObjectBatchInputUpsert",
        "id",
    ),
    ("POST", C + "/batch/archive", {"inputs": [{"id": "{cid}"}, {}]}, "SimplePublicObjectId", "id"),
    ("POST", C + "/batch/read", {"inputs": [{"id": None}], "properties": []}, "SimplePublicObjectId", "id"),
    ("POST", A + "/read", {"inputs": [{}]}, "PublicFetchAssociationsBatchRequest", "id"),
    (
        "POST",
        A + "/create",
        {"inputs": [{"from": {"id": "{cid}"}, "to": {"id": "1"}}]},
        "PublicAssociationMultiPost",
        "types",
    ),
    (
        "POST",
        A + "/associate/default",
        {"inputs": [{"to": {"id": "1"}}]},
        "PublicDefaultAssociationMultiPost",
        "from",
    ),
    ("POST", A + "/archive", {"inputs": [{"from": {"id": "{cid}"}}]}, "PublicAssociationMultiArchive", "to"),
]


def _fill(value: Any, cid: str) -> Any:
    if isinstance(value, str):
        return value.replace("{cid}", cid)
    if isinstance(value, list):
        return [_fill(v, cid) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, cid) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "schema", "attr"), CASES)
async def test_missing_required_attribute_is_a_400_and_writes_nothing(
    client: httpx.AsyncClient,
    portal: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any],
    schema: str,
    attr: str,
) -> None:
    listed = await client.get(C, headers=portal["headers"], params={"limit": "1"})
    cid = listed.json()["results"][0]["id"]
    before = (await client.get(f"{C}/{cid}", headers=portal["headers"])).json()
    r = await client.request(method, _fill(path, cid), headers=portal["headers"], json=_fill(body, cid))
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["category"] == "VALIDATION_ERROR" and {"status", "message", "correlationId"} <= set(err)
    assert schema in err["message"] and f"[{attr}" in err["message"], err["message"]
    after = await client.get(f"{C}/{cid}", headers=portal["headers"])
    assert after.status_code == 200 and after.json()["updatedAt"] == before["updatedAt"]
    created = await client.post(
        C + "/search",
        headers=portal["headers"],
        json={
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": "ok@example.com"}]}
            ]
        },
    )
    assert created.json()["total"] == 0


async def test_empty_properties_object_is_still_accepted(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    r = await client.post(C, headers=portal["headers"], json={"properties": {}})
    assert r.status_code == 201, r.text
    r = await client.post(
        C + "/batch/create", headers=portal["headers"], json={"inputs": [{"properties": {}}]}
    )
    assert r.status_code == 201, r.text

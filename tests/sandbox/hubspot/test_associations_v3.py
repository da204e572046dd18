"""Associations v3 (batch read/create/archive, types) over the same store v4 serves: shapes per the SDK
models, v3↔v4 consistency, errors, scopes and configured limits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hubspot.crm.associations import ApiClient
from hubspot.crm.associations.schema import ApiClient as SchemaApiClient

from crmbridge_sandbox import Sandbox

from .helpers import Hub, empty_hub

pytestmark = pytest.mark.anyio

V3 = "/crm/v3/associations"
V4 = "/crm/v4/objects"


def sdk(data: Any, model: str, *, schema: bool = False) -> Any:
    """Deserialise like the official SDK; raises if a required field is missing or mistyped."""
    client = SchemaApiClient() if schema else ApiClient()
    return client._ApiClient__deserialize(data, model)  # type: ignore[attr-defined]


@pytest.fixture
def hub(sandbox: Sandbox, client: httpx.AsyncClient) -> Hub:
    return empty_hub(sandbox, client)


def pair(a: Any, b: Any, kind: str) -> dict[str, Any]:
    return {"from": {"id": str(a.id)}, "to": {"id": str(b.id)}, "type": kind}


async def test_types_name_every_v4_type(hub: Hub) -> None:
    r = await hub.request("GET", f"{V3}/contacts/companies/types")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {"results": [
        {"id": "279", "name": "contact_to_company_unlabeled"},
        {"id": "1", "name": "contact_to_company"},
    ]}  # fmt: skip
    assert (
        sdk(body, "CollectionResponsePublicAssociationDefinitionNoPaging", schema=True).results[0].id == "279"
    )
    r = await hub.request("GET", f"{V3}/deal/contact/types")
    assert r.json()["results"] == [{"id": "3", "name": "deal_to_contact"}]
    r = await hub.request("GET", f"{V3}/companies/companies/types")
    names = {x["name"] for x in r.json()["results"]}
    assert names == {"parent_to_child_company", "child_to_parent_company"}
    r = await hub.request("GET", f"{V3}/contacts/unicorns/types")
    assert r.status_code == 400 and r.json()["category"] == "VALIDATION_ERROR"


async def test_create_shows_in_v4_and_record_reads(hub: Hub) -> None:
    ann, acme, globex = hub.add("contacts"), hub.add("companies"), hub.add("companies")
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/create", json={"inputs": [
        pair(ann, acme, "contact_to_company"), pair(ann, globex, "contact_to_company_unlabeled"),
    ]})  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "COMPLETE" and "errors" not in body
    assert body["results"] == [pair(ann, acme, "contact_to_company"),
                               pair(ann, globex, "contact_to_company_unlabeled")]  # fmt: skip
    model = sdk(body, "BatchResponsePublicAssociation")
    assert model.results[0]._from.id == str(ann.id) and model.results[0].type == "contact_to_company"
    # a labelled type brings the unlabelled one, both directions, like v4
    assert hub.edges("contacts", ann, "companies") == {acme.id: {1, 279}, globex.id: {279}}
    assert hub.edges("companies", acme, "contacts") == {ann.id: {2, 280}}

    r = await hub.request("GET", f"{V4}/contacts/{ann.id}/associations/companies")
    assert [x["toObjectId"] for x in r.json()["results"]] == [acme.id, globex.id]
    r = await hub.request("GET", f"/crm/v3/objects/contacts/{ann.id}", params={"associations": "companies"})
    v3_read = await hub.request(
        "POST", f"{V3}/contacts/companies/batch/read", json={"inputs": [{"id": str(ann.id)}]}
    )
    assert r.json()["associations"]["companies"]["results"] == v3_read.json()["results"][0]["to"]


async def test_read_lists_v4_associations(hub: Hub) -> None:
    ann, bob, acme = hub.add("contacts"), hub.add("contacts"), hub.add("companies")
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]
    assert (
        await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=spec)
    ).status_code == 201
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/read", json={"inputs": [
        {"id": str(ann.id)}, {"id": str(bob.id)}, {"id": "987654"},
    ]})  # fmt: skip
    assert r.status_code == 207, r.text
    body = r.json()
    assert body["results"] == [{"from": {"id": str(ann.id)}, "to": [
        {"id": str(acme.id), "type": "contact_to_company"},
        {"id": str(acme.id), "type": "contact_to_company_unlabeled"},
    ]}]  # fmt: skip
    assert body["numErrors"] == 2
    first, second = body["errors"]
    assert first["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert second["category"] == "OBJECT_NOT_FOUND" and second["context"] == {"id": ["987654"]}
    model = sdk(body, "BatchResponsePublicAssociationMultiWithErrors")
    assert model.results[0].to[1].type == "contact_to_company_unlabeled" and model.num_errors == 2

    r = await hub.request(
        "POST", f"{V3}/companies/contacts/batch/read", json={"inputs": [{"id": str(acme.id)}]}
    )
    assert r.status_code == 200
    assert r.json()["results"][0]["to"] == [
        {"id": str(ann.id), "type": "company_to_contact"},
        {"id": str(ann.id), "type": "company_to_contact_unlabeled"},
    ]
    sdk(r.json(), "BatchResponsePublicAssociationMulti")


async def test_read_pages_with_after(hub: Hub) -> None:
    ann = hub.add("contacts")
    notes = [hub.add("notes") for _ in range(502)]
    for note in notes:
        hub.associate("contacts", ann, "notes", note)
    r = await hub.request("POST", f"{V3}/contacts/notes/batch/read", json={"inputs": [{"id": str(ann.id)}]})
    entry = r.json()["results"][0]
    assert len(entry["to"]) == 500 and entry["paging"] == {"next": {"after": "500"}}
    assert entry["to"][0] == {"id": str(notes[0].id), "type": "contact_to_note"}
    r = await hub.request(
        "POST", f"{V3}/contacts/notes/batch/read", json={"inputs": [{"id": str(ann.id), "after": "500"}]}
    )
    entry = r.json()["results"][0]
    assert [x["id"] for x in entry["to"]] == [str(notes[500].id), str(notes[501].id)]
    assert "paging" not in entry


async def test_archive_removes_what_v4_shows(hub: Hub) -> None:
    ann, acme, globex = hub.add("contacts"), hub.add("companies"), hub.add("companies")
    hub.associate("contacts", ann, "companies", acme)
    hub.associate("contacts", ann, "companies", acme, "Primary")
    hub.associate("contacts", ann, "companies", globex)
    # archiving the label keeps the unlabelled association
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/archive", json={"inputs": [
        pair(ann, acme, "contact_to_company"),
    ]})  # fmt: skip
    assert r.status_code == 204 and r.content == b""
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279}, globex.id: {279}}
    # archiving the unlabelled type removes the pair; a missing record is skipped
    r = await hub.request("POST", f"{V3}/companies/contacts/batch/archive", json={"inputs": [
        pair(globex, ann, "company_to_contact_unlabeled"),
        {"from": {"id": "424242"}, "to": {"id": str(ann.id)}, "type": "company_to_contact_unlabeled"},
    ]})  # fmt: skip
    assert r.status_code == 204
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279}}
    r = await hub.request("GET", f"{V4}/contacts/{ann.id}/associations/companies")
    assert [x["toObjectId"] for x in r.json()["results"]] == [acme.id]


async def test_create_errors(hub: Hub) -> None:
    ann, acme = hub.add("contacts"), hub.add("companies")
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/create", json={"inputs": [
        pair(ann, acme, "deal_to_contact"),
        {"from": {"id": "31337"}, "to": {"id": str(acme.id)}, "type": "contact_to_company"},
        {"from": {"id": str(ann.id)}, "to": {"id": "31337"}, "type": "contact_to_company"},
    ]})  # fmt: skip
    assert r.status_code == 207, r.text
    body = r.json()
    assert body["results"] == [] and body["numErrors"] == 3
    bad_type, no_contact, no_company = body["errors"]
    assert (
        bad_type["category"] == "VALIDATION_ERROR" and "contact_to_company_unlabeled" in bad_type["message"]
    )
    assert no_contact["message"] == "No contact with ID 31337 exists."
    assert no_company["message"] == "No company with ID 31337 exists."
    sdk(body, "BatchResponsePublicAssociationWithErrors")
    assert hub.edges("contacts", ann, "companies") == {}

    for bad in ({"from": {"id": "1"}, "to": {"id": "2"}}, {"from": {"id": "1"}, "type": "x"}, {"inputs": 3}):
        r = await hub.request("POST", f"{V3}/contacts/companies/batch/create", json={"inputs": [bad]})
        assert r.status_code == 400 and r.json()["category"] == "VALIDATION_ERROR"
        sdk(r.json(), "Error")
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/create", json={"inputs": [
        {"from": {"id": "1"}, "to": {"id": "2"}}]})  # fmt: skip
    assert "Cannot build PublicAssociation" in r.json()["message"] and "[type]" in r.json()["message"]
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/archive", json={"inputs": [
        pair(ann, acme, "nope")]})  # fmt: skip
    assert r.status_code == 400 and "'nope' is not a valid association type" in r.json()["message"]
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/read", json={"inputs": [{}]})
    assert r.status_code == 400 and "[id]" in r.json()["message"]
    r = await hub.request(
        "POST", f"{V3}/contacts/companies/batch/read", json={"inputs": [{"id": "1"}] * 1001}
    )
    assert r.status_code == 400 and "maximum is 1000" in r.json()["message"]


async def test_limits_apply_to_v3(hub: Hub) -> None:
    ann, acme, globex = hub.add("contacts"), hub.add("companies"), hub.add("companies")
    r = await hub.request(
        "POST",
        "/crm/v4/associations/definitions/configurations/contacts/companies/batch/create",
        json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 1}]},
    )
    assert r.status_code == 201
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/create", json={"inputs": [
        pair(ann, acme, "contact_to_company_unlabeled"), pair(ann, globex, "contact_to_company"),
    ]})  # fmt: skip
    assert r.status_code == 207
    assert r.json()["results"] == [pair(ann, acme, "contact_to_company_unlabeled")]
    error = r.json()["errors"][0]
    assert error["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    assert error["context"] == {"index": ["1"]}
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279}}


async def test_scopes(hub: Hub) -> None:
    ann, acme = hub.add("contacts"), hub.add("companies")
    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read", "crm.objects.companies.read")
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/create", json={"inputs": [
        pair(ann, acme, "contact_to_company")]})  # fmt: skip
    assert r.status_code == 403 and r.json()["category"] == "MISSING_SCOPES"
    r = await hub.request("POST", f"{V3}/contacts/companies/batch/archive", json={"inputs": []})
    assert r.status_code == 403
    assert (await hub.request("GET", f"{V3}/contacts/companies/types")).status_code == 200
    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read",)
    r = await hub.request(
        "POST", f"{V3}/contacts/companies/batch/read", json={"inputs": [{"id": str(ann.id)}]}
    )
    assert r.status_code == 403
    assert "crm.objects.companies.read" in r.json()["errors"][0]["context"]["requiredGranularScopes"]


async def test_parent_and_child_companies_from_both_sides(hub: Hub) -> None:
    parent, child = hub.add("companies"), hub.add("companies")
    r = await hub.request("POST", f"{V3}/companies/companies/batch/create", json={"inputs": [
        pair(parent, child, "parent_to_child_company")]})  # fmt: skip
    assert r.status_code == 201, r.text
    r = await hub.request(
        "POST", f"{V3}/companies/companies/batch/read", json={"inputs": [{"id": str(child.id)}]}
    )
    assert r.json()["results"][0]["to"] == [{"id": str(parent.id), "type": "child_to_parent_company"}]
    r = await hub.request("GET", f"{V4}/companies/{child.id}/associations/companies")
    assert r.json()["results"] == [{"toObjectId": parent.id, "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 14, "label": "Child Company"}]}]  # fmt: skip

"""Associations v4: single pairs, listing, batch routes and labels, read back from both sides."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hubspot.crm.associations.v4 import ApiClient
from hubspot.crm.associations.v4.schema import ApiClient as SchemaApiClient

from crmbridge_sandbox import Sandbox

from ...live import LiveSandbox
from .helpers import Hub, empty_hub

pytestmark = pytest.mark.anyio

V4 = "/crm/v4/objects"
BATCH = "/crm/v4/associations"


def sdk(data: Any, model: str, *, schema: bool = False) -> Any:
    """Deserialise like the official SDK does; raises if a required field is missing or mistyped."""
    client = SchemaApiClient() if schema else ApiClient()
    return client._ApiClient__deserialize(data, model)  # type: ignore[attr-defined]


@pytest.fixture
def hub(sandbox: Sandbox, client: httpx.AsyncClient) -> Hub:
    return empty_hub(sandbox, client)


async def test_put_default_creates_both_directions(hub: Hub) -> None:
    ann, acme = hub.add("contacts", {"firstname": "Ann"}), hub.add("companies", {"name": "Acme"})
    r = await hub.request("PUT", f"{V4}/contact/{ann.id}/associations/default/company/{acme.id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "COMPLETE"
    assert body["results"] == [
        {"from": {"id": str(ann.id)}, "to": {"id": str(acme.id)},
         "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}},
        {"from": {"id": str(acme.id)}, "to": {"id": str(ann.id)},
         "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280}},
    ]  # fmt: skip
    assert (
        sdk(body, "BatchResponsePublicDefaultAssociation").results[0].association_spec.association_type_id
        == 279
    )
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279}}
    assert hub.edges("companies", acme, "contacts") == {ann.id: {280}}


async def test_put_labelled_adds_label_and_default(hub: Hub) -> None:
    ann, acme = hub.add("contacts"), hub.add("companies")
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]
    r = await hub.request("PUT", f"{V4}/0-1/{ann.id}/associations/0-2/{acme.id}", json=spec)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body == {"fromObjectTypeId": "0-1", "fromObjectId": ann.id, "toObjectTypeId": "0-2",
                    "toObjectId": acme.id, "labels": ["Primary"]}  # fmt: skip
    assert sdk(body, "LabelsBetweenObjectPair").labels == ["Primary"]
    assert hub.edges("contacts", ann, "companies") == {acme.id: {1, 279}}
    assert hub.edges("companies", acme, "contacts") == {ann.id: {2, 280}}

    r = await hub.request("GET", f"{V4}/companies/{acme.id}/associations/contacts")
    assert r.status_code == 200
    page = r.json()
    assert page == {"results": [{"toObjectId": ann.id, "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 2, "label": "Primary"},
        {"category": "HUBSPOT_DEFINED", "typeId": 280, "label": None},
    ]}]}  # fmt: skip
    sdk(page, "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging")


async def test_put_labelled_rejects_invalid_types(hub: Hub) -> None:
    ann, acme = hub.add("contacts"), hub.add("companies")
    path = f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}"
    r = await hub.request(
        "PUT", path, json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]
    )
    assert r.status_code == 400
    message = r.json()["message"]
    assert "not valid from contact to company" in message and "HUBSPOT_DEFINED 279" in message
    assert "HUBSPOT_DEFINED 1 (Primary)" in message
    r = await hub.request(
        "PUT", path, json={"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}
    )
    assert r.status_code == 400 and "JSON array" in r.json()["message"]
    r = await hub.request("PUT", path, json=[{"associationCategory": "NOPE", "associationTypeId": 1}])
    assert r.status_code == 400 and "associationCategory" in r.json()["message"]
    assert hub.edges("contacts", ann, "companies") == {}


async def test_missing_or_archived_records_are_404(hub: Hub) -> None:
    ann = hub.add("contacts")
    gone = hub.add("companies", archived=True)
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/default/companies/{gone.id}")
    assert r.status_code == 404 and r.json()["category"] == "OBJECT_NOT_FOUND"
    r = await hub.request("PUT", f"{V4}/contacts/999999/associations/default/companies/{gone.id}")
    assert r.status_code == 404 and "No contact with ID 999999" in r.json()["message"]
    r = await hub.request("GET", f"{V4}/contacts/abc/associations/companies")
    assert r.status_code == 404
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/default/widgets/1")
    assert r.status_code == 400 and "Unable to infer object type from: widgets" in r.json()["message"]


async def test_pair_without_default_type(hub: Hub) -> None:
    product, contact = hub.add("products"), hub.add("contacts")
    r = await hub.request("PUT", f"{V4}/products/{product.id}/associations/default/contacts/{contact.id}")
    assert r.status_code == 400 and "no default association type" in r.json()["message"]


async def test_delete_removes_every_type_between_the_pair(hub: Hub) -> None:
    ann, acme, globex = hub.add("contacts"), hub.add("companies"), hub.add("companies")
    hub.associate("contacts", ann, "companies", acme)
    hub.associate("contacts", ann, "companies", acme, "Primary")
    hub.associate("contacts", ann, "companies", globex)
    r = await hub.request("DELETE", f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}")
    assert r.status_code == 204
    assert hub.edges("contacts", ann, "companies") == {globex.id: {279}}
    assert hub.edges("companies", acme, "contacts") == {}


async def test_list_pages_and_hides_archived(hub: Hub) -> None:
    acme = hub.add("companies")
    people = [hub.add("contacts") for _ in range(5)]
    for p in people:
        hub.associate("companies", acme, "contacts", p)
    hub.portal.tables["0-1"].records[people[2].id].archived = True
    r = await hub.request("GET", f"{V4}/companies/{acme.id}/associations/contacts", params={"limit": 2})
    body = r.json()
    assert [x["toObjectId"] for x in body["results"]] == [people[0].id, people[1].id]
    assert body["paging"]["next"]["after"] == "2"
    r = await hub.request(
        "GET", f"{V4}/companies/{acme.id}/associations/contacts", params={"limit": 2, "after": "2"}
    )
    assert [x["toObjectId"] for x in r.json()["results"]] == [people[3].id, people[4].id]
    assert "paging" not in r.json()
    r = await hub.request("GET", f"{V4}/companies/{acme.id}/associations/contacts", params={"limit": 501})
    assert r.status_code == 400 and "500" in r.json()["message"]


async def test_batch_read(hub: Hub) -> None:
    acme, globex, lonely = hub.add("companies"), hub.add("companies"), hub.add("companies")
    ann, bob = hub.add("contacts"), hub.add("contacts")
    hub.associate("contacts", ann, "companies", acme)
    hub.associate("contacts", bob, "companies", acme, "Primary")
    hub.associate("contacts", bob, "companies", globex)
    inputs = [{"id": str(acme.id)}, {"id": str(globex.id)}, {"id": str(lonely.id)}, {"id": "424242"}]
    r = await hub.request("POST", f"{BATCH}/companies/contacts/batch/read", json={"inputs": inputs})
    assert r.status_code == 207, r.text
    body = r.json()
    assert [(x["from"]["id"], [t["toObjectId"] for t in x["to"]]) for x in body["results"]] == [
        (str(acme.id), [ann.id, bob.id]),
        (str(globex.id), [bob.id]),
    ]
    assert [t["typeId"] for t in body["results"][0]["to"][1]["associationTypes"]] == [2]
    assert body["numErrors"] == 2
    assert body["errors"][0]["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert body["errors"][1]["category"] == "OBJECT_NOT_FOUND"
    parsed = sdk(body, "BatchResponsePublicAssociationMultiWithLabelWithErrors")
    assert parsed.num_errors == 2 and parsed.results[0].to[0].to_object_id == str(ann.id)
    r = await hub.request(
        "POST", f"{BATCH}/companies/contacts/batch/read", json={"inputs": [{"id": str(acme.id)}]}
    )
    assert r.status_code == 200 and "errors" not in r.json()
    too_many = {"inputs": [{"id": "1"}] * 1001}
    r = await hub.request("POST", f"{BATCH}/companies/contacts/batch/read", json=too_many)
    assert r.status_code == 400 and "maximum is 1000" in r.json()["message"]


async def test_batch_create(hub: Hub) -> None:
    deal, ann, bob = hub.add("deals"), hub.add("contacts"), hub.add("contacts")
    types = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]
    inputs = [
        {"from": {"id": str(deal.id)}, "to": {"id": str(ann.id)}, "types": types},
        {"from": {"id": str(deal.id)}, "to": {"id": str(bob.id)}, "types": types},
        {"from": {"id": str(deal.id)}, "to": {"id": "999999"}, "types": types},
        {"from": {"id": str(deal.id)}, "to": {"id": str(bob.id)},
         "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4}]},
    ]  # fmt: skip
    r = await hub.request("POST", f"{BATCH}/deals/contacts/batch/create", json={"inputs": inputs})
    assert r.status_code == 207, r.text
    body = r.json()
    assert [x["toObjectId"] for x in body["results"]] == [ann.id, bob.id]
    assert body["numErrors"] == 2 and body["errors"][1]["category"] == "VALIDATION_ERROR"
    sdk(body, "BatchResponseLabelsBetweenObjectPairWithErrors")
    assert hub.edges("deals", deal, "contacts") == {ann.id: {3}, bob.id: {3}}
    assert hub.edges("contacts", ann, "deals") == {deal.id: {4}}
    ok = {"inputs": inputs[:1]}
    r = await hub.request("POST", f"{BATCH}/deals/contacts/batch/create", json=ok)
    assert r.status_code == 201
    sdk(r.json(), "BatchResponseLabelsBetweenObjectPair")


async def test_batch_associate_default(hub: Hub) -> None:
    note, ann = hub.add("notes"), hub.add("contacts")
    inputs = [{"from": {"id": str(note.id)}, "to": {"id": str(ann.id)}}]
    r = await hub.request("POST", f"{BATCH}/notes/contacts/batch/associate/default", json={"inputs": inputs})
    assert r.status_code == 200, r.text
    specs = [x["associationSpec"]["associationTypeId"] for x in r.json()["results"]]
    assert specs == [202, 201]
    sdk(r.json(), "BatchResponsePublicDefaultAssociation")
    assert hub.edges("notes", note, "contacts") == {ann.id: {202}}
    assert hub.edges("contacts", ann, "notes") == {note.id: {201}}
    bad = {"inputs": [{"from": {"id": "1"}, "to": {"id": str(ann.id)}}]}
    r = await hub.request("POST", f"{BATCH}/notes/contacts/batch/associate/default", json=bad)
    assert r.status_code == 207 and r.json()["numErrors"] == 1


async def test_batch_archive(hub: Hub) -> None:
    acme, ann, bob, cat = hub.add("companies"), hub.add("contacts"), hub.add("contacts"), hub.add("contacts")
    for p in (ann, bob, cat):
        hub.associate("companies", acme, "contacts", p)
    body = {"inputs": [{"from": {"id": str(acme.id)}, "to": [{"id": str(ann.id)}, {"id": str(bob.id)}]}]}
    r = await hub.request("POST", f"{BATCH}/companies/contacts/batch/archive", json=body)
    assert r.status_code == 204
    assert hub.edges("companies", acme, "contacts") == {cat.id: {280}}
    assert hub.edges("contacts", ann, "companies") == {}
    r = await hub.request("POST", f"{BATCH}/companies/contacts/batch/archive", json={"inputs": [{"to": 1}]})
    assert r.status_code == 400


async def test_batch_labels_archive(hub: Hub) -> None:
    ann, bob, acme = hub.add("contacts"), hub.add("contacts"), hub.add("companies")
    for p in (ann, bob):
        hub.associate("contacts", p, "companies", acme)
        hub.associate("contacts", p, "companies", acme, "Primary")

    def spec(type_id: int) -> list[dict[str, Any]]:
        return [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]

    inputs = [
        {"from": {"id": str(ann.id)}, "to": {"id": str(acme.id)}, "types": spec(1)},  # only the label
        {"from": {"id": str(bob.id)}, "to": {"id": str(acme.id)}, "types": spec(279)},  # default: all go
    ]
    r = await hub.request("POST", f"{BATCH}/contacts/companies/batch/labels/archive", json={"inputs": inputs})
    assert r.status_code == 204, r.text
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279}}
    assert hub.edges("companies", acme, "contacts") == {ann.id: {280}}
    assert hub.edges("contacts", bob, "companies") == {}
    bad = [{"from": {"id": str(ann.id)}, "to": {"id": str(acme.id)}, "types": spec(3)}]
    r = await hub.request("POST", f"{BATCH}/contacts/companies/batch/labels/archive", json={"inputs": bad})
    assert r.status_code == 400
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279}}


@pytest.mark.parametrize("root", [BATCH, "/crm/associations/v4"])  # the clients' path, the spec's path
async def test_label_definitions(hub: Hub, root: str) -> None:
    path = f"{root}/contacts/companies/labels"
    r = await hub.request("GET", path)
    assert r.status_code == 200
    assert r.json()["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
    ]
    sdk(r.json(), "CollectionResponseAssociationSpecWithLabelNoPaging", schema=True)

    r = await hub.request(
        "POST", path, json={"label": "Billing contact", "name": "billing", "inverseLabel": "Billed"}
    )
    assert r.status_code == 200, r.text
    forward, backward = r.json()["results"]
    assert forward["category"] == "USER_DEFINED" and forward["label"] == "Billing contact"
    assert backward["typeId"] != forward["typeId"] and backward["label"] == "Billed"
    sdk(r.json(), "CollectionResponseAssociationSpecWithLabelNoPaging", schema=True)
    back = await hub.request("GET", f"{root}/companies/contacts/labels")
    assert {"category": "USER_DEFINED", "typeId": backward["typeId"], "label": "Billed"} in back.json()[
        "results"
    ]

    # the new label is usable, and shows from both sides
    ann, acme = hub.add("contacts"), hub.add("companies")
    user = [{"associationCategory": "USER_DEFINED", "associationTypeId": forward["typeId"]}]
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=user)
    assert r.status_code == 201 and r.json()["labels"] == ["Billing contact"]
    r = await hub.request("GET", f"{V4}/companies/{acme.id}/associations/contacts")
    types = r.json()["results"][0]["associationTypes"]
    assert {"category": "USER_DEFINED", "typeId": backward["typeId"], "label": "Billed"} in types

    # rename, then delete: the association type disappears from listings
    r = await hub.request("PUT", path, json={"associationTypeId": forward["typeId"], "label": "Payer"})
    assert r.status_code == 204
    r = await hub.request("GET", f"{V4}/contacts/{ann.id}/associations/companies")
    assert "Payer" in [t["label"] for t in r.json()["results"][0]["associationTypes"]]
    r = await hub.request("DELETE", f"{path}/{forward['typeId']}")
    assert r.status_code == 204
    assert [d["typeId"] for d in (await hub.request("GET", path)).json()["results"]] == [279, 1]
    r = await hub.request("GET", f"{V4}/contacts/{ann.id}/associations/companies")
    assert [t["typeId"] for t in r.json()["results"][0]["associationTypes"]] == [279]
    r = await hub.request("DELETE", f"{path}/1")
    assert r.status_code == 404

    r = await hub.request("POST", path, json={"name": "x"})
    assert r.status_code == 400 and "label is required" in r.json()["message"]
    r = await hub.request("POST", path, json={"label": "Primary", "name": "primary"})
    assert r.status_code == 400 and "already exists" in r.json()["message"]


async def test_scopes_of_both_types_are_required(hub: Hub) -> None:
    ann, acme = hub.add("contacts"), hub.add("companies")
    hub.associate("contacts", ann, "companies", acme)
    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read", "crm.objects.contacts.write")
    r = await hub.request("GET", f"{V4}/contacts/{ann.id}/associations/companies")
    assert r.status_code == 403 and r.json()["category"] == "MISSING_SCOPES"
    assert "crm.objects.companies.read" in r.json()["errors"][0]["context"]["requiredGranularScopes"]
    r = await hub.request("DELETE", f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}")
    assert r.status_code == 403
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279}}

    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read", "crm.objects.companies.read")
    r = await hub.request("GET", f"{V4}/contacts/{ann.id}/associations/companies")
    assert r.status_code == 200
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/default/companies/{acme.id}")
    assert r.status_code == 403
    assert "crm.objects.contacts.write" in r.json()["errors"][0]["context"]["requiredGranularScopes"]


async def test_custom_object_pairs_use_portal_definitions(hub: Hub) -> None:
    cars = next(t for t in hub.portal.object_types() if t.custom)
    car, ann = hub.add(cars.type_id), hub.add("contacts")
    r = await hub.request(
        "PUT", f"{V4}/{cars.fully_qualified_name}/{car.id}/associations/default/contacts/{ann.id}"
    )
    assert r.status_code == 200, r.text
    forward, backward = (x["associationSpec"] for x in r.json()["results"])
    assert (
        forward["associationCategory"] == "USER_DEFINED"
        or forward["associationCategory"] == "HUBSPOT_DEFINED"
    )
    assert hub.edges(cars.type_id, car, "contacts") == {ann.id: {forward["associationTypeId"]}}
    r = await hub.request("GET", f"{V4}/contacts/{ann.id}/associations/{cars.type_id}")
    assert r.json()["results"][0]["associationTypes"][0]["typeId"] == backward["associationTypeId"]


async def test_seeded_portal_listing_matches_store(hub: Hub, sandbox: Sandbox) -> None:
    seeded = sandbox.hubspot.create_portal(seed_value=3)
    contacts = seeded.tables["0-1"]
    contact = next(r for r in contacts.records.values() if seeded.associations.targets(("0-1", r.id), "0-2"))
    live_hub = Hub(sandbox, seeded, hub.client)
    r = await live_hub.request("GET", f"{V4}/contacts/{contact.id}/associations/companies")
    assert r.status_code == 200
    stored = [oid for oid, _ in seeded.associations.targets(("0-1", contact.id), "0-2")]
    assert [x["toObjectId"] for x in r.json()["results"]] == stored


def test_official_sdk_round_trip(live_sandbox: LiveSandbox) -> None:
    """The real ``hubspot-api-client`` (sync, over a socket): v4 basic, batch and label calls."""
    from hubspot import HubSpot
    from hubspot.crm.associations.v4 import (
        AssociationSpec,
        BatchInputPublicFetchAssociationsBatchRequest,
        PublicFetchAssociationsBatchRequest,
    )
    from hubspot.crm.associations.v4.schema import PublicAssociationDefinitionCreateRequest

    info = live_sandbox.new_portal()
    hub = empty_hub(live_sandbox.sandbox, None, live_sandbox.sandbox.hubspot.portals[info["portal_id"]])
    ann, acme = hub.add("contacts"), hub.add("companies")
    api = HubSpot(access_token=info["private_app_token"], host=f"{live_sandbox.root}/hubspot")
    v4 = api.crm.associations.v4

    done = v4.basic_api.create_default("contacts", str(ann.id), "companies", str(acme.id))
    assert done.status == "COMPLETE" and done.results[0].association_spec.association_type_id == 279
    pair = v4.basic_api.create(
        "contacts", str(ann.id), "companies", str(acme.id),
        [AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)],
    )  # fmt: skip
    assert pair.labels == ["Primary"] and pair.to_object_id == str(acme.id)
    page = v4.basic_api.get_page("companies", str(acme.id), "contacts")
    assert [t.type_id for t in page.results[0].association_types] == [2, 280]
    batch = v4.batch_api.get_page(
        "contacts", "companies",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=str(ann.id))]),
    )  # fmt: skip
    assert batch.results[0].to[0].to_object_id == str(acme.id)
    created = v4.schema.definitions_api.create(
        "contacts", "companies", PublicAssociationDefinitionCreateRequest(label="Payer", name="payer")
    )
    assert created.results[0].category == "USER_DEFINED"
    labels = v4.schema.definitions_api.get_all("contacts", "companies")
    assert "Payer" in [d.label for d in labels.results]
    v4.basic_api.archive("contacts", str(ann.id), "companies", str(acme.id))
    assert hub.edges("contacts", ann, "companies") == {}
    assert hub.edges("companies", acme, "contacts") == {}

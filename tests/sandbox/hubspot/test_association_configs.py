"""Association limits (v4 definition configurations): reads, batch create/update/purge, the checks on
their inputs, and enforcement of a configured limit on every v4 association write."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hubspot.crm.associations.v4 import ApiClient
from hubspot.crm.associations.v4.schema import ApiClient as SchemaApiClient

from crmbridge_sandbox import Sandbox

from .helpers import Hub, empty_hub

pytestmark = pytest.mark.anyio

CONF = "/crm/v4/associations/definitions/configurations"
V4 = "/crm/v4/objects"
BATCH = "/crm/v4/associations/contacts/companies/batch"
PRIMARY = {"category": "HUBSPOT_DEFINED", "typeId": 1}
UNLABELLED = {"category": "HUBSPOT_DEFINED", "typeId": 279}


def sdk(data: Any, model: str, *, schema: bool = True) -> Any:
    """Deserialise like the official SDK; raises if a required field is missing or mistyped."""
    client = SchemaApiClient() if schema else ApiClient()
    return client._ApiClient__deserialize(data, model)  # type: ignore[attr-defined]


@pytest.fixture
def hub(sandbox: Sandbox, client: httpx.AsyncClient) -> Hub:
    return empty_hub(sandbox, client)


async def configure(hub: Hub, pair: str, *inputs: dict[str, Any], op: str = "create") -> httpx.Response:
    return await hub.request("POST", f"{CONF}/{pair}/batch/{op}", json={"inputs": list(inputs)})


def limit(spec: dict[str, Any], value: int) -> dict[str, Any]:
    return {**spec, "maxToObjectIds": value}


async def test_pair_lists_every_type_without_limits(hub: Hub) -> None:
    r = await hub.request("GET", f"{CONF}/contacts/companies")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {"results": [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
    ]}  # fmt: skip
    model = sdk(body, "CollectionResponsePublicAssociationDefinitionUserConfigurationNoPaging")
    assert model.results[0].user_enforced_max_to_object_ids is None
    r = await hub.request("GET", f"{CONF}/all")
    assert r.status_code == 200 and r.json() == {"results": []}


async def test_create_update_purge_round_trip(hub: Hub) -> None:
    r = await configure(hub, "contacts/companies", limit(UNLABELLED, 5), limit(PRIMARY, 1))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "COMPLETE" and "errors" not in body
    assert body["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None, "userEnforcedMaxToObjectIds": 5},
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary", "userEnforcedMaxToObjectIds": 1},
    ]
    assert body["startedAt"].endswith("Z") and body["completedAt"] >= body["startedAt"]
    model = sdk(body, "BatchResponsePublicAssociationDefinitionUserConfiguration")
    assert model.results[1].user_enforced_max_to_object_ids == 1 and model.status == "COMPLETE"

    pair = (await hub.request("GET", f"{CONF}/contact/company")).json()["results"]
    assert [(c["typeId"], c.get("userEnforcedMaxToObjectIds")) for c in pair] == [(279, 5), (1, 1)]
    inverse = (await hub.request("GET", f"{CONF}/companies/contacts")).json()["results"]
    assert all("userEnforcedMaxToObjectIds" not in c for c in inverse)  # a limit is one direction's
    everything = (await hub.request("GET", f"{CONF}/all")).json()
    assert sorted(c["typeId"] for c in everything["results"]) == [1, 279]
    sdk(everything, "CollectionResponsePublicAssociationDefinitionUserConfigurationNoPaging")

    r = await configure(hub, "0-1/0-2", limit(PRIMARY, 3), op="update")
    assert r.status_code == 200, r.text
    assert r.json()["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "userEnforcedMaxToObjectIds": 3}
    ]
    model = sdk(r.json(), "BatchResponsePublicAssociationDefinitionConfigurationUpdateResult")
    assert model.results[0].user_enforced_max_to_object_ids == 3

    r = await hub.request("POST", f"{CONF}/contacts/companies/batch/purge", json={"inputs": [PRIMARY]})
    assert r.status_code == 204 and r.content == b""
    pair = (await hub.request("GET", f"{CONF}/contacts/companies")).json()["results"]
    assert [(c["typeId"], c.get("userEnforcedMaxToObjectIds")) for c in pair] == [(279, 5), (1, None)]
    # purging a type with no limit does nothing and still answers 204
    r = await hub.request("POST", f"{CONF}/contacts/companies/batch/purge", json={"inputs": [PRIMARY]})
    assert r.status_code == 204


async def test_spec_path_serves_the_same_limits(hub: Hub) -> None:
    r = await hub.request(
        "POST",
        "/crm/associations/v4/definitions/configurations/deals/contacts/batch/create",
        json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 3, "maxToObjectIds": 2}]},
    )
    assert r.status_code == 201, r.text
    r = await hub.request("GET", f"{CONF}/deals/contacts")
    assert r.json()["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None, "userEnforcedMaxToObjectIds": 2}
    ]


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ({"typeId": 1, "maxToObjectIds": 1}, "required attributes are not set [category]"),
        ({"category": "HUBSPOT_DEFINED", "maxToObjectIds": 1}, "[typeId]"),
        ({**PRIMARY, "maxToObjectIds": None}, "[maxToObjectIds]"),
        ({**PRIMARY, "category": "NOPE", "maxToObjectIds": 1}, "category must be one of"),
        (limit(PRIMARY, 0), "maxToObjectIds must be at least 1"),
        (limit(PRIMARY, -3), "maxToObjectIds must be at least 1"),
        (limit(PRIMARY, "many"), "must be an integer"),
        ({**PRIMARY, "typeId": True, "maxToObjectIds": 1}, "must be an integer"),
    ],
)
async def test_invalid_inputs_refuse_the_whole_batch(hub: Hub, item: dict[str, Any], fragment: str) -> None:
    for op in ("create", "update"):
        r = await configure(hub, "contacts/companies", limit(UNLABELLED, 9), item, op=op)
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["category"] == "VALIDATION_ERROR" and body["status"] == "error"
        assert fragment in body["message"] and body["correlationId"]
        sdk(body, "Error")
    assert hub.portal.association_limits == {}  # nothing of a refused batch is applied


async def test_malformed_bodies_are_400(hub: Hub) -> None:
    for body in ({}, {"inputs": "x"}, {"inputs": [1]}, []):
        r = await hub.request("POST", f"{CONF}/contacts/companies/batch/create", json=body)
        assert r.status_code == 400 and r.json()["category"] == "VALIDATION_ERROR"
    r = await hub.request("POST", f"{CONF}/contacts/companies/batch/purge", json={"inputs": [{"typeId": 1}]})
    assert r.status_code == 400 and "[category]" in r.json()["message"]
    r = await hub.request("GET", f"{CONF}/contacts/unicorns")
    assert r.status_code == 400 and "Unable to infer object type" in r.json()["message"]


async def test_per_input_errors_give_207(hub: Hub) -> None:
    unknown = {"category": "HUBSPOT_DEFINED", "typeId": 3, "maxToObjectIds": 1}  # deal→contact, not this pair
    r = await configure(hub, "contacts/companies", limit(PRIMARY, 2), unknown)
    assert r.status_code == 207, r.text
    body = r.json()
    assert [x["typeId"] for x in body["results"]] == [1] and body["numErrors"] == 1
    error = body["errors"][0]
    assert error["category"] == "OBJECT_NOT_FOUND" and "HUBSPOT_DEFINED 279" in error["message"]
    assert error["context"] == {"typeId": ["3"], "category": ["HUBSPOT_DEFINED"]}
    model = sdk(body, "BatchResponsePublicAssociationDefinitionUserConfigurationWithErrors")
    assert model.num_errors == 1 and model.errors[0].status == "error"

    r = await configure(hub, "contacts/companies", limit(PRIMARY, 3))
    assert r.status_code == 207 and "already configured" in r.json()["errors"][0]["message"]
    assert r.json()["results"] == []
    r = await configure(hub, "contacts/companies", limit(UNLABELLED, 3), op="update")
    assert r.status_code == 207 and r.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    sdk(r.json(), "BatchResponsePublicAssociationDefinitionConfigurationUpdateResultWithErrors")
    r = await hub.request(
        "POST", f"{CONF}/contacts/companies/batch/purge", json={"inputs": [{**PRIMARY, "typeId": 3}]}
    )
    assert r.status_code == 400 and "not valid from contact to company" in r.json()["message"]
    assert hub.portal.association_limits[("0-1", "0-2")]  # the purge refused whole: Primary kept


async def test_label_limit_within_object_limit(hub: Hub) -> None:
    r = await configure(hub, "contacts/companies", limit(UNLABELLED, 10))
    assert r.status_code == 201
    r = await configure(hub, "contacts/companies", limit(PRIMARY, 11))
    assert r.status_code == 207
    assert "valid range is 1-10" in r.json()["errors"][0]["message"]
    assert (await configure(hub, "contacts/companies", limit(PRIMARY, 10))).status_code == 201
    r = await configure(hub, "contacts/companies", limit(UNLABELLED, 9), op="update")
    assert r.status_code == 207 and "valid range is 10-10000" in r.json()["errors"][0]["message"]
    assert (await configure(hub, "contacts/companies", limit(UNLABELLED, 12), op="update")).status_code == 200


async def test_user_label_limits(hub: Hub) -> None:
    r = await hub.request(
        "POST", "/crm/v4/associations/contacts/companies/labels", json={"label": "Billing", "name": "billing"}
    )
    type_id = r.json()["results"][0]["typeId"]
    r = await configure(hub, "contacts/companies", {"category": "USER_DEFINED", "typeId": type_id,
                                                     "maxToObjectIds": 1})  # fmt: skip
    assert r.status_code == 201 and r.json()["results"][0]["label"] == "Billing"
    ann, acme, globex = hub.add("contacts"), hub.add("companies"), hub.add("companies")
    spec = [{"associationCategory": "USER_DEFINED", "associationTypeId": type_id}]
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=spec)
    assert r.status_code == 201
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}", json=spec)
    assert r.status_code == 400
    assert f"USER_DEFINED {type_id} (Billing)" in r.json()["message"]
    assert hub.edges("contacts", ann, "companies") == {acme.id: {279, type_id}}

    # deleting the label drops its limit: a new label that reuses the type id starts without one
    r = await hub.request("DELETE", f"/crm/v4/associations/contacts/companies/labels/{type_id}")
    assert r.status_code == 204
    assert hub.portal.association_limits == {}
    r = await hub.request(
        "POST", "/crm/v4/associations/contacts/companies/labels", json={"label": "Shipping", "name": "ship"}
    )
    again = r.json()["results"][0]["typeId"]
    pair = (await hub.request("GET", f"{CONF}/contacts/companies")).json()["results"]
    assert all("userEnforcedMaxToObjectIds" not in c for c in pair if c["typeId"] == again)


async def test_limit_enforced_on_v4_writes(hub: Hub) -> None:
    ann, acme, globex = hub.add("contacts"), hub.add("companies"), hub.add("companies")
    assert (await configure(hub, "contacts/companies", limit(PRIMARY, 1))).status_code == 201
    primary = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=primary)
    assert r.status_code == 201
    # the same pair again is not a second association
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=primary)
    assert r.status_code == 201
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}", json=primary)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert body["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    assert "at most 1 company record with association type HUBSPOT_DEFINED 1 (Primary)" in body["message"]
    assert body["context"] == {"fromObjectId": [str(ann.id)], "typeId": ["1"], "limit": ["1"]}
    assert hub.edges("contacts", ann, "companies") == {acme.id: {1, 279}}  # nothing written, not even 279

    # the unlabelled type has no limit: the default association still goes through
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/default/companies/{globex.id}")
    assert r.status_code == 200

    r = await hub.request("POST", f"{BATCH}/create", json={"inputs": [
        {"from": {"id": str(ann.id)}, "to": {"id": str(globex.id)}, "types": primary},
    ]})  # fmt: skip
    assert r.status_code == 207
    error = r.json()["errors"][0]
    assert error["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    assert error["context"] == {"index": ["0"]}
    sdk(r.json(), "BatchResponseLabelsBetweenObjectPairWithErrors", schema=False)

    # removing the label frees the slot
    r = await hub.request("POST", f"{BATCH}/labels/archive", json={"inputs": [
        {"from": {"id": str(ann.id)}, "to": {"id": str(acme.id)}, "types": primary},
    ]})  # fmt: skip
    assert r.status_code == 204
    r = await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}", json=primary)
    assert r.status_code == 201


async def test_object_limit_and_inverse_direction(hub: Hub) -> None:
    ann, bob = hub.add("contacts"), hub.add("contacts")
    acme, globex = hub.add("companies"), hub.add("companies")
    # a company may have one contact; contacts may have any number of companies
    r = await configure(hub, "companies/contacts", {"category": "HUBSPOT_DEFINED", "typeId": 280,
                                                     "maxToObjectIds": 1})  # fmt: skip
    assert r.status_code == 201
    assert (
        await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/default/companies/{acme.id}")
    ).status_code == 200
    assert (
        await hub.request("PUT", f"{V4}/contacts/{ann.id}/associations/default/companies/{globex.id}")
    ).status_code == 200
    r = await hub.request("PUT", f"{V4}/contacts/{bob.id}/associations/default/companies/{acme.id}")
    assert r.status_code == 400
    assert f"company {acme.id} may be associated with at most 1 contact record" in r.json()["message"]
    r = await hub.request("POST", f"{BATCH}/associate/default", json={"inputs": [
        {"from": {"id": str(bob.id)}, "to": {"id": str(acme.id)}},
        {"from": {"id": str(bob.id)}, "to": {"id": "999999"}},
    ]})  # fmt: skip
    assert r.status_code == 207 and r.json()["numErrors"] == 2 and r.json()["results"] == []
    sdk(r.json(), "BatchResponsePublicDefaultAssociation", schema=False)
    # an archived contact no longer counts
    ann.archived = True
    r = await hub.request("PUT", f"{V4}/contacts/{bob.id}/associations/default/companies/{acme.id}")
    assert r.status_code == 200


async def test_scopes(hub: Hub) -> None:
    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read", "crm.objects.companies.read")
    assert (await hub.request("GET", f"{CONF}/contacts/companies")).status_code == 200
    assert (await hub.request("GET", f"{CONF}/all")).status_code == 200
    r = await configure(hub, "contacts/companies", limit(PRIMARY, 1))
    assert r.status_code == 403 and r.json()["category"] == "MISSING_SCOPES"
    assert hub.portal.association_limits == {}
    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read", "crm.objects.contacts.write")
    r = await hub.request("GET", f"{CONF}/contacts/companies")
    assert r.status_code == 403
    assert "crm.objects.companies.read" in r.json()["errors"][0]["context"]["requiredGranularScopes"]
    hub.sandbox.hubspot.private_app_scopes = ("crm.schemas.custom.read",)
    assert (await hub.request("GET", f"{CONF}/all")).status_code == 403


async def test_limits_survive_a_portal_copy(sandbox: Sandbox, client: httpx.AsyncClient) -> None:
    """Templates copy a seeded portal for the next one; limits set later belong to one portal only."""
    first = empty_hub(sandbox, client)
    assert (await configure(first, "contacts/companies", limit(PRIMARY, 1))).status_code == 201
    second = empty_hub(sandbox, client)
    r = await second.request("GET", f"{CONF}/all")
    assert r.json() == {"results": []}


async def test_limit_enforced_on_inline_associations_of_a_create(hub: Hub) -> None:
    acme, globex = hub.add("companies"), hub.add("companies")
    hub.associate("contacts", hub.add("contacts"), "companies", acme)
    assert (await configure(hub, "contacts/companies", limit(UNLABELLED, 1))).status_code == 201
    assert (await configure(hub, "companies/contacts", {"category": "HUBSPOT_DEFINED", "typeId": 280,
                                                         "maxToObjectIds": 1})).status_code == 201  # fmt: skip
    types = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]
    two = [{"to": {"id": str(r.id)}, "types": types} for r in (globex, hub.add("companies"))]
    before = len(hub.portal.tables["0-1"].records)
    r = await hub.request("POST", "/crm/v3/objects/contacts", json={"properties": {}, "associations": two})
    assert r.status_code == 400, r.text
    assert r.json()["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"
    assert "the new record may be associated with at most 1 company" in r.json()["message"]
    # acme already has its one contact
    full = [{"to": {"id": str(acme.id)}, "types": types}]
    r = await hub.request("POST", "/crm/v3/objects/contacts", json={"properties": {}, "associations": full})
    assert r.status_code == 400 and f"company {acme.id} may be associated" in r.json()["message"]
    assert len(hub.portal.tables["0-1"].records) == before  # nothing created
    batch = [{"properties": {}, "associations": full}, {"properties": {}, "associations": two[:1]}]
    r = await hub.request("POST", "/crm/v3/objects/contacts/batch/create", json={"inputs": batch})
    assert r.status_code == 400  # a batch without trace ids is all or nothing
    assert len(hub.portal.tables["0-1"].records) == before
    traced = [{**item, "objectWriteTraceId": str(i)} for i, item in enumerate(batch)]
    r = await hub.request("POST", "/crm/v3/objects/contacts/batch/create", json={"inputs": traced})
    assert r.status_code == 207, r.text
    assert len(r.json()["results"]) == 1 and r.json()["numErrors"] == 1
    assert r.json()["errors"][0]["context"]["objectWriteTraceId"] == ["0"]
    # globex now has its one contact too
    r = await hub.request(
        "POST", "/crm/v3/objects/contacts", json={"properties": {}, "associations": two[:1]}
    )
    assert r.status_code == 400
    r = await hub.request(
        "POST", "/crm/v3/objects/contacts", json={"properties": {}, "associations": two[1:]}
    )
    assert r.status_code == 201

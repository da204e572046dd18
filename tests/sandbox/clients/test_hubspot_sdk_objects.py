"""The official ``hubspot-api-client`` against the sandbox: object CRUD, batch, search and errors.

Every call deserialises into the SDK's own models, which raise when a required field is missing, so a
passing call already proves the response shape; the assertions then check the values and the stored state.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from hubspot.crm import companies as hs_companies
from hubspot.crm import contacts as hs_contacts
from hubspot.crm import deals as hs_deals
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import ApiException, NotFoundException

from ...live import LiveSandbox

pytestmark = pytest.mark.network

CONTACTS = "0-1"


def _tag() -> str:
    """A token unique to one test, so searches only see that test's records."""
    return "t" + uuid.uuid4().hex[:10]


def _stored(live_sandbox: LiveSandbox, portal: dict[str, Any], type_id: str, record_id: str) -> Any:
    return (
        live_sandbox.sandbox.hubspot.portals[portal["portal_id"]].tables[type_id].records.get(int(record_id))
    )


def _create_contact(hubspot_sdk: Any, **props: str) -> Any:
    return hubspot_sdk.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties=props))


def _search(hubspot_sdk: Any, *, filters: list[Filter], **kwargs: Any) -> Any:
    request = PublicObjectSearchRequest(filter_groups=[FilterGroup(filters=filters)], **kwargs)
    return hubspot_sdk.crm.contacts.search_api.do_search(public_object_search_request=request)


# --- contacts: basic API ------------------------------------------------------------------------------


def test_contact_create_read_update_archive(
    live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any
) -> None:
    email = f"ada.{_tag()}@example.com"
    created = _create_contact(hubspot_sdk, email=email, firstname="Ada", lastname="Lovelace")
    assert isinstance(created, hs_contacts.SimplePublicObject)
    assert created.id.isdigit()
    assert created.properties["email"] == email
    assert created.properties["firstname"] == "Ada"
    assert created.archived is False
    assert created.created_at is not None and created.updated_at is not None
    stored = _stored(live_sandbox, hs_portal, CONTACTS, created.id)
    assert stored is not None and stored.properties["email"] == email

    got = hubspot_sdk.crm.contacts.basic_api.get_by_id(
        created.id, properties=["email", "firstname", "lastname"]
    )
    assert isinstance(got, hs_contacts.SimplePublicObjectWithAssociations)
    assert got.id == created.id
    assert got.properties["lastname"] == "Lovelace"

    updated = hubspot_sdk.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"firstname": "Augusta"})
    )
    assert updated.id == created.id
    assert updated.properties["firstname"] == "Augusta"
    assert stored.properties["firstname"] == "Augusta"
    again = hubspot_sdk.crm.contacts.basic_api.get_by_id(created.id, properties=["firstname"])
    assert again.properties["firstname"] == "Augusta"

    assert hubspot_sdk.crm.contacts.basic_api.archive(created.id) is None
    assert stored.archived is True
    with pytest.raises(NotFoundException) as exc:
        hubspot_sdk.crm.contacts.basic_api.get_by_id(created.id)
    assert exc.value.status == 404


def test_contact_get_by_email_id_property(hubspot_sdk: Any) -> None:
    email = f"grace.{_tag()}@example.com"
    created = _create_contact(hubspot_sdk, email=email, firstname="Grace")
    got = hubspot_sdk.crm.contacts.basic_api.get_by_id(email, id_property="email", properties=["firstname"])
    assert got.id == created.id
    assert got.properties["firstname"] == "Grace"


def test_contact_get_page_and_get_all(
    live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any
) -> None:
    live_ids = {
        str(r.id)
        for r in live_sandbox.sandbox.hubspot.portals[hs_portal["portal_id"]]
        .tables[CONTACTS]
        .records.values()
        if not r.archived
    }
    assert len(live_ids) > 3, "the seeded portal should hold a few contacts"
    first = hubspot_sdk.crm.contacts.basic_api.get_page(limit=2, properties=["email"])
    assert isinstance(first, hs_contacts.CollectionResponseSimplePublicObjectWithAssociationsForwardPaging)
    assert len(first.results) == 2
    assert first.paging is not None and first.paging.next.after
    second = hubspot_sdk.crm.contacts.basic_api.get_page(limit=2, after=first.paging.next.after)
    assert {r.id for r in first.results}.isdisjoint({r.id for r in second.results})

    everything = hubspot_sdk.crm.contacts.get_all()
    ids = [r.id for r in everything]
    assert len(ids) == len(set(ids)), "paging repeated a record"
    assert set(ids) == live_ids


def test_duplicate_email_conflict(hubspot_sdk: Any) -> None:
    email = f"dup.{_tag()}@example.com"
    first = _create_contact(hubspot_sdk, email=email)
    with pytest.raises(ApiException) as exc:
        _create_contact(hubspot_sdk, email=email)
    assert exc.value.status == 409
    body = json.loads(exc.value.body)
    assert body["category"] == "CONFLICT"
    assert body["status"] == "error"
    assert body["correlationId"]
    match = re.search(r"Existing ID: (\d+)", body["message"])
    assert match is not None and match.group(1) == first.id


def test_missing_record_is_not_found(hubspot_sdk: Any) -> None:
    with pytest.raises(NotFoundException) as exc:
        hubspot_sdk.crm.contacts.basic_api.get_by_id("987654321")
    assert exc.value.status == 404
    body = json.loads(exc.value.body)
    assert body["status"] == "error" and body["correlationId"]


# --- contacts: batch API ------------------------------------------------------------------------------


def test_contact_batch_create_read_update_archive(
    live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any
) -> None:
    tag = _tag()
    batch = hubspot_sdk.crm.contacts.batch_api
    created = batch.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"email": f"b{i}.{tag}@example.com"})
                for i in range(3)
            ]
        )
    )
    assert isinstance(created, hs_contacts.BatchResponseSimplePublicObject)
    assert created.status == "COMPLETE"
    assert sorted(r.properties["email"] for r in created.results) == [
        f"b{i}.{tag}@example.com" for i in range(3)
    ]
    ids = [r.id for r in created.results]
    for record_id in ids:
        assert _stored(live_sandbox, hs_portal, CONTACTS, record_id) is not None

    read = batch.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in ids], properties=["email"], properties_with_history=[]
        )
    )
    assert sorted(r.id for r in read.results) == sorted(ids)

    updated = batch.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=i, properties={"lastname": "Batched"}) for i in ids]
        )
    )
    assert {r.id for r in updated.results} == set(ids)
    assert all(r.properties["lastname"] == "Batched" for r in updated.results)
    assert _stored(live_sandbox, hs_portal, CONTACTS, ids[0]).properties["lastname"] == "Batched"

    assert (
        batch.archive(BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=i) for i in ids]))
        is None
    )
    assert all(_stored(live_sandbox, hs_portal, CONTACTS, i).archived for i in ids)


def test_contact_batch_upsert_by_email(
    live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any
) -> None:
    tag = _tag()
    existing = _create_contact(hubspot_sdk, email=f"old.{tag}@example.com", firstname="Old")
    result = hubspot_sdk.crm.contacts.batch_api.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id=f"old.{tag}@example.com", id_property="email", properties={"firstname": "Renewed"}
                ),
                SimplePublicObjectBatchInputUpsert(
                    id=f"new.{tag}@example.com", id_property="email", properties={"firstname": "Fresh"}
                ),
            ]
        )
    )
    assert isinstance(result, hs_contacts.BatchResponseSimplePublicUpsertObject)
    by_name = {r.properties["firstname"]: r for r in result.results}
    assert by_name["Renewed"].id == existing.id and by_name["Renewed"].new is False
    assert by_name["Fresh"].new is True
    assert (
        _stored(live_sandbox, hs_portal, CONTACTS, by_name["Fresh"].id).properties["email"]
        == f"new.{tag}@example.com"
    )
    assert _stored(live_sandbox, hs_portal, CONTACTS, existing.id).properties["firstname"] == "Renewed"


# --- contacts: search ---------------------------------------------------------------------------------


def test_contact_search_eq_on_email(hubspot_sdk: Any) -> None:
    tag = _tag()
    target = _create_contact(hubspot_sdk, email=f"find.{tag}@example.com", firstname="Findme")
    _create_contact(hubspot_sdk, email=f"other.{tag}@example.com")
    found = _search(
        hubspot_sdk,
        filters=[Filter(property_name="email", operator="EQ", value=f"find.{tag}@example.com")],
        properties=["email", "firstname"],
    )
    assert isinstance(found, hs_contacts.CollectionResponseWithTotalSimplePublicObjectForwardPaging)
    assert found.total == 1
    assert [r.id for r in found.results] == [target.id]
    assert found.results[0].properties["firstname"] == "Findme"


def test_contact_search_contains_token_sorted_and_paged(hubspot_sdk: Any) -> None:
    tag = _tag()
    for first in ("Carol", "Alice", "Bob"):
        _create_contact(
            hubspot_sdk, email=f"{first.lower()}.{tag}@example.com", firstname=first, lastname=tag
        )
    filters = [Filter(property_name="lastname", operator="CONTAINS_TOKEN", value=tag)]
    sorts = [{"propertyName": "firstname", "direction": "ASCENDING"}]
    page1 = _search(hubspot_sdk, filters=filters, sorts=sorts, properties=["firstname"], limit=2)
    assert page1.total == 3
    assert [r.properties["firstname"] for r in page1.results] == ["Alice", "Bob"]
    assert page1.paging is not None and page1.paging.next.after
    page2 = _search(
        hubspot_sdk,
        filters=filters,
        sorts=sorts,
        properties=["firstname"],
        limit=2,
        after=page1.paging.next.after,
    )
    assert [r.properties["firstname"] for r in page2.results] == ["Carol"]
    assert page2.paging is None or page2.paging.next is None

    descending = _search(
        hubspot_sdk,
        filters=filters,
        sorts=[{"propertyName": "firstname", "direction": "DESCENDING"}],
        properties=["firstname"],
    )
    assert [r.properties["firstname"] for r in descending.results] == ["Carol", "Bob", "Alice"]


# --- companies and deals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("object_name", "package", "type_id", "props", "search_prop"),
    [
        ("companies", hs_companies, "0-2", {"name": "{tag} Widgets", "domain": "{tag}.example"}, "name"),
        ("deals", hs_deals, "0-3", {"dealname": "{tag} renewal", "amount": "1200"}, "dealname"),
    ],
)
def test_company_and_deal_basic_and_search(
    live_sandbox: LiveSandbox,
    hs_portal: dict[str, Any],
    hubspot_sdk: Any,
    object_name: str,
    package: Any,
    type_id: str,
    props: dict[str, str],
    search_prop: str,
) -> None:
    tag = _tag()
    api = getattr(hubspot_sdk.crm, object_name)
    values = {k: v.format(tag=tag) for k, v in props.items()}
    if object_name == "deals":  # HubSpot requires a deal stage (and its pipeline) on create
        pipeline = hubspot_sdk.crm.pipelines.pipelines_api.get_all("deals").results[0]
        values |= {"pipeline": pipeline.id, "dealstage": pipeline.stages[0].id}
    created = api.basic_api.create(package.SimplePublicObjectInputForCreate(properties=values))
    assert isinstance(created, package.SimplePublicObject)
    for key, value in values.items():
        assert created.properties[key] == value
    assert (
        _stored(live_sandbox, hs_portal, type_id, created.id).properties[search_prop] == values[search_prop]
    )

    got = api.basic_api.get_by_id(created.id, properties=list(values))
    assert got.properties[search_prop] == values[search_prop]

    updated = api.basic_api.update(
        created.id, package.SimplePublicObjectInput(properties={"description": tag})
    )
    assert updated.properties["description"] == tag

    page = api.basic_api.get_page(limit=5)
    assert 0 < len(page.results) <= 5

    found = api.search_api.do_search(
        public_object_search_request=package.PublicObjectSearchRequest(
            filter_groups=[
                package.FilterGroup(
                    filters=[package.Filter(property_name=search_prop, operator="CONTAINS_TOKEN", value=tag)]
                )
            ],
            properties=[search_prop],
        )
    )
    assert found.total == 1 and found.results[0].id == created.id

    api.basic_api.archive(created.id)
    assert _stored(live_sandbox, hs_portal, type_id, created.id).archived is True


@pytest.mark.parametrize(
    ("object_name", "package", "type_id", "name_prop"),
    [("companies", hs_companies, "0-2", "name"), ("deals", hs_deals, "0-3", "dealname")],
)
def test_company_and_deal_batch_create_read_update_archive(
    live_sandbox: LiveSandbox,
    hs_portal: dict[str, Any],
    hubspot_sdk: Any,
    object_name: str,
    package: Any,
    type_id: str,
    name_prop: str,
) -> None:
    tag = _tag()
    extra: dict[str, str] = {}
    if object_name == "deals":
        pipeline = hubspot_sdk.crm.pipelines.pipelines_api.get_all("deals").results[0]
        extra = {"pipeline": pipeline.id, "dealstage": pipeline.stages[0].id}
    batch = getattr(hubspot_sdk.crm, object_name).batch_api
    created = batch.create(
        package.BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                package.SimplePublicObjectBatchInputForCreate(properties={name_prop: f"{tag} {i}", **extra})
                for i in range(3)
            ]
        )
    )
    assert isinstance(created, package.BatchResponseSimplePublicObject) and created.status == "COMPLETE"
    ids = sorted(r.id for r in created.results)
    assert sorted(_stored(live_sandbox, hs_portal, type_id, i).properties[name_prop] for i in ids) == [
        f"{tag} {i}" for i in range(3)
    ]

    read = batch.read(
        package.BatchReadInputSimplePublicObjectId(
            inputs=[package.SimplePublicObjectId(id=i) for i in ids],
            properties=[name_prop],
            properties_with_history=[],
        )
    )
    assert sorted(r.id for r in read.results) == ids

    updated = batch.update(
        package.BatchInputSimplePublicObjectBatchInput(
            inputs=[
                package.SimplePublicObjectBatchInput(id=i, properties={name_prop: f"{tag} renamed"})
                for i in ids
            ]
        )
    )
    assert all(r.properties[name_prop] == f"{tag} renamed" for r in updated.results)
    assert _stored(live_sandbox, hs_portal, type_id, ids[0]).properties[name_prop] == f"{tag} renamed"

    batch.archive(
        package.BatchInputSimplePublicObjectId(inputs=[package.SimplePublicObjectId(id=i) for i in ids])
    )
    assert all(_stored(live_sandbox, hs_portal, type_id, i).archived for i in ids)

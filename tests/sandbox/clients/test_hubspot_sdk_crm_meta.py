"""The official ``hubspot-api-client`` against the sandbox: associations v4, pipelines, properties, owners."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    BatchResponseLabelsBetweenObjectPair,
    BatchResponsePublicAssociationMultiWithLabel,
    BatchResponsePublicDefaultAssociation,
    CollectionResponseMultiAssociatedObjectWithLabelForwardPaging,
    LabelsBetweenObjectPair,
    PublicAssociationMultiArchive,
    PublicAssociationMultiPost,
    PublicDefaultAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
    PublicObjectId,
)
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyInput
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactInput
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealInput
from hubspot.crm.owners import CollectionResponsePublicOwnerForwardPaging
from hubspot.crm.pipelines import CollectionResponsePipelineNoPaging, CollectionResponsePipelineStageNoPaging
from hubspot.crm.properties import CollectionResponsePropertyNoPaging, ModelProperty
from hubspot.crm.properties.exceptions import NotFoundException as PropertyNotFound

from ...live import LiveSandbox

pytestmark = pytest.mark.network

CONTACT, COMPANY, DEAL = "0-1", "0-2", "0-3"
CONTACT_TO_COMPANY_UNLABELED = 279
CONTACT_TO_COMPANY_PRIMARY = 1
DEAL_TO_CONTACT = 3


def _kinds(
    live_sandbox: LiveSandbox, portal: dict[str, Any], a: tuple[str, str], b: tuple[str, str]
) -> set[int]:
    store = live_sandbox.sandbox.hubspot.portals[portal["portal_id"]].associations
    return {k.type_id for k in store.kinds((a[0], int(a[1])), (b[0], int(b[1])))}


def _contact(hubspot_sdk: Any) -> str:
    email = f"a.{uuid.uuid4().hex[:10]}@example.com"
    return str(hubspot_sdk.crm.contacts.basic_api.create(ContactInput(properties={"email": email})).id)


def _company(hubspot_sdk: Any) -> str:
    name = f"Co {uuid.uuid4().hex[:8]}"
    return str(hubspot_sdk.crm.companies.basic_api.create(CompanyInput(properties={"name": name})).id)


def _deal(hubspot_sdk: Any) -> str:
    # HubSpot requires a stage on deal creation (and the pipeline it belongs to).
    pipeline = hubspot_sdk.crm.pipelines.pipelines_api.get_all("deals").results[0]
    props = {
        "dealname": f"Deal {uuid.uuid4().hex[:8]}",
        "pipeline": pipeline.id,
        "dealstage": pipeline.stages[0].id,
    }
    return str(hubspot_sdk.crm.deals.basic_api.create(DealInput(properties=props)).id)


# --- associations v4 ----------------------------------------------------------------------------------


def test_association_default_labelled_list_and_archive(
    live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any
) -> None:
    basic = hubspot_sdk.crm.associations.v4.basic_api
    contact, company = _contact(hubspot_sdk), _company(hubspot_sdk)

    default = basic.create_default("contacts", contact, "companies", company)
    assert isinstance(default, BatchResponsePublicDefaultAssociation)
    assert default.status == "COMPLETE"
    pair = next(
        r for r in default.results if r.association_spec.association_type_id == CONTACT_TO_COMPANY_UNLABELED
    )
    assert pair._from.id == contact and pair.to.id == company
    assert pair.association_spec.association_category == "HUBSPOT_DEFINED"
    assert CONTACT_TO_COMPANY_UNLABELED in _kinds(
        live_sandbox, hs_portal, (CONTACT, contact), (COMPANY, company)
    )

    labelled = basic.create(
        "contacts",
        contact,
        "companies",
        company,
        [
            AssociationSpec(
                association_category="HUBSPOT_DEFINED", association_type_id=CONTACT_TO_COMPANY_PRIMARY
            )
        ],
    )
    assert isinstance(labelled, LabelsBetweenObjectPair)
    assert labelled.from_object_type_id == CONTACT and labelled.to_object_type_id == COMPANY
    assert str(labelled.from_object_id) == contact and str(labelled.to_object_id) == company
    assert "Primary" in labelled.labels
    assert CONTACT_TO_COMPANY_PRIMARY in _kinds(
        live_sandbox, hs_portal, (CONTACT, contact), (COMPANY, company)
    )

    page = basic.get_page("contacts", contact, "companies", limit=500)
    assert isinstance(page, CollectionResponseMultiAssociatedObjectWithLabelForwardPaging)
    assert [str(r.to_object_id) for r in page.results] == [company]
    type_ids = {t.type_id for t in page.results[0].association_types}
    assert {CONTACT_TO_COMPANY_UNLABELED, CONTACT_TO_COMPANY_PRIMARY} <= type_ids
    primary = next(t for t in page.results[0].association_types if t.type_id == CONTACT_TO_COMPANY_PRIMARY)
    assert primary.label == "Primary" and primary.category == "HUBSPOT_DEFINED"

    # The inverse direction is visible from the company side.
    back = basic.get_page("companies", company, "contacts")
    assert [str(r.to_object_id) for r in back.results] == [contact]

    assert basic.archive("contacts", contact, "companies", company) is None
    assert _kinds(live_sandbox, hs_portal, (CONTACT, contact), (COMPANY, company)) == set()
    assert basic.get_page("contacts", contact, "companies").results == []


def test_association_batch_create_read_archive(
    live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any
) -> None:
    batch = hubspot_sdk.crm.associations.v4.batch_api
    deal = _deal(hubspot_sdk)
    contacts = [_contact(hubspot_sdk) for _ in range(2)]

    created = batch.create(
        "deals",
        "contacts",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id=deal),
                    to=PublicObjectId(id=c),
                    types=[
                        AssociationSpec(
                            association_category="HUBSPOT_DEFINED", association_type_id=DEAL_TO_CONTACT
                        )
                    ],
                )
                for c in contacts
            ]
        ),
    )
    assert isinstance(created, BatchResponseLabelsBetweenObjectPair)
    assert sorted(str(r.to_object_id) for r in created.results) == sorted(contacts)
    for c in contacts:
        assert DEAL_TO_CONTACT in _kinds(live_sandbox, hs_portal, (DEAL, deal), (CONTACT, c))

    company = _company(hubspot_sdk)
    defaults = batch.create_default(
        "deals",
        "companies",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[
                PublicDefaultAssociationMultiPost(
                    _from=PublicObjectId(id=deal), to=PublicObjectId(id=company)
                )
            ]
        ),
    )
    assert isinstance(defaults, BatchResponsePublicDefaultAssociation)
    assert any(r.to.id == company for r in defaults.results)
    assert _kinds(live_sandbox, hs_portal, (DEAL, deal), (COMPANY, company))

    read = batch.get_page(
        "deals",
        "contacts",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=deal)]),
    )
    assert isinstance(read, BatchResponsePublicAssociationMultiWithLabel)
    assert len(read.results) == 1 and read.results[0]._from.id == deal
    assert sorted(str(t.to_object_id) for t in read.results[0].to) == sorted(contacts)

    archived = batch.archive(
        "deals",
        "contacts",
        BatchInputPublicAssociationMultiArchive(
            inputs=[
                PublicAssociationMultiArchive(
                    _from=PublicObjectId(id=deal), to=[PublicObjectId(id=contacts[0])]
                )
            ]
        ),
    )
    assert archived is None
    assert _kinds(live_sandbox, hs_portal, (DEAL, deal), (CONTACT, contacts[0])) == set()
    assert DEAL_TO_CONTACT in _kinds(live_sandbox, hs_portal, (DEAL, deal), (CONTACT, contacts[1]))


# --- pipelines ----------------------------------------------------------------------------------------


def test_deal_pipelines_and_stages(
    live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any
) -> None:
    stored = live_sandbox.sandbox.hubspot.portals[hs_portal["portal_id"]].pipelines[DEAL]
    pipelines = hubspot_sdk.crm.pipelines.pipelines_api.get_all("deals")
    assert isinstance(pipelines, CollectionResponsePipelineNoPaging)
    assert [p.id for p in pipelines.results] == [p.id for p in stored if not p.archived]
    first = pipelines.results[0]
    assert first.label == stored[0].label
    assert [s.id for s in first.stages] == [s.id for s in stored[0].stages if not s.archived]
    assert all("probability" in s.metadata for s in first.stages)

    one = hubspot_sdk.crm.pipelines.pipelines_api.get_by_id("deals", first.id)
    assert one.id == first.id and len(one.stages) == len(first.stages)

    stages = hubspot_sdk.crm.pipelines.pipeline_stages_api.get_all("deals", first.id)
    assert isinstance(stages, CollectionResponsePipelineStageNoPaging)
    assert [s.id for s in stages.results] == [s.id for s in first.stages]
    assert [s.display_order for s in stages.results] == sorted(s.display_order for s in stages.results)


# --- properties ---------------------------------------------------------------------------------------


def test_contact_properties(live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any) -> None:
    stored = live_sandbox.sandbox.hubspot.portals[hs_portal["portal_id"]].properties[CONTACT]
    everything = hubspot_sdk.crm.properties.core_api.get_all("contacts")
    assert isinstance(everything, CollectionResponsePropertyNoPaging)
    names = {p.name for p in everything.results}
    assert {"email", "firstname", "lastname", "lifecyclestage"} <= names
    assert names == {name for name, p in stored.items() if not p.archived}

    email = hubspot_sdk.crm.properties.core_api.get_by_name("contacts", "email")
    assert isinstance(email, ModelProperty)
    assert (email.name, email.type, email.field_type) == ("email", "string", "text")
    assert email.group_name == stored["email"].group_name

    stage = hubspot_sdk.crm.properties.core_api.get_by_name("contacts", "lifecyclestage")
    assert stage.type == "enumeration"
    assert [o.value for o in stage.options] == [o.value for o in stored["lifecyclestage"].options]

    with pytest.raises(PropertyNotFound):
        hubspot_sdk.crm.properties.core_api.get_by_name("contacts", "no_such_property_xyz")


# --- owners -------------------------------------------------------------------------------------------


def test_owners_page(live_sandbox: LiveSandbox, hs_portal: dict[str, Any], hubspot_sdk: Any) -> None:
    stored = {
        o.id: o for o in live_sandbox.sandbox.hubspot.portals[hs_portal["portal_id"]].owners if not o.archived
    }
    assert stored, "a seeded portal has owners"
    page = hubspot_sdk.crm.owners.owners_api.get_page(limit=100)
    assert isinstance(page, CollectionResponsePublicOwnerForwardPaging)
    listed = [o.id for o in page.results]
    assert sorted(listed) == sorted(stored)
    for owner in page.results:
        expected = stored[owner.id]
        assert (owner.email, owner.user_id, owner.first_name) == (
            expected.email,
            expected.user_id,
            expected.first_name,
        )
        assert owner.type == "PERSON" and owner.archived is False

    some = page.results[0]
    by_email = hubspot_sdk.crm.owners.owners_api.get_page(email=some.email)
    assert [o.id for o in by_email.results] == [some.id]

    if len(listed) > 1:
        one = hubspot_sdk.crm.owners.owners_api.get_page(limit=1)
        assert [o.id for o in one.results] == listed[:1]
        assert one.paging.next.after
        rest = hubspot_sdk.crm.owners.owners_api.get_page(limit=100, after=one.paging.next.after)
        assert [o.id for o in rest.results] == listed[1:]

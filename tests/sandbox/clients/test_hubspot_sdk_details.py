"""Finer points of the object APIs through the official SDK: history, archived reads, associations on
records, search defaults, batch conflicts and authentication errors."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyInput
from hubspot.crm.contacts import (
    AssociationSpec,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
    ValueWithTimestamp,
)
from hubspot.crm.contacts.exceptions import ApiException, UnauthorizedException

from ...live import LiveSandbox

pytestmark = pytest.mark.network

CONTACT_SEARCH_DEFAULTS = {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}


def _email() -> str:
    return f"d.{uuid.uuid4().hex[:10]}@example.com"


def test_properties_with_history(live_sandbox: LiveSandbox, hubspot_sdk: Any) -> None:
    created = hubspot_sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": _email(), "firstname": "One"})
    )
    live_sandbox.control.post("/_sandbox/clock", json={"advance_seconds": 5})
    hubspot_sdk.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"firstname": "Two"})
    )
    got = hubspot_sdk.crm.contacts.basic_api.get_by_id(created.id, properties_with_history=["firstname"])
    history = got.properties_with_history["firstname"]
    assert all(isinstance(h, ValueWithTimestamp) for h in history)
    assert [h.value for h in history] == ["Two", "One"], "newest first"
    assert history[0].timestamp > history[1].timestamp
    assert history[0].source_type


def test_archived_record_is_readable_with_archived_true(hubspot_sdk: Any) -> None:
    created = hubspot_sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": _email()})
    )
    hubspot_sdk.crm.contacts.basic_api.archive(created.id)
    got = hubspot_sdk.crm.contacts.basic_api.get_by_id(created.id, archived=True)
    assert got.id == created.id
    assert got.archived is True and got.archived_at is not None
    page_ids = {r.id for r in hubspot_sdk.crm.contacts.get_all()}
    assert created.id not in page_ids
    archived_page = hubspot_sdk.crm.contacts.basic_api.get_page(archived=True, limit=100)
    assert created.id in {r.id for r in archived_page.results}


def test_create_with_associations_and_read_them_back(hubspot_sdk: Any) -> None:
    company = hubspot_sdk.crm.companies.basic_api.create(
        CompanyInput(properties={"name": f"Acme {uuid.uuid4().hex[:6]}"})
    )
    contact = hubspot_sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": _email()},
            associations=[
                PublicAssociationsForObject(
                    to=PublicObjectId(id=company.id),
                    types=[AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=279)],
                )
            ],
        )
    )
    got = hubspot_sdk.crm.contacts.basic_api.get_by_id(contact.id, associations=["companies"])
    assert got.associations is not None
    linked = got.associations["companies"].results
    assert company.id in [a.id for a in linked]
    assert all(a.type for a in linked)


def test_search_returns_the_default_contact_properties(hubspot_sdk: Any) -> None:
    email = _email()
    hubspot_sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": email, "firstname": "Def", "phone": "+1555"})
    )
    found = hubspot_sdk.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=[Filter(property_name="email", operator="EQ", value=email)])]
        )
    )
    assert found.total == 1
    assert set(found.results[0].properties) == CONTACT_SEARCH_DEFAULTS
    assert found.results[0].properties["hs_object_id"] == found.results[0].id


def test_batch_create_reports_a_duplicate_email_as_409(hubspot_sdk: Any) -> None:
    email = _email()
    first = hubspot_sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": email})
    )
    with pytest.raises(ApiException) as exc:
        hubspot_sdk.crm.contacts.batch_api.create(
            BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[
                    SimplePublicObjectBatchInputForCreate(properties={"email": _email()}),
                    SimplePublicObjectBatchInputForCreate(properties={"email": email}),
                ]
            )
        )
    assert exc.value.status == 409
    body = json.loads(exc.value.body)
    assert body["category"] == "CONFLICT"
    match = re.search(r"Existing ID: (\d+)", body["message"])
    assert match is not None and match.group(1) == first.id


def test_batch_read_by_email_id_property(hubspot_sdk: Any) -> None:
    emails = [_email(), _email()]
    ids = [
        hubspot_sdk.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": e})
        ).id
        for e in emails
    ]
    read = hubspot_sdk.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=e) for e in emails],
            id_property="email",
            properties=["email"],
            properties_with_history=[],
        )
    )
    assert sorted(r.id for r in read.results) == sorted(ids)
    assert {r.properties["email"] for r in read.results} == set(emails)


def test_bad_token_is_unauthorized(live_sandbox: LiveSandbox) -> None:
    client = HubSpot(
        access_token="pat-na1-00000000-0000-0000-0000-000000000000", host=f"{live_sandbox.root}/hubspot"
    )
    with pytest.raises(UnauthorizedException) as exc:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert exc.value.status == 401
    body = json.loads(exc.value.body)
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert body["status"] == "error" and body["correlationId"]

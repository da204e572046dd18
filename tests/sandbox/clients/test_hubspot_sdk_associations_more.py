"""The official ``hubspot-api-client`` on association limits (v4 definition configurations) and the v3
associations API (batch read/create/archive, types), over the same associations v4 serves."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.associations import (
    ApiException as V3ApiException,
)
from hubspot.crm.associations import (
    BatchInputPublicAssociation,
    BatchInputPublicObjectId,
    PublicAssociation,
    PublicObjectId,
)
from hubspot.crm.associations.v4 import ApiException as V4ApiException
from hubspot.crm.associations.v4 import AssociationSpec
from hubspot.crm.associations.v4.schema import (
    ApiException as SchemaApiException,
)
from hubspot.crm.associations.v4.schema import (
    BatchInputPublicAssociationDefinitionConfigurationCreateRequest,
    BatchInputPublicAssociationDefinitionConfigurationUpdateRequest,
    BatchInputPublicAssociationSpec,
    PublicAssociationDefinitionConfigurationCreateRequest,
    PublicAssociationDefinitionConfigurationUpdateRequest,
    PublicAssociationSpec,
)
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyInput
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactInput

pytestmark = pytest.mark.network


def _records(client: Any) -> tuple[str, str, str]:
    contact = client.crm.contacts.basic_api.create(ContactInput(properties={"firstname": "Ann"}))
    acme = client.crm.companies.basic_api.create(CompanyInput(properties={"name": "Acme"}))
    globex = client.crm.companies.basic_api.create(CompanyInput(properties={"name": "Globex"}))
    return contact.id, acme.id, globex.id


def test_limits_configured_read_and_enforced(hubspot_sdk: Any) -> None:
    api = hubspot_sdk.crm.associations.v4.schema.definition_configurations_api
    before = api.get_all_between_two_object_types("contacts", "companies")
    assert [(c.type_id, c.label) for c in before.results] == [(279, None), (1, "Primary")]
    assert all(c.user_enforced_max_to_object_ids is None for c in before.results)

    created = api.batch_create(
        "contacts",
        "companies",
        BatchInputPublicAssociationDefinitionConfigurationCreateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationCreateRequest(
                    category="HUBSPOT_DEFINED", type_id=1, max_to_object_ids=1
                )
            ]
        ),
    )
    assert created.status == "COMPLETE" and created.completed_at >= created.started_at
    (config,) = created.results
    assert (config.type_id, config.label, config.user_enforced_max_to_object_ids) == (1, "Primary", 1)
    assert [(c.type_id, c.user_enforced_max_to_object_ids) for c in api.get_all().results] == [(1, 1)]

    contact, acme, globex = _records(hubspot_sdk)
    basic = hubspot_sdk.crm.associations.v4.basic_api
    primary = [AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)]
    assert basic.create("contacts", contact, "companies", acme, primary).labels == ["Primary"]
    with pytest.raises(V4ApiException) as caught:
        basic.create("contacts", contact, "companies", globex, primary)
    body = json.loads(caught.value.body)
    assert caught.value.status == 400 and body["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"

    updated = api.batch_update(
        "contacts",
        "companies",
        BatchInputPublicAssociationDefinitionConfigurationUpdateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationUpdateRequest(
                    category="HUBSPOT_DEFINED", type_id=1, max_to_object_ids=2
                )
            ]
        ),
    )
    assert updated.results[0].user_enforced_max_to_object_ids == 2
    assert basic.create("contacts", contact, "companies", globex, primary).labels == ["Primary"]

    api.batch_remove(
        "contacts",
        "companies",
        BatchInputPublicAssociationSpec(
            inputs=[PublicAssociationSpec(category="HUBSPOT_DEFINED", type_id=1)]
        ),
    )
    assert api.get_all().results == []


def test_limit_inputs_refused(hubspot_sdk: Any) -> None:
    api = hubspot_sdk.crm.associations.v4.schema.definition_configurations_api
    with pytest.raises(SchemaApiException) as caught:
        api.batch_create(
            "contacts",
            "companies",
            BatchInputPublicAssociationDefinitionConfigurationCreateRequest(
                inputs=[
                    PublicAssociationDefinitionConfigurationCreateRequest(
                        category="HUBSPOT_DEFINED", type_id=1, max_to_object_ids=0
                    )
                ]
            ),
        )
    assert caught.value.status == 400
    assert json.loads(caught.value.body)["category"] == "VALIDATION_ERROR"
    # an unknown type is a per-input error: 207 with the errors model
    answer = api.batch_create(
        "contacts",
        "companies",
        BatchInputPublicAssociationDefinitionConfigurationCreateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationCreateRequest(
                    category="HUBSPOT_DEFINED", type_id=3, max_to_object_ids=2
                )
            ]
        ),
    )
    assert answer.num_errors == 1 and answer.errors[0].category == "OBJECT_NOT_FOUND"


def test_v3_types_create_read_archive(hubspot_sdk: Any) -> None:
    types = hubspot_sdk.crm.associations.schema.types_api.get_all("contacts", "companies")
    assert {(t.id, t.name) for t in types.results} == {
        ("279", "contact_to_company_unlabeled"),
        ("1", "contact_to_company"),
    }
    contact, acme, globex = _records(hubspot_sdk)
    batch = hubspot_sdk.crm.associations.batch_api
    made = batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociation(
            inputs=[
                PublicAssociation(
                    _from=PublicObjectId(id=contact), to=PublicObjectId(id=acme), type="contact_to_company"
                ),
                PublicAssociation(
                    _from=PublicObjectId(id=contact),
                    to=PublicObjectId(id=globex),
                    type="contact_to_company_unlabeled",
                ),
            ]
        ),
    )
    assert [(r._from.id, r.to.id, r.type) for r in made.results] == [
        (contact, acme, "contact_to_company"),
        (contact, globex, "contact_to_company_unlabeled"),
    ]
    # v4 sees what v3 wrote
    page = hubspot_sdk.crm.associations.v4.basic_api.get_page("contacts", contact, "companies")
    assert {(str(r.to_object_id), t.type_id) for r in page.results for t in r.association_types} == {
        (acme, 1),
        (acme, 279),
        (globex, 279),
    }
    read = batch.read("companies", "contacts", BatchInputPublicObjectId(inputs=[PublicObjectId(id=acme)]))
    assert [(t.id, t.type) for t in read.results[0].to] == [
        (contact, "company_to_contact"),
        (contact, "company_to_contact_unlabeled"),
    ]
    batch.archive(
        "contacts",
        "companies",
        BatchInputPublicAssociation(
            inputs=[
                PublicAssociation(
                    _from=PublicObjectId(id=contact),
                    to=PublicObjectId(id=globex),
                    type="contact_to_company_unlabeled",
                )
            ]
        ),
    )
    read = batch.read("contacts", "companies", BatchInputPublicObjectId(inputs=[PublicObjectId(id=contact)]))
    assert {t.id for t in read.results[0].to} == {acme}


def test_v3_missing_records_and_bad_bodies(hubspot_sdk: Any) -> None:
    batch = hubspot_sdk.crm.associations.batch_api
    read = batch.read(
        "contacts", "companies", BatchInputPublicObjectId(inputs=[PublicObjectId(id="987654321")])
    )
    assert read.results == [] and read.num_errors == 1 and read.errors[0].category == "OBJECT_NOT_FOUND"
    with pytest.raises(V3ApiException) as caught:
        batch.archive(
            "contacts",
            "companies",
            BatchInputPublicAssociation(
                inputs=[
                    PublicAssociation(_from=PublicObjectId(id="1"), to=PublicObjectId(id="2"), type="nope")
                ]
            ),
        )
    assert caught.value.status == 400
    assert "not a valid association type" in json.loads(caught.value.body)["message"]

"""The official ``hubspot-api-client`` on custom object schema writes (update, archive, purge, association
definitions), record merges of the four mergeable types, and the contacts GDPR delete."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import ApiException as AssociationsApiException
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import PublicGdprDeleteInput
from hubspot.crm.schemas import (
    ApiException as SchemasApiException,
)
from hubspot.crm.schemas import (
    AssociationDefinitionEgg,
    ObjectSchemaEgg,
    ObjectTypeDefinitionLabels,
    ObjectTypeDefinitionPatch,
    ObjectTypePropertyCreate,
)

from ...live import LiveSandbox

pytestmark = pytest.mark.network


def _enterprise(live_sandbox: LiveSandbox) -> tuple[HubSpot, dict[str, Any]]:
    portal = live_sandbox.new_portal(tier="enterprise")
    client = HubSpot(access_token=portal["private_app_token"], host=f"{live_sandbox.root}/hubspot")
    return client, portal


def _pets_egg() -> ObjectSchemaEgg:
    return ObjectSchemaEgg(
        name="pets",
        labels=ObjectTypeDefinitionLabels(singular="Pet", plural="Pets"),
        primary_display_property="pet_name",
        required_properties=["pet_name"],
        associated_objects=["CONTACT"],
        properties=[
            ObjectTypePropertyCreate(name="pet_name", label="Name", type="string", field_type="text"),
            ObjectTypePropertyCreate(name="breed", label="Breed", type="string", field_type="text"),
        ],
    )


def test_schema_update_associations_archive_and_purge(live_sandbox: LiveSandbox) -> None:
    client, portal = _enterprise(live_sandbox)
    api = client.crm.schemas.core_api
    schema = api.create(_pets_egg())
    type_id = schema.object_type_id
    updated = api.update(
        type_id,
        ObjectTypeDefinitionPatch(
            labels=ObjectTypeDefinitionLabels(singular="Pet", plural="Pets and more"),
            required_properties=["pet_name", "breed"],
            searchable_properties=["pet_name", "breed"],
            secondary_display_properties=["breed"],
            primary_display_property="breed",
            description="Animals our contacts own",
        ),
    )
    assert (updated.object_type_id, updated.portal_id) == (type_id, portal["portal_id"])
    assert updated.labels.plural == "Pets and more" and updated.primary_display_property == "breed"
    assert updated.required_properties == ["pet_name", "breed"] and updated.description
    assert updated.updated_at >= updated.created_at
    read = api.get_by_id(type_id)
    assert (read.secondary_display_properties, read.description) == (["breed"], "Animals our contacts own")
    with pytest.raises(SchemasApiException) as caught:
        api.update(type_id, ObjectTypeDefinitionPatch(required_properties=["ghost"]))
    assert caught.value.status == 400 and "ghost" in json.loads(caught.value.body)["message"]

    made = api.create_association(
        type_id,
        AssociationDefinitionEgg(from_object_type_id=type_id, to_object_type_id="0-3", name="pet_deal"),
    )
    assert (made.from_object_type_id, made.to_object_type_id, made.name) == (type_id, "0-3", "pet_deal")
    assert made.id in {a.id for a in api.get_by_id(type_id).associations}
    pet = client.crm.objects.basic_api.create(
        type_id, _object_input("hubspot.crm.objects", {"pet_name": "Rex", "breed": "Collie"})
    )
    deal_id = client.crm.deals.basic_api.get_page(limit=1).results[0].id
    v4 = client.crm.associations.v4.basic_api
    v4.create_default(type_id, pet.id, "deals", deal_id)
    linked = v4.get_page("deals", deal_id, type_id)
    assert [str(x.to_object_id) for x in linked.results] == [pet.id]
    api.archive_association(type_id, made.id)
    assert made.id not in {a.id for a in api.get_by_id(type_id).associations}
    with pytest.raises(AssociationsApiException) as refused:
        v4.create_default(type_id, pet.id, "deals", deal_id)
    assert refused.value.status == 400

    with pytest.raises(SchemasApiException) as still_used:
        api.archive(type_id)
    assert still_used.value.status == 400 and "1 record" in json.loads(still_used.value.body)["message"]
    client.crm.objects.basic_api.archive(type_id, pet.id)
    api.archive(type_id)
    assert [s.name for s in api.get_all().results] == ["cars"]
    assert [s.object_type_id for s in api.get_all(archived=True).results] == [type_id]
    with pytest.raises(SchemasApiException) as gone:
        api.get_by_id(type_id)
    assert gone.value.status == 404
    # The installed SDK has no purge method: the generic request helper reaches the spec's route.
    purged = client.api_request(
        {
            "method": "DELETE",
            "path": f"/crm-object-schemas/v3/schemas/{type_id}/purge",
            "base_url": f"{live_sandbox.root}/hubspot",
        }
    )
    assert purged.status_code == 204
    assert api.get_all(archived=True).results == []
    assert api.create(_pets_egg()).name == "pets"


def _object_input(package: str, properties: dict[str, str]) -> Any:
    module = importlib.import_module(package)
    return module.SimplePublicObjectInputForCreate(properties=properties)


@pytest.mark.parametrize("kind", ["contacts", "companies", "deals", "tickets"])
def test_merges_through_the_sdk(hubspot_sdk: Any, kind: str) -> None:
    api = getattr(hubspot_sdk.crm, kind).basic_api
    merge_input = importlib.import_module(f"hubspot.crm.{kind}").PublicMergeInput
    primary, other = (r.id for r in api.get_page(limit=2).results)
    merged = api.merge(merge_input(primary_object_id=primary, object_id_to_merge=other))
    assert merged.id == primary
    kept = api.get_by_id(primary, properties=["hs_merged_object_ids"])
    assert other in kept.properties["hs_merged_object_ids"].split(";")
    with pytest.raises(Exception) as caught:
        api.get_by_id(other)
    assert getattr(caught.value, "status", None) == 404
    with pytest.raises(Exception) as itself:
        api.merge(merge_input(primary_object_id=primary, object_id_to_merge=primary))
    assert getattr(itself.value, "status", None) == 400


def test_gdpr_delete_through_the_sdk(hubspot_sdk: Any) -> None:
    contacts = hubspot_sdk.crm.contacts.basic_api
    first, second = contacts.get_page(limit=2, properties=["email"]).results
    contacts.purge(PublicGdprDeleteInput(object_id=first.id))
    contacts.purge(PublicGdprDeleteInput(object_id=second.properties["email"], id_property="email"))
    for gone in (first, second):
        with pytest.raises(ContactsApiException) as caught:
            contacts.get_by_id(gone.id)
        assert caught.value.status == 404
        with pytest.raises(ContactsApiException) as binned:
            contacts.get_by_id(gone.id, archived=True)
        assert binned.value.status == 404
    with pytest.raises(ContactsApiException) as again:
        contacts.purge(PublicGdprDeleteInput(object_id=first.id))
    assert again.value.status == 404

"""Discovery of both CRMs from the sandbox: every object (the HubSpot custom object too), properties with
types and options, Pipedrive custom fields by hash key, pipelines, association types; versions and the
change report of a re-discovery."""

from __future__ import annotations

import re

import pytest

from crmbridge.discovery import SnapshotNotFound

from .env import USER, Env

CARS = "2-1000101"


def test_hubspot_finds_every_object_with_the_custom_one(env: Env) -> None:
    found = env.discover("hubspot")
    snap = found.snapshot
    names = {o.name for o in snap.objects}
    assert {"contacts", "companies", "deals", "tickets", "products", "line_items", "notes", CARS} <= names
    cars = snap.object(CARS)
    assert cars is not None and cars.custom and cars.label == "Car" and cars.primary_property == "vin"
    props = {p.key: p for p in cars.properties}
    assert props["vin"].unique and props["vin"].required_on_create and props["make"].required_on_create
    assert props["year"].type == "number"
    deals = {p.key: p for p in snap.object("deals").properties}  # type: ignore[union-attr]
    assert ("closedwon", "Closed Won") in {(o.value, o.label) for o in deals["dealstage"].options}
    assert deals["createdate"].read_only and not deals["amount"].read_only
    renewal = {p.key: p for p in snap.object("companies").properties}["renewal_date"]  # type: ignore[union-attr]
    assert renewal.type == "date" and renewal.custom and renewal.description
    sales = next(p for p in snap.pipelines if p.object == "deals" and p.id == "default")
    assert [s.id for s in sales.stages][-2:] == ["closedwon", "closedlost"]
    assert any(a.from_object == CARS and a.to_object == "0-1" for a in snap.associations)
    assert any(
        a.from_object == "contacts" and a.to_object == "companies" and a.type_id for a in snap.associations
    )
    summary = found.summary()
    assert summary["customObjects"] == [CARS] and summary["version"] == 1 and summary["properties"] > 100


def test_pipedrive_finds_custom_fields_by_hash_key(env: Env) -> None:
    snap = env.discover("pipedrive").snapshot
    assert [o.name for o in snap.objects] == [
        "deals", "persons", "organizations", "products", "activities", "leads", "notes",
    ]  # fmt: skip
    persons = {p.label: p for p in snap.object("persons").properties}  # type: ignore[union-attr]
    language = persons["Preferred language"]
    assert language.custom and re.fullmatch(r"[0-9a-f]{40}", language.key)
    assert [o.label for o in language.options] == ["English", "German", "French", "Spanish"]
    assert all(o.value.isdigit() for o in language.options)
    assert persons["Name"].required_on_create and persons["Person created"].read_only
    leads = {p.key for p in snap.object("leads").properties}  # type: ignore[union-attr]
    deal_custom = {p.key for p in snap.object("deals").properties if p.custom}  # type: ignore[union-attr]
    assert deal_custom and deal_custom <= leads  # leads share the deals' custom fields
    assert snap.pipelines and all(p.stages for p in snap.pipelines)
    assert ("notes", "deals") in {(a.from_object, a.to_object) for a in snap.associations}


def test_rediscovery_is_a_new_version_with_what_changed(env: Env) -> None:
    first = env.discover("hubspot")
    same = env.discover("hubspot")
    assert (first.version, same.version, same.changes) == (1, 2, {})
    body = {"name": "warranty_months", "label": "Warranty (months)", "type": "number", "fieldType": "number",
            "groupName": "cars_information"}  # fmt: skip
    assert env.hubspot("POST", f"/crm/v3/properties/{CARS}", json=body).status_code == 201
    assert env.hubspot("DELETE", "/crm/v3/properties/companies/renewal_date").status_code == 204
    third = env.discover("hubspot")
    assert third.version == 3
    assert third.changes["changed_objects"][CARS] == {"added_properties": ["warranty_months"]}
    assert third.changes["changed_objects"]["companies"] == {"removed_properties": ["renewal_date"]}
    # The stored versions stay readable.
    old = env.bridge.discovery.latest("hubspot", USER, version=1)
    assert old is not None and "renewal_date" in {p.key for p in old.snapshot.object("companies").properties}  # type: ignore[union-attr]


def test_browse_before_discovery_says_what_to_do(env: Env) -> None:
    with pytest.raises(SnapshotNotFound, match="run discovery first"):
        env.bridge.discovery.objects("hubspot", USER)


def test_browse_objects_and_one_object(env: Env) -> None:
    env.discover("hubspot")
    objects = {o["name"]: o for o in env.bridge.discovery.objects("hubspot", USER)}
    assert objects[CARS]["custom"] and objects[CARS]["label"] == "Car"
    car = env.bridge.discovery.object("hubspot", USER, "cars")
    assert car["name"] == CARS and {p["key"] for p in car["properties"]} >= {"vin", "make", "model"}
    assert {a["to"] for a in car["associations"] if a["from"] == CARS} == {"0-1", "0-2"}
    deals = env.bridge.discovery.object("hubspot", USER, "Deals")
    assert {p["id"] for p in deals["pipelines"]} >= {"default"}
    with pytest.raises(Exception, match="No object 'carz'") as info:
        env.bridge.discovery.object("hubspot", USER, "carz")
    assert CARS in info.value.details["candidates"]  # type: ignore[attr-defined]


def test_custom_objects_without_the_schema_scope_are_reported_not_fatal(env: Env) -> None:
    """A private app without crm.schemas.custom.read: standard objects are discovered, and the summary
    says why the custom ones are missing."""
    env.sandbox.hubspot.private_app_scopes = tuple(
        s for s in env.sandbox.hubspot.private_app_scopes if s != "crm.schemas.custom.read"
    )
    portal = env.sandbox.hubspot.create_portal(seed_value=3, contacts=3, companies=2, deals=2)
    env.bridge.add_connection("hs2", provider="hubspot", base_url="http://sandbox/hubspot")
    env.bridge.connect_api_key(connection_name="hs2", identifier=USER, api_key=portal.private_app_token)
    found = env.run(env.bridge.discovery.adiscover("hs2", USER))
    assert "contacts" in {o.name for o in found.snapshot.objects}
    assert not [o for o in found.snapshot.objects if o.custom]
    assert "crm.schemas.custom.read" in found.summary()["notes"]["custom_objects"]

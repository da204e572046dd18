"""Each grammar feature on both CRMs, compiled and run through the engine against the sandbox: find one by
a field, multi-filter, latest-sort, list-many with a limit, create, update by id, find-or-create (twice →
one record), a custom object read and write."""

from __future__ import annotations

from typing import Any

from tests.discovery.env import Env

from .helpers import CARS, compiled, data, run, search, write


def hs_search(env: Env, obj: str, body: dict[str, Any]) -> dict[str, Any]:
    r = env.hubspot("POST", f"/crm/v3/objects/{obj}/search", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def pd_list(env: Env, path: str, **params: Any) -> list[dict[str, Any]]:
    r = env.pipedrive("GET", path, params=params)
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()["data"]
    return rows


# -- HubSpot -----------------------------------------------------------------------------------


def test_hubspot_find_one_by_a_field_and_the_compiled_input(ready: Env) -> None:
    some = hs_search(ready, "contacts", {"limit": 1, "properties": ["email"]})["results"][0]
    binding = search(
        "find_contact",
        "contacts",
        [{"property": "email", "from": "email"}],
        properties=["email", "firstname"],
    )
    skill = compiled(ready, "hubspot", binding)
    assert skill.definition.input_schema["required"] == ["email"]
    assert skill.definition.annotations.read_only
    found = data(run(ready, "hubspot", binding, {"email": some["properties"]["email"]}))
    assert found["found"] and found["record"]["id"] == some["id"]
    assert set(found["record"]) == {"id", "email", "firstname"}
    assert data(run(ready, "hubspot", binding, {"email": "nobody@nowhere.test"})) == {
        "found": False,
        "record": None,
    }
    bad = run(ready, "hubspot", binding, {"mail": "x"})
    assert not bad.ok and bad.error is not None and bad.error.code == "invalid_input"


def test_hubspot_multi_filter_with_a_label_resolved_to_its_value(ready: Env) -> None:
    binding = search("big_won_deals", "deals", [
        {"property": "dealstage", "value": "Closed Won"},
        {"property": "amount", "operator": "GT", "from": "min_amount"},
    ], result="many", limit=50, properties=["dealstage", "amount"])  # fmt: skip
    out = data(run(ready, "hubspot", binding, {"min_amount": 1000}))
    assert out["records"], "the seeded portal has won deals over 1000"
    assert all(r["dealstage"] == "closedwon" and float(r["amount"]) > 1000 for r in out["records"])
    expected = hs_search(ready, "deals", {"filterGroups": [{"filters": [
        {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"},
        {"propertyName": "amount", "operator": "GT", "value": "1000"}]}], "limit": 100})["total"]  # fmt: skip
    assert out["total"] == expected == out["count"] and out["capped"] is False


def test_hubspot_latest_sort_and_list_many_say_when_capped(ready: Env) -> None:
    latest = search(
        "latest_contact", "contacts", [], sort={"property": "createdate", "direction": "DESCENDING"}
    )
    got = data(run(ready, "hubspot", latest, {}))["record"]
    newest = hs_search(
        ready, "contacts", {"limit": 1, "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}]}
    )
    assert got["id"] == newest["results"][0]["id"]
    many = search("some_contacts", "contacts", [], result="many", limit=5)
    result = run(ready, "hubspot", many, {})
    out = data(result)
    assert out["count"] == 5 and out["capped"] is True and out["total"] == 30
    assert any("More Contacts matched" in w for w in result.warnings)


def test_hubspot_create_update_and_find_or_create(ready: Env) -> None:
    create = write("add_contact", "contacts", "create", [{"property": "email", "from": "email"},
                                                         {"property": "First Name", "from": "first"}])  # fmt: skip
    made = data(run(ready, "hubspot", create, {"email": "ann@example.test", "first": "Ann"}))["record"]
    assert made["email"] == "ann@example.test" and made["firstname"] == "Ann"
    update = write("set_phone", "contacts", "update", [{"property": "phone", "from": "phone"},
                                                       {"property": "lifecyclestage", "value": "Customer"}],
                   id={"from": "contact_id"})  # fmt: skip
    data(run(ready, "hubspot", update, {"contact_id": made["id"], "phone": "+14155550100"}))
    r = ready.hubspot(
        "GET", f"/crm/v3/objects/contacts/{made['id']}", params={"properties": "phone,lifecyclestage"}
    )
    assert (
        r.json()["properties"]["phone"] == "+14155550100"
        and r.json()["properties"]["lifecyclestage"] == "customer"
    )
    foc = write("contact_by_email", "contacts", "find_or_create", [{"property": "firstname", "from": "first"}],
                match=[{"property": "email", "from": "email"}])  # fmt: skip
    one = data(run(ready, "hubspot", foc, {"email": "bob@example.test", "first": "Bob"}))
    two = data(run(ready, "hubspot", foc, {"email": "bob@example.test", "first": "Bob"}))
    assert (one["created"], two["created"]) == (True, False) and one["record"]["id"] == two["record"]["id"]
    count = hs_search(ready, "contacts", {"filterGroups": [{"filters": [
        {"propertyName": "email", "operator": "EQ", "value": "bob@example.test"}]}]})["total"]  # fmt: skip
    assert count == 1


def test_hubspot_custom_object_read_and_write(ready: Env) -> None:
    add = write("add_car", "Car", "find_or_create", [{"property": "make", "from": "make"},
                                                     {"property": "year", "from": "year"}],
                match=[{"property": "vin", "from": "vin"}])  # fmt: skip
    car = data(run(ready, "hubspot", add, {"vin": "1HGCM82633A004352", "make": "Honda", "year": 2021}))
    again = data(run(ready, "hubspot", add, {"vin": "1HGCM82633A004352", "make": "Honda", "year": 2021}))
    assert car["created"] and not again["created"] and car["record"]["id"] == again["record"]["id"]
    find = search(
        "car_by_vin", "cars", [{"property": "VIN", "from": "vin"}], properties=["vin", "make", "year"]
    )
    got = data(run(ready, "hubspot", find, {"vin": "1HGCM82633A004352"}))["record"]
    assert got == {"id": car["record"]["id"], "vin": "1HGCM82633A004352", "make": "Honda", "year": "2021"}
    assert compiled(ready, "hubspot", find).definition.scopes == ("crm.objects.custom.read",)
    r = ready.hubspot("GET", f"/crm/v3/objects/{CARS}/{got['id']}", params={"properties": "make"})
    assert r.json()["properties"]["make"] == "Honda"


# -- Pipedrive ---------------------------------------------------------------------------------


def test_pipedrive_find_one_by_email_and_by_a_custom_field(ready: Env) -> None:
    person = next(p for p in pd_list(ready, "/api/v2/persons", limit=50) if p["emails"])
    email = person["emails"][0]["value"]
    binding = search("find_person", "persons", [{"property": "emails", "from": "email"}])
    found = data(run(ready, "pipedrive", binding, {"email": email}))
    assert found["found"] and found["record"]["id"] == str(person["id"])
    snap = ready.bridge.discovery.require("pipedrive", "user_1").snapshot
    title = next(p for p in snap.object("persons").properties if p.label == "Job title")  # type: ignore[union-attr]
    holder = next(
        p
        for p in pd_list(ready, "/api/v2/persons", limit=100)
        if (p.get("custom_fields") or {}).get(title.key)
    )
    by_title = search(
        "person_by_title", "persons", [{"property": "Job title", "from": "title"}], result="many"
    )
    out = data(run(ready, "pipedrive", by_title, {"title": holder["custom_fields"][title.key]}))
    assert str(holder["id"]) in {r["id"] for r in out["records"]}
    assert all(r[title.key] == holder["custom_fields"][title.key] for r in out["records"])


def test_pipedrive_multi_filter_latest_sort_and_list_many(ready: Env) -> None:
    deal = pd_list(ready, "/api/v2/deals", limit=1)[0]
    binding = search("owner_stage_deals", "deals", [
        {"property": "owner_id", "from": "owner"}, {"property": "stage_id", "from": "stage"}],
        result="many", limit=100)  # fmt: skip
    out = data(run(ready, "pipedrive", binding, {"owner": deal["owner_id"], "stage": deal["stage_id"]}))
    assert str(deal["id"]) in {r["id"] for r in out["records"]}
    assert all(
        r["owner_id"] == deal["owner_id"] and r["stage_id"] == deal["stage_id"] for r in out["records"]
    )
    latest = search("latest_deal", "deals", [], sort={"property": "add_time", "direction": "DESCENDING"})
    newest = pd_list(ready, "/api/v2/deals", sort_by="add_time", sort_direction="desc", limit=1)[0]
    assert data(run(ready, "pipedrive", latest, {}))["record"]["id"] == str(newest["id"])
    five = data(run(ready, "pipedrive", search("five_deals", "deals", [], result="many", limit=5), {}))
    assert five["count"] == 5 and five["capped"] is True


def test_pipedrive_create_update_and_find_or_create(ready: Env) -> None:
    org = write("add_org", "organizations", "create", [{"property": "name", "from": "name"},
                                                       {"property": "Tier", "value": "Key"}])  # fmt: skip
    made = data(run(ready, "pipedrive", org, {"name": "Initech"}))["record"]
    snap = ready.bridge.discovery.require("pipedrive", "user_1").snapshot
    tier = next(p for p in snap.object("organizations").properties if p.label == "Tier")  # type: ignore[union-attr]
    key_id = next(o.value for o in tier.options if o.label == "Key")
    stored = ready.pipedrive("GET", f"/api/v2/organizations/{made['id']}").json()["data"]
    assert stored["name"] == "Initech" and str(stored["custom_fields"][tier.key]) == key_id
    deal = pd_list(ready, "/api/v2/deals", limit=1)[0]
    update = write(
        "set_value", "deals", "update", [{"property": "value", "from": "value"}], id={"from": "deal_id"}
    )
    data(run(ready, "pipedrive", update, {"deal_id": deal["id"], "value": 4321}))
    assert ready.pipedrive("GET", f"/api/v2/deals/{deal['id']}").json()["data"]["value"] == 4321
    foc = write("person_by_email", "persons", "find_or_create", [{"property": "name", "from": "name"}],
                match=[{"property": "emails", "from": "email"}])  # fmt: skip
    one = data(run(ready, "pipedrive", foc, {"email": "zed@example.test", "name": "Zed"}))
    two = data(run(ready, "pipedrive", foc, {"email": "zed@example.test", "name": "Zed"}))
    assert (one["created"], two["created"]) == (True, False) and one["record"]["id"] == two["record"]["id"]
    same = [
        p
        for p in pd_list(ready, "/api/v2/persons", limit=500)
        if any(e["value"] == "zed@example.test" for e in p["emails"])
    ]
    assert len(same) == 1

"""CRM search: operators by property type, groups, free text, sorting, paging, limits, scopes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from ...live import LiveSandbox
from .helpers import Hub, empty_hub, ids

pytestmark = pytest.mark.anyio


@pytest.fixture
def hub(sandbox: Sandbox, client: httpx.AsyncClient) -> Hub:
    h = empty_hub(sandbox, client)
    h.define("contacts", "firstname", "string")
    h.define("contacts", "lastname", "string")
    h.define("contacts", "email", "string")
    h.define("contacts", "score", "number", "number")
    h.define("contacts", "birthday", "date", "date")
    h.define("contacts", "lifecyclestage", "enumeration", "select")
    h.define("contacts", "hobbies", "enumeration", "checkbox")
    h.define("contacts", "vip", "bool", "booleancheckbox")
    return h


def f(name: str, operator: str, **extra: Any) -> dict[str, Any]:
    return {"filterGroups": [{"filters": [{"propertyName": name, "operator": operator, **extra}]}]}


@pytest.fixture
def people(hub: Hub) -> dict[str, int]:
    rows = {
        "ann": {"firstname": "Ann", "lastname": "Lee", "email": "ann@acme.com", "score": "10",
                "birthday": "1990-05-01", "lifecyclestage": "lead", "hobbies": "chess;golf", "vip": "true"},
        "bob": {"firstname": "Bob", "lastname": "Smith", "email": "bob@globex.io", "score": "25.5",
                "birthday": "1985-12-24", "lifecyclestage": "customer", "hobbies": "golf", "vip": "false"},
        "cat": {"firstname": "Catherine", "lastname": "Smithers", "email": "cat@acme.com", "score": "100",
                "lifecyclestage": "customer"},
        "dan": {"firstname": "Dan", "email": "dan@initech.com", "score": ""},
    }  # fmt: skip
    return {key: hub.add("contacts", props, at=i * 60).id for i, (key, props) in enumerate(rows.items())}


def names(people: dict[str, int], response: httpx.Response) -> list[str]:
    by_id = {v: k for k, v in people.items()}
    return [by_id[i] for i in ids(response)]


CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    # strings: case-insensitive equality
    ("EQ string", f("firstname", "EQ", value="ann"), ["ann"]),
    ("NEQ string (missing values match)", f("lastname", "NEQ", value="SMITH"), ["ann", "cat", "dan"]),
    ("LT string", f("firstname", "LT", value="c"), ["ann", "bob"]),
    ("IN lowercase", f("firstname", "IN", values=["ann", "bob"]), ["ann", "bob"]),
    ("IN capitalised never matches", f("firstname", "IN", values=["Ann"]), []),
    ("NOT_IN", f("firstname", "NOT_IN", values=["ann", "bob"]), ["cat", "dan"]),
    ("HAS_PROPERTY", f("lastname", "HAS_PROPERTY"), ["ann", "bob", "cat"]),
    ("HAS_PROPERTY ignores empty", f("score", "HAS_PROPERTY"), ["ann", "bob", "cat"]),
    ("NOT_HAS_PROPERTY", f("birthday", "NOT_HAS_PROPERTY"), ["cat", "dan"]),
    ("CONTAINS_TOKEN piece", f("email", "CONTAINS_TOKEN", value="acme"), ["ann", "cat"]),
    ("CONTAINS_TOKEN wildcard", f("email", "CONTAINS_TOKEN", value="*@acme.com"), ["ann", "cat"]),
    ("CONTAINS_TOKEN prefix", f("lastname", "CONTAINS_TOKEN", value="smith*"), ["bob", "cat"]),
    ("CONTAINS_TOKEN whole token only", f("lastname", "CONTAINS_TOKEN", value="smit"), []),
    ("NOT_CONTAINS_TOKEN", f("email", "NOT_CONTAINS_TOKEN", value="acme"), ["bob", "dan"]),
    # numbers compare numerically ("100" > "25.5")
    ("EQ number", f("score", "EQ", value="25.50"), ["bob"]),
    ("GT number", f("score", "GT", value=20), ["bob", "cat"]),
    ("GTE number", f("score", "GTE", value="25.5"), ["bob", "cat"]),
    ("LTE number", f("score", "LTE", value="25.5"), ["ann", "bob"]),
    ("BETWEEN number", f("score", "BETWEEN", value="10", highValue="26"), ["ann", "bob"]),
    ("IN number", f("score", "IN", values=["100", "10.0"]), ["ann", "cat"]),
    ("NEQ number", f("score", "NEQ", value=10), ["bob", "cat", "dan"]),
    # dates: epoch ms or ISO, compared as instants
    ("EQ date epoch ms", f("birthday", "EQ", value="641520000000"), ["ann"]),
    ("LT date ISO", f("birthday", "LT", value="1990-01-01T00:00:00Z"), ["bob"]),
    ("BETWEEN dates mixed", f("birthday", "BETWEEN", value="1985-01-01", highValue=641520000000),
     ["ann", "bob"]),
    # enumerations: exact (case-insensitive); multi-select matches any option
    ("EQ enum", f("lifecyclestage", "EQ", value="CUSTOMER"), ["bob", "cat"]),
    ("EQ multi-select option", f("hobbies", "EQ", value="golf"), ["ann", "bob"]),
    ("IN multi-select", f("hobbies", "IN", values=["chess"]), ["ann"]),
    ("NEQ enum", f("lifecyclestage", "NEQ", value="lead"), ["bob", "cat", "dan"]),
    # booleans
    ("EQ bool JSON true", f("vip", "EQ", value=True), ["ann"]),
    ("EQ bool string", f("vip", "EQ", value="FALSE"), ["bob"]),
    ("NEQ bool", f("vip", "NEQ", value="true"), ["bob", "cat", "dan"]),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_operators(hub: Hub, people: dict[str, int], body: dict[str, Any], expected: list[str]) -> None:
    r = await hub.search("contacts", body)
    assert names(people, r) == expected
    assert r.json()["total"] == len(expected)


async def test_groups_or_and_filters_and(hub: Hub, people: dict[str, int]) -> None:
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
                         {"propertyName": "score", "operator": "GT", "value": "50"}]},
            {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "dan"}]},
        ]
    }  # fmt: skip
    assert names(people, await hub.search("contacts", body)) == ["cat", "dan"]


async def test_free_text_query_matches_searchable_properties(hub: Hub, people: dict[str, int]) -> None:
    assert names(people, await hub.search("contacts", {"query": "smith"})) == ["bob", "cat"]
    assert names(people, await hub.search("contacts", {"query": "CAT SMITHERS"})) == ["cat"]
    assert names(people, await hub.search("contacts", {"query": "initech.com"})) == ["dan"]
    # query and filters combine
    body = {"query": "acme", **f("score", "GT", value="50")}
    assert names(people, await hub.search("contacts", body)) == ["cat"]


@pytest.mark.parametrize(
    ("sorts", "expected"),
    [
        ([{"propertyName": "score", "direction": "DESCENDING"}], ["cat", "bob", "ann", "dan"]),
        ([{"propertyName": "score", "direction": "ASCENDING"}], ["ann", "bob", "cat", "dan"]),
        (["-createdate"], ["dan", "cat", "bob", "ann"]),
        (["firstname"], ["ann", "bob", "cat", "dan"]),
        (["-lastname"], ["cat", "bob", "ann", "dan"]),
        (None, ["ann", "bob", "cat", "dan"]),
    ],
)
async def test_sort_forms(hub: Hub, people: dict[str, int], sorts: Any, expected: list[str]) -> None:
    body: dict[str, Any] = {} if sorts is None else {"sorts": sorts}
    assert names(people, await hub.search("contacts", body)) == expected


async def test_result_shape_and_properties(hub: Hub, people: dict[str, int]) -> None:
    r = await hub.search("0-1", {**f("firstname", "EQ", value="ann"), "properties": ["score", "email"]})
    body = r.json()
    assert body["total"] == 1 and "paging" not in body
    (record,) = body["results"]
    assert record["id"] == str(people["ann"])
    assert record["properties"]["score"] == "10" and record["properties"]["email"] == "ann@acme.com"
    assert "firstname" not in record["properties"]
    assert record["archived"] is False and record["createdAt"].endswith("Z")
    default = (await hub.search("contacts", f("firstname", "EQ", value="ann"))).json()["results"][0]
    assert {"email", "firstname", "lastname"} <= set(default["properties"])
    assert "score" not in default["properties"]


async def test_archived_records_are_never_returned(hub: Hub, people: dict[str, int]) -> None:
    hub.add("contacts", {"firstname": "Ann"}, archived=True)
    r = await hub.search("contacts", f("firstname", "EQ", value="ann"))
    assert names(people, r) == ["ann"]


async def test_paging_with_after(hub: Hub) -> None:
    made = [hub.add("companies", {"name": f"Co {i:02d}"}).id for i in range(25)]
    seen: list[int] = []
    after: str | None = None
    while True:
        r = await hub.search("companies", {"limit": 10, **({"after": after} if after else {})})
        body = r.json()
        assert body["total"] == 25
        seen += ids(r)
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
    assert seen == made
    r = await hub.search("companies", {})
    assert len(ids(r)) == 10 and r.json()["paging"]["next"]["after"] == "10"
    r = await hub.search("companies", {"limit": 0})  # a count only: no page, so no link to loop on
    assert r.json() == {"total": 25, "results": []}


async def test_paging_stops_at_ten_thousand(hub: Hub) -> None:
    for i in range(10_050):
        hub.add("contacts", {"firstname": f"p{i}"})
    r = await hub.search("contacts", {"limit": 200, "after": "9900"})
    body = r.json()
    assert body["total"] == 10_050 and len(body["results"]) == 100
    assert body["paging"]["next"]["after"] == "10000"
    r = await hub.search("contacts", {"limit": 10, "after": "10000"})
    assert r.status_code == 400 and r.json()["category"] == "VALIDATION_ERROR"
    assert "10000" in r.json()["message"]


async def test_single_eq_over_ten_thousand_finds_the_one_match(hub: Hub) -> None:
    # Speed is measured by bench/sandbox_latency.py, not asserted here.
    for i in range(10_000):
        hub.add("contacts", {"email": f"user{i}@example.com", "firstname": f"n{i % 50}"})
    r = await hub.search("contacts", f("email", "EQ", value="USER9999@example.com"))
    assert r.json()["total"] == 1
    assert r.json()["results"][0]["properties"]["email"] == "user9999@example.com"


def _filters(n: int) -> list[dict[str, Any]]:
    return [{"propertyName": "firstname", "operator": "HAS_PROPERTY"}] * n


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"limit": 201}, "less than or equal to 200"),
        ({"limit": "x"}, "limit must be an integer"),
        ({"after": "abc"}, "after must be an integer"),
        ({"query": "q" * 3001}, "at most 3000 characters"),
        ({"sorts": ["firstname", "lastname"]}, "Only one sort"),
        ({"sorts": [{"propertyName": "firstname", "direction": "UP"}]}, "direction"),
        ({"filterGroups": [{"filters": _filters(1)}] * 6}, "maximum is 5"),
        ({"filterGroups": [{"filters": _filters(7)}]}, "maximum is 6 per group"),
        ({"filterGroups": [{"filters": _filters(6)}] * 4}, "maximum is 18"),
        (f("firstname", "LIKE", value="a"), "Invalid operator 'LIKE'"),
        (f("nosuchprop", "EQ", value="a"), "'nosuchprop' does not exist"),
        (f("score", "GT", value="lots"), "not a valid number"),
        (f("score", "BETWEEN", value="1"), "requires 'highValue'"),
        (f("firstname", "IN", value="a"), "requires 'values'"),
        (f("firstname", "EQ"), "requires 'value'"),
        (f("associations.contact", "GT", value="1"), "not supported"),
        (f("associations.nothing", "EQ", value="1"), "Unknown object type"),
    ],
)
async def test_validation_errors(hub: Hub, body: dict[str, Any], fragment: str) -> None:
    r = await hub.search("contacts", body)
    assert r.status_code == 400, r.text
    assert r.json()["category"] == "VALIDATION_ERROR"
    assert fragment in r.json()["message"]


async def test_invalid_json_and_unknown_type(hub: Hub) -> None:
    assert hub.client is not None
    r = await hub.client.post(
        "/hubspot/crm/v3/objects/contacts/search", content=b"{nope", headers=hub.headers
    )
    assert r.status_code == 400 and "Invalid input JSON" in r.json()["message"]
    r = await hub.search("widgets", {})
    assert r.status_code == 400 and r.json()["message"] == "Unable to infer object type from: widgets"


async def test_association_pseudo_property(hub: Hub) -> None:
    acme, globex = hub.add("companies", {"name": "Acme"}), hub.add("companies", {"name": "Globex"})
    ann, bob, cat = (hub.add("contacts", {"firstname": n}) for n in ("Ann", "Bob", "Cat"))
    hub.associate("contacts", ann, "companies", acme)
    hub.associate("contacts", bob, "companies", acme)
    hub.associate("contacts", cat, "companies", globex)
    r = await hub.search("contacts", f("associations.company", "EQ", value=str(acme.id)))
    assert ids(r) == [ann.id, bob.id]
    r = await hub.search("contacts", f("associations.company", "IN", values=[acme.id, globex.id]))
    assert ids(r) == [ann.id, bob.id, cat.id]
    r = await hub.search("contacts", f("associations.company", "NEQ", value=str(acme.id)))
    assert ids(r) == [cat.id]
    # the other direction, by type id
    r = await hub.search("0-2", f("associations.contact", "EQ", value=cat.id))
    assert ids(r) == [globex.id]
    dan = hub.add("contacts", {"firstname": "Dan"})
    r = await hub.search("contacts", f("associations.company", "NOT_HAS_PROPERTY"))
    assert ids(r) == [dan.id]


async def test_custom_types_and_undefined_properties(hub: Hub) -> None:
    # deals without definitions: numbers and dates inferred from the operand
    hub.portal.properties.pop(hub.type("deals").type_id, None)
    small = hub.add("deals", {"dealname": "Small", "amount": "900", "closedate": "2026-02-01T00:00:00Z"})
    big = hub.add("deals", {"dealname": "Big", "amount": "15000", "closedate": "1775000000000"})
    assert ids(await hub.search("deals", f("amount", "GT", value="1000"))) == [big.id]
    r = await hub.search("deals", f("closedate", "LT", value="2026-03-01T00:00:00.000Z"))
    assert ids(r) == [small.id]
    assert ids(await hub.search("0-3", {"query": "big"})) == [big.id]
    assert ids(await hub.search("deals", {"sorts": ["-amount"]})) == [big.id, small.id]


async def test_missing_scope_is_403(hub: Hub, people: dict[str, int]) -> None:
    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.companies.read",)
    r = await hub.search("contacts", {})
    assert r.status_code == 403 and r.json()["category"] == "MISSING_SCOPES"
    assert "crm.objects.contacts.read" in r.json()["errors"][0]["context"]["requiredGranularScopes"]
    assert (await hub.search("companies", {})).status_code == 200


async def test_requires_authentication(hub: Hub) -> None:
    assert hub.client is not None
    r = await hub.client.post("/hubspot/crm/v3/objects/contacts/search", json={})
    assert r.status_code == 401 and r.json()["category"] == "INVALID_AUTHENTICATION"


async def test_custom_object_search_by_id_and_fully_qualified_name(hub: Hub) -> None:
    cars = next(t for t in hub.portal.object_types() if t.custom)
    camry = hub.add(cars.type_id, {"vin": "VIN1", "make": "Toyota", "model": "Camry", "year": "2019"})
    civic = hub.add(cars.type_id, {"vin": "VIN2", "make": "Honda", "model": "Civic", "year": "2023"})
    assert cars.fully_qualified_name is not None
    r = await hub.search(cars.fully_qualified_name, f("year", "GTE", value="2020"))
    assert ids(r) == [civic.id]
    assert ids(await hub.search(cars.type_id, {"query": "camr"})) == [camry.id]
    assert ids(
        await hub.search(cars.type_id, {"sorts": [{"propertyName": "year", "direction": "DESCENDING"}]})
    ) == [
        civic.id,
        camry.id,
    ]
    hub.sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read",)
    r = await hub.search(cars.type_id, {})
    assert r.status_code == 403
    assert "crm.objects.custom.read" in r.json()["errors"][0]["context"]["requiredGranularScopes"]


async def test_seeded_portal_search_agrees_with_store(sandbox: Sandbox, client: httpx.AsyncClient) -> None:
    """Records written by the seed (real property shapes) are found by their stored values."""
    portal = sandbox.hubspot.create_portal(seed_value=5)
    hub = Hub(sandbox, portal, client)
    live = [r for r in portal.tables["0-1"].records.values() if not r.archived]
    target = next(r for r in live if r.properties.get("email"))
    r = await hub.search("contacts", f("email", "EQ", value=target.properties["email"].upper()))
    assert target.id in ids(r)
    r = await hub.search("contacts", {"sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
                                      "limit": 200})  # fmt: skip
    assert r.json()["total"] == len(live)
    stamps = [x["properties"]["createdate"] for x in r.json()["results"]]
    assert stamps == sorted(stamps, reverse=True)
    r = await hub.search("deals", f("amount", "GT", value=0))
    assert r.json()["total"] == sum(
        1
        for d in portal.tables["0-3"].records.values()
        if not d.archived and float(d.properties.get("amount") or 0) > 0
    )


def test_official_sdk_search(live_sandbox: LiveSandbox) -> None:
    """The real ``hubspot-api-client``: both sort forms, filters and paging deserialise into its models."""
    from hubspot import HubSpot
    from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest

    info = live_sandbox.new_portal()
    hub = empty_hub(live_sandbox.sandbox, None, live_sandbox.sandbox.hubspot.portals[info["portal_id"]])
    made = [hub.add("contacts", {"firstname": f"Zed{i}", "email": f"z{i}@x.io"}, at=i).id for i in range(3)]
    api = HubSpot(access_token=info["private_app_token"], host=f"{live_sandbox.root}/hubspot")
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="email", operator="CONTAINS_TOKEN", value="*@x.io")])
        ],
        sorts=["-createdate"],
        properties=["email"],
        limit=2,
    )
    page = api.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert page.total == 3 and [r.id for r in page.results] == [str(made[2]), str(made[1])]
    assert page.paging.next.after == "2"
    request.after = page.paging.next.after
    request.sorts = [{"propertyName": "createdate", "direction": "DESCENDING"}]
    last = api.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert [r.id for r in last.results] == [str(made[0])] and last.paging is None

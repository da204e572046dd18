"""Activities and products v2."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio


async def test_activity_person_follows_primary_participant(company_api: CompanyApi) -> None:
    persons = await company_api.all("/api/v2/persons")
    a, b = persons[0]["id"], persons[1]["id"]
    body = {
        "type": "call",
        "due_date": "2030-01-02",
        "due_time": "09:30",
        "participants": [{"person_id": a, "primary": False}, {"person_id": b, "primary": True}],
    }
    r = await company_api.post("/api/v2/activities", json=body)
    assert r.status_code == 200, r.text
    act = await company_api.data(f"/api/v2/activities/{r.json()['data']['id']}")
    assert act["person_id"] == b and act["subject"] == "Call" and act["done"] is False
    moved = await company_api.patch(
        f"/api/v2/activities/{act['id']}", json={"participants": [{"person_id": a}]}
    )
    assert moved.json()["data"]["person_id"] == a
    assert [x["id"] for x in await company_api.all("/api/v2/activities", person_id=a)].count(act["id"]) == 1
    done = (await company_api.patch(f"/api/v2/activities/{act['id']}", json={"done": True})).json()["data"]
    assert done["marked_as_done_time"] is not None
    assert act["id"] in [x["id"] for x in await company_api.all("/api/v2/activities", done="true")]
    assert act["id"] not in [x["id"] for x in await company_api.all("/api/v2/activities", done="false")]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"person_id": 987654}, "Person with id 987654"),
        ({"type": "party"}, "'type'"),
        ({"due_time": "9:30"}, "HH:MM"),
        ({"done": "true"}, "true or false"),
        ({"participants": [{"person_id": 987654}]}, "Person with id 987654"),
        (
            {"participants": [{"person_id": 1, "primary": True}, {"person_id": 2, "primary": True}]},
            "at most one",
        ),
        ({"deal_id": 987654}, "Deal with id 987654"),
        ({"lead_id": "00000000-0000-4000-8000-000000000000"}, "Lead with id"),
    ],
)
async def test_activity_validation(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    r = await company_api.post("/api/v2/activities", json=body)
    assert r.status_code == 400 and needle in r.json()["error"], r.text


async def test_activity_filters_and_sort(company_api: CompanyApi) -> None:
    everything = await company_api.all("/api/v2/activities")
    deal_id = next(a["deal_id"] for a in everything if a["deal_id"])
    for_deal = await company_api.all("/api/v2/activities", deal_id=deal_id)
    assert for_deal and all(a["deal_id"] == deal_id for a in for_deal)
    by_due = await company_api.all("/api/v2/activities", sort_by="due_date")
    assert [a["due_date"] for a in by_due] == sorted(a["due_date"] for a in everything)


async def test_product_created_201_with_prices(company_api: CompanyApi) -> None:
    body = {
        "name": "Widget",
        "code": "W-1",
        "prices": [{"currency": "USD", "price": 10, "cost": 4}],
        "tax": 20,
    }
    r = await company_api.post("/api/v2/products", json=body)
    assert r.status_code == 201, r.text
    product = await company_api.data(f"/api/v2/products/{r.json()['data']['id']}")
    assert product["prices"] == [
        {
            "product_id": product["id"],
            "price": 10,
            "currency": "USD",
            "cost": 4,
            "direct_cost": None,
            "notes": None,
        }
    ]
    assert product["is_linkable"] is True and product["tax"] == 20
    updated = await company_api.patch(
        f"/api/v2/products/{product['id']}", json={"prices": [{"currency": "EUR", "price": 9}]}
    )
    assert [p["currency"] for p in updated.json()["data"]["prices"]] == ["EUR"]
    for bad, needle in [
        ({}, "'name' is required"),
        (
            {"name": "x", "prices": [{"currency": "USD", "price": 1}, {"currency": "USD", "price": 2}]},
            "one price per currency",
        ),
        ({"name": "x", "prices": [{"price": 1}]}, "'currency' and 'price' are required"),
        ({"name": "x", "prices": [{"currency": "USD", "price": "1"}]}, "expected a number"),
        ({"name": "x", "is_linkable": 0}, "true or false"),
    ]:
        r = await company_api.post("/api/v2/products", json=bad)
        assert r.status_code == 400 and needle in r.json()["error"], (bad, r.text)
    assert (await company_api.delete(f"/api/v2/products/{product['id']}")).json() == {
        "success": True,
        "data": {"id": product["id"]},
    }
    assert product["id"] not in [p["id"] for p in await company_api.all("/api/v2/products")]

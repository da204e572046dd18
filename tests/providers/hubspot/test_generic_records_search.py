"""hubspot_records_search: the seed's search object, sorts as strings or objects, paging, any object type."""

from __future__ import annotations

from typing import Any

import pytest

from ..harness import Account
from .generic_helpers import cars, create, error

pytestmark = pytest.mark.anyio


async def _crm_search(hubspot: Account, api_name: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await hubspot.crm.post(f"/crm/v3/objects/{api_name}/search", json=body)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def test_records_search_seed_example(hubspot: Account) -> None:
    between = {"propertyName": "amount", "operator": "BETWEEN", "value": 10000, "highValue": "100000"}
    data = await hubspot.ok(
        "hubspot_records_search",
        {
            "entity": "deals",
            "searchObj": {
                "filterGroups": [{"filters": [between]}],
                "properties": ["dealname", "amount", "dealstage"],
                "sorts": ["-amount"],
                "limit": 5,
                "after": 0,
            },
        },
    )
    crm = await _crm_search(
        hubspot,
        "deals",
        {
            "filterGroups": [{"filters": [{**between, "value": "10000"}]}],
            "sorts": [{"propertyName": "amount", "direction": "DESCENDING"}],
            "limit": 5,
        },
    )
    assert [r["id"] for r in data["results"]] == [r["id"] for r in crm["results"]]
    assert data["total"] == crm["total"] and data["count"] == len(crm["results"])
    amounts = [float(r["properties"]["amount"]) for r in data["results"]]
    assert amounts == sorted(amounts, reverse=True) and all(10000 <= a <= 100000 for a in amounts)
    assert set(data["results"][0]["properties"]) >= {"dealname", "amount", "dealstage"}


async def test_records_search_in_filter_object_sort_and_paging(hubspot: Account) -> None:
    stages = ["appointmentscheduled", "qualifiedtobuy"]
    search = {
        "filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "IN", "values": stages}]}],
        "sorts": [{"propertyName": "dealname", "direction": "ascending"}],
        "limit": 2,
    }
    first = await hubspot.ok("hubspot_records_search", {"entity": "deals", "searchObj": search})
    second = await hubspot.ok(
        "hubspot_records_search", {"entity": "deals", "searchObj": {**search, "after": first["next_cursor"]}}
    )
    crm = await _crm_search(
        hubspot,
        "deals",
        {**search, "sorts": [{"propertyName": "dealname", "direction": "ASCENDING"}], "limit": 4},
    )
    assert [r["id"] for r in first["results"] + second["results"]] == [r["id"] for r in crm["results"]][:4]
    assert all(r["properties"]["dealstage"] in stages for r in first["results"] + second["results"])


async def test_records_search_custom_object_and_free_text(hubspot: Account) -> None:
    car = await cars(hubspot)
    rid = await create(hubspot, car["id"], {"vin": "ZFA31200000000005", "make": "Lancia", "model": "Delta"})
    data = await hubspot.ok(
        "hubspot_records_search",
        {"entity": car["fqn"], "searchObj": {"query": "lancia", "properties": "vin,make"}},
    )
    assert [r["id"] for r in data["results"]] == [rid]
    assert data["results"][0]["properties"]["make"] == "Lancia"
    notes = await hubspot.ok(
        "hubspot_records_search",
        {"entity": "notes", "searchObj": {"filterGroups": '[{"filters": [{"propertyName": "hs_note_body", '
                                                          '"operator": "HAS_PROPERTY"}]}]', "limit": 1}},
    )  # fmt: skip
    assert notes["count"] == 1 and notes["total"] >= 1


async def test_records_search_errors(hubspot: Account) -> None:
    unknown = {"filters": [{"propertyName": "favourite_fruit", "operator": "EQ", "value": "x"}]}
    bad = error(
        await hubspot.call(
            "hubspot_records_search", {"entity": "deals", "searchObj": {"filterGroups": [unknown]}}
        )
    )
    assert bad["code"] == "invalid_input" and "favourite_fruit" in bad["message"]
    two = error(
        await hubspot.call(
            "hubspot_records_search", {"entity": "deals", "searchObj": {"sorts": ["amount", "dealname"]}}
        )
    )
    assert two["code"] == "invalid_input" and two["field"] == "searchObj.sorts"
    op = error(
        await hubspot.call(
            "hubspot_records_search",
            {
                "entity": "deals",
                "searchObj": {
                    "filterGroups": [{"filters": [{"propertyName": "amount", "operator": "LIKE"}]}]
                },
            },
        )
    )
    assert op["code"] == "invalid_input" and "CONTAINS_TOKEN" in op["allowed"]
    entity = error(await hubspot.call("hubspot_records_search", {"entity": "leads?", "searchObj": {}}))
    assert entity["code"] == "invalid_input" and entity["field"] == "entity"

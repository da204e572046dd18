"""Product variations (v2): the GetProductVariationsResponseDataInner shape, cursor pages, PATCH/DELETE,
the product's delete taking them along, deal products naming them, and the v2 error envelopes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, advance, oauth_headers

pytestmark = pytest.mark.anyio

PRICE_KEYS = {"product_variation_id", "currency", "price", "cost", "direct_cost", "notes"}


async def _product(company_api: CompanyApi, name: str = "Shirt") -> dict[str, Any]:
    r = await company_api.post("/api/v2/products", json={"name": name})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def _check_shape(row: dict[str, Any], product_id: int) -> None:
    assert set(row) == {"id", "name", "product_id", "prices"}
    assert isinstance(row["id"], int) and isinstance(row["name"], str)
    assert row["product_id"] == product_id and isinstance(row["prices"], list)
    for price in row["prices"]:
        assert set(price) == PRICE_KEYS
        assert price["product_variation_id"] == row["id"]
        assert isinstance(price["currency"], str) and len(price["currency"]) == 3
        for key in ("price", "cost", "direct_cost"):
            assert isinstance(price[key], int | float) and not isinstance(price[key], bool)
        assert price["notes"] is None or isinstance(price["notes"], str)


async def test_add_list_update_delete(company_api: CompanyApi) -> None:
    product = await _product(company_api)
    base = f"/api/v2/products/{product['id']}/variations"
    body = {"name": "Red", "prices": [{"currency": "EUR", "price": 12.5, "cost": 4, "notes": "promo"}]}
    r = await company_api.post(base, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["success"] is True
    red = r.json()["data"]
    _check_shape(red, product["id"])
    assert red["name"] == "Red"
    assert red["prices"] == [
        {"product_variation_id": red["id"], "price": 12.5, "currency": "EUR", "cost": 4, "direct_cost": 0,
         "notes": "promo"}
    ]  # fmt: skip
    # Without prices: price 0, cost 0, direct_cost 0 in the company's default currency (the spec).
    blue = (await company_api.post(base, json={"name": "Blue"})).json()["data"]
    _check_shape(blue, product["id"])
    assert [(p["price"], p["cost"], p["direct_cost"], p["currency"]) for p in blue["prices"]] == [
        (0, 0, 0, "USD")
    ]
    listed = await company_api.get(base)
    assert listed.status_code == 200, listed.text
    assert [v["id"] for v in listed.json()["data"]] == [red["id"], blue["id"]]
    assert listed.json()["additional_data"] == {"next_cursor": None}
    for row in listed.json()["data"]:
        _check_shape(row, product["id"])

    patched = await company_api.patch(f"{base}/{red['id']}", json={"name": "Crimson"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["name"] == "Crimson"
    assert patched.json()["data"]["prices"] == red["prices"]  # omitted prices stay
    repriced = await company_api.patch(
        f"{base}/{red['id']}", json={"prices": [{"currency": "USD", "price": 3, "direct_cost": 1}]}
    )
    assert repriced.status_code == 200, repriced.text
    prices = repriced.json()["data"]["prices"]
    assert [(p["currency"], p["price"], p["cost"], p["direct_cost"]) for p in prices] == [("USD", 3, 0, 1)]
    _check_shape(repriced.json()["data"], product["id"])

    gone = await company_api.delete(f"{base}/{red['id']}")
    assert gone.status_code == 200 and gone.json() == {"success": True, "data": {"id": red["id"]}}, gone.text
    assert [v["id"] for v in (await company_api.get(base)).json()["data"]] == [blue["id"]]
    again = await company_api.delete(f"{base}/{red['id']}")
    assert again.status_code == 404 and again.json()["success"] is False


async def test_cursor_pages(company_api: CompanyApi) -> None:
    product = await _product(company_api)
    base = f"/api/v2/products/{product['id']}/variations"
    for n in range(5):
        assert (await company_api.post(base, json={"name": f"V{n}"})).status_code == 201
    first = (await company_api.get(base, params={"limit": 2})).json()
    assert [v["name"] for v in first["data"]] == ["V0", "V1"]
    assert isinstance(first["additional_data"]["next_cursor"], str)
    names = [v["name"] for v in await company_api.all(base, limit=2)]
    assert names == [f"V{n}" for n in range(5)]
    bad = await company_api.get(base, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["success"] is False


async def test_variations_are_per_product(company_api: CompanyApi) -> None:
    one, two = await _product(company_api, "One"), await _product(company_api, "Two")
    v = (await company_api.post(f"/api/v2/products/{one['id']}/variations", json={"name": "A"})).json()[
        "data"
    ]
    assert (await company_api.get(f"/api/v2/products/{two['id']}/variations")).json()["data"] == []
    wrong = await company_api.patch(f"/api/v2/products/{two['id']}/variations/{v['id']}", json={"name": "B"})
    assert wrong.status_code == 404
    assert wrong.json() == {
        "success": False,
        "error": "Product variation was not found",
        "error_info": "Object was not found.",
        "data": None,
        "additional_data": None,
        "errorCode": 404,
    }


async def test_unknown_product_is_404(company_api: CompanyApi) -> None:
    base = "/api/v2/products/987654/variations"
    for r in (
        await company_api.get(base),
        await company_api.post(base, json={"name": "X"}),
        await company_api.patch(base + "/1", json={"name": "X"}),
        await company_api.delete(base + "/1"),
    ):
        assert r.status_code == 404 and r.json() == NOT_FOUND, r.text


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "Field 'name' is required"),
        ({"prices": []}, "Field 'name' is required"),
        ({"name": 5}, "expected a string"),
        ({"name": "  "}, "must not be empty"),
        ({"name": "x" * 256}, "at most 255"),
        ({"name": "V", "prices": {"currency": "USD"}}, "an array"),
        ({"name": "V", "prices": [{"currency": "USD"}]}, "'currency' and 'price' are required"),
        ({"name": "V", "prices": [{"currency": "usd", "price": 1}]}, "3-letter currency"),
        ({"name": "V", "prices": [{"currency": "USD", "price": "1"}]}, "a number"),
        ({"name": "V", "prices": [{"currency": "USD", "price": 1, "cost": True}]}, "a number"),
        ({"name": "V", "prices": [{"currency": "USD", "price": 1, "colour": "red"}]}, "an object"),
        ({"name": "V", "prices": [{"currency": "USD", "price": 1}] * 2}, "one price per currency"),
        ({"name": "V", "product_id": 1}, "read-only"),
        ({"name": "V", "colour": "red"}, "Unknown field"),
    ],
)
async def test_add_refuses_invalid_bodies(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    product = await _product(company_api)
    r = await company_api.post(f"/api/v2/products/{product['id']}/variations", json=body)
    assert r.status_code == 400, r.text
    error = r.json()
    assert needle in error["error"], error
    assert {k: error[k] for k in ("success", "data", "additional_data", "errorCode")} == {
        "success": False, "data": None, "additional_data": None, "errorCode": 400
    }  # fmt: skip
    assert isinstance(error["error_info"], str)
    assert (await company_api.get(f"/api/v2/products/{product['id']}/variations")).json()["data"] == []


async def test_update_refuses_invalid_bodies(company_api: CompanyApi) -> None:
    product = await _product(company_api)
    base = f"/api/v2/products/{product['id']}/variations"
    v = (await company_api.post(base, json={"name": "A"})).json()["data"]
    for body in ({"name": None}, {"name": ""}, {"prices": "cheap"}, {"id": 5}, [1, 2]):
        r = await company_api.patch(f"{base}/{v['id']}", json=body)
        assert r.status_code == 400 and r.json()["success"] is False, (body, r.text)
    assert (await company_api.get(base)).json()["data"] == [v]
    not_json = await company_api.patch(f"{base}/{v['id']}", content=b"{")
    assert not_json.status_code == 400 and not_json.json()["success"] is False


async def test_deleting_the_product_takes_its_variations(
    client: httpx.AsyncClient, company_api: CompanyApi, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    product = await _product(company_api)
    base = f"/api/v2/products/{product['id']}/variations"
    v = (await company_api.post(base, json={"name": "A"})).json()["data"]
    assert (await company_api.delete(f"/api/v2/products/{product['id']}")).status_code == 200
    # Soft-deleted product: still readable with its variations, no longer writable (410).
    assert [x["id"] for x in (await company_api.get(base)).json()["data"]] == [v["id"]]
    for r in (
        await company_api.post(base, json={"name": "B"}),
        await company_api.patch(f"{base}/{v['id']}", json={"name": "B"}),
        await company_api.delete(f"{base}/{v['id']}"),
    ):
        assert r.status_code == 410 and r.json()["success"] is False, r.text
    # Purged after 30 days: the product and its variations are gone.
    await advance(client, 31 * 86_400)
    assert (await company_api.get(base)).status_code == 404
    stored = sandbox.pipedrive.companies[company["company_id"]].tables["product_variations"].rows
    assert all(row["product_id"] != product["id"] for row in stored.values())


async def test_state_holds_the_variation(
    company_api: CompanyApi, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    product = await _product(company_api)
    v = (await company_api.post(f"/api/v2/products/{product['id']}/variations", json={"name": "A"})).json()
    stored = sandbox.pipedrive.companies[company["company_id"]].tables["product_variations"].rows
    assert stored[v["data"]["id"]] == v["data"]


async def test_deal_products_name_a_variation_of_their_product(company_api: CompanyApi) -> None:
    one, two = await _product(company_api, "One"), await _product(company_api, "Two")
    v = (await company_api.post(f"/api/v2/products/{one['id']}/variations", json={"name": "A"})).json()[
        "data"
    ]
    deal = (await company_api.post("/api/v2/deals", json={"title": "Variations"})).json()["data"]
    base = f"/api/v2/deals/{deal['id']}/products"
    line = {"product_id": one["id"], "item_price": 10, "quantity": 1}
    ok = await company_api.post(base, json={**line, "product_variation_id": v["id"]})
    assert ok.status_code == 201 and ok.json()["data"]["product_variation_id"] == v["id"], ok.text
    for bad in (
        {**line, "product_id": two["id"], "product_variation_id": v["id"]},
        {**line, "product_variation_id": 987654},
        {**line, "product_variation_id": "1"},
    ):
        r = await company_api.post(base, json=bad)
        assert r.status_code == 400 and "product_variation_id" in r.json()["error"], r.text
    moved = await company_api.patch(f"{base}/{ok.json()['data']['id']}", json={"product_id": two["id"]})
    assert moved.status_code == 400, moved.text
    cleared = await company_api.patch(
        f"{base}/{ok.json()['data']['id']}", json={"product_id": two["id"], "product_variation_id": None}
    )
    assert cleared.status_code == 200 and cleared.json()["data"]["product_variation_id"] is None


async def test_scopes(client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]) -> None:
    admin = CompanyApi(client, company)
    product = await _product(admin)
    base = f"/api/v2/products/{product['id']}/variations"
    v = (await admin.post(base, json={"name": "A"})).json()["data"]
    reader = CompanyApi(client, company, oauth_headers(sandbox, company, ["products:read"]))
    assert (await reader.get(base)).status_code == 200
    for r in (
        await reader.post(base, json={"name": "B"}),
        await reader.patch(f"{base}/{v['id']}", json={"name": "B"}),
        await reader.delete(f"{base}/{v['id']}"),
    ):
        assert r.status_code == 403 and r.json()["success"] is False, r.text
    stranger = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:full"]))
    assert (await stranger.get(base)).status_code == 403
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["products:full"]))
    assert (await writer.post(base, json={"name": "B"})).status_code == 201

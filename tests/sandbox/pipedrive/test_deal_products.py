"""Products attached to deals (v2): required fields, sums, the deal's value, bulk add and delete."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio


async def _deal_and_product(company_api: CompanyApi) -> tuple[dict[str, Any], dict[str, Any]]:
    deal = (await company_api.post("/api/v2/deals", json={"title": "With products"})).json()["data"]
    product = (await company_api.post("/api/v2/products", json={"name": "Widget"})).json()["data"]
    return deal, product


async def test_attach_price_update_and_remove(company_api: CompanyApi) -> None:
    deal, product = await _deal_and_product(company_api)
    base = f"/api/v2/deals/{deal['id']}/products"
    body = {"product_id": product["id"], "item_price": 100, "quantity": 3, "discount": 10, "tax": 20}
    r = await company_api.post(base, json={**body, "tax_method": "exclusive"})
    assert r.status_code == 201, r.text
    att = r.json()["data"]
    assert (att["deal_id"], att["name"], att["currency"]) == (deal["id"], "Widget", deal["currency"])
    assert att["sum"] == 324.0 and att["order_nr"] == 1 and att["is_enabled"] is True
    assert (await company_api.data(f"/api/v2/deals/{deal['id']}"))["value"] == 324.0
    counted = await company_api.data(
        f"/api/v2/deals/{deal['id']}", params={"include_fields": "products_count"}
    )
    assert counted["products_count"] == 1
    patched = await company_api.patch(f"{base}/{att['id']}", json={"quantity": 1, "discount_type": "amount"})
    assert patched.status_code == 200 and patched.json()["data"]["sum"] == 108.0, patched.text
    listed = await company_api.get(base, params={"sort_by": "order_nr"})
    assert [x["id"] for x in listed.json()["data"]] == [att["id"]]
    across = await company_api.get("/api/v2/deals/products", params={"deal_ids": str(deal["id"])})
    assert [x["id"] for x in across.json()["data"]] == [att["id"]]
    gone = await company_api.delete(f"{base}/{att['id']}")
    assert gone.status_code == 200 and gone.json()["data"] == {"id": att["id"]}
    assert (await company_api.delete(f"{base}/{att['id']}")).status_code == 404
    assert (await company_api.data(f"/api/v2/deals/{deal['id']}"))["value"] == 0


async def test_bulk_add_is_all_or_nothing_and_bulk_delete(company_api: CompanyApi) -> None:
    deal, product = await _deal_and_product(company_api)
    base = f"/api/v2/deals/{deal['id']}/products"
    line = {"product_id": product["id"], "item_price": 5, "quantity": 2}
    bad = await company_api.post(base + "/bulk", json={"data": [line, {**line, "quantity": -1}]})
    assert bad.status_code == 400 and ">= 0" in bad.json()["error"], bad.text
    assert (await company_api.get(base)).json()["data"] == []
    ok = await company_api.post(base + "/bulk", json={"data": [line, line]})
    assert ok.status_code == 201 and [x["order_nr"] for x in ok.json()["data"]] == [1, 2], ok.text
    ids = [x["id"] for x in ok.json()["data"]]
    removed = await company_api.delete(base, params={"ids": str(ids[0])})
    assert removed.json()["data"] == {"ids": [ids[0]]}
    assert [x["id"] for x in (await company_api.get(base)).json()["data"]] == [ids[1]]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"item_price": 1, "quantity": 1}, "product_id"),
        ({"product_id": "{pid}", "quantity": 1}, "item_price"),
        ({"product_id": 987654, "item_price": 1, "quantity": 1}, "Product with id 987654"),
        ({"product_id": "{pid}", "item_price": "1", "quantity": 1}, "a number"),
        ({"product_id": "{pid}", "item_price": 1, "quantity": 1, "tax_method": "vat"}, "tax_method"),
        ({"product_id": "{pid}", "item_price": 1, "quantity": 1, "discount": 150}, "exceed 100"),
        ({"product_id": "{pid}", "item_price": 1, "quantity": 1, "colour": "red"}, "Unknown field"),
        ({"product_id": "{pid}", "item_price": 1e308, "quantity": 10}, "out of range"),
    ],
)
async def test_attach_validation(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    deal, product = await _deal_and_product(company_api)
    filled = {k: (product["id"] if v == "{pid}" else v) for k, v in body.items()}
    r = await company_api.post(f"/api/v2/deals/{deal['id']}/products", json=filled)
    assert r.status_code == 400 and needle in r.json()["error"], r.text


async def test_deal_products_need_deal_ids_and_a_live_deal(company_api: CompanyApi) -> None:
    assert (await company_api.get("/api/v2/deals/products")).status_code == 400
    assert (await company_api.get("/api/v2/deals/987654/products")).status_code == 404

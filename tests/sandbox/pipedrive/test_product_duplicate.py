"""``POST /api/v2/products/{id}/duplicate``: a 201 with the copy (new id, same fields, prices and custom
fields), its variations copied under new ids, the source untouched; 404/410/403 refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

#: BaseProduct (BaseProductAllOf + billing_frequency + billing_frequency_cycles) plus PricesArray.
PRODUCT_KEYS = {"id", "name", "code", "unit", "tax", "is_deleted", "is_linkable", "visible_to", "owner_id",
                "add_time", "update_time", "description", "category", "custom_fields", "billing_frequency",
                "billing_frequency_cycles", "prices"}  # fmt: skip


async def _source(company_api: CompanyApi) -> tuple[dict[str, Any], str]:
    field = await company_api.post(
        "/api/v2/productFields", json={"field_name": "Size", "field_type": "varchar"}
    )
    assert field.status_code == 200, field.text
    code = field.json()["data"]["field_code"]
    body = {
        "name": "Boots",
        "code": "B-1",
        "description": "Leather",
        "unit": "pair",
        "tax": 20,
        "category": "Shoes",
        "is_linkable": False,
        "visible_to": 5,
        "billing_frequency": "monthly",
        "billing_frequency_cycles": 6,
        "prices": [
            {"currency": "EUR", "price": 120, "cost": 40, "direct_cost": 5, "notes": "retail"},
            {"currency": "USD", "price": 130},
        ],
        "custom_fields": {code: "42"},
    }
    r = await company_api.post("/api/v2/products", json=body)
    assert r.status_code == 201, r.text
    return r.json()["data"], code


async def test_duplicate_copies_fields_prices_custom_fields_and_variations(
    company_api: CompanyApi, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    source, code = await _source(company_api)
    base = f"/api/v2/products/{source['id']}/variations"
    red = (
        await company_api.post(base, json={"name": "Red", "prices": [{"currency": "EUR", "price": 1}]})
    ).json()
    blue = (await company_api.post(base, json={"name": "Blue"})).json()

    r = await company_api.post(f"/api/v2/products/{source['id']}/duplicate")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["success"] is True
    copy = body["data"]
    assert set(copy) == PRODUCT_KEYS
    assert isinstance(copy["id"], int) and copy["id"] != source["id"]
    same = PRODUCT_KEYS - {"id", "add_time", "update_time", "prices"}
    assert {k: copy[k] for k in same} == {k: source[k] for k in same}
    assert copy["custom_fields"][code] == "42" and copy["is_deleted"] is False
    assert isinstance(copy["add_time"], str) and copy["add_time"].endswith("Z")
    assert copy["prices"] == [{**p, "product_id": copy["id"]} for p in source["prices"]]

    assert (await company_api.data(f"/api/v2/products/{copy['id']}")) == copy
    assert (await company_api.data(f"/api/v2/products/{source['id']}")) == source
    copied = await company_api.data(f"/api/v2/products/{copy['id']}/variations")
    assert [v["name"] for v in copied] == ["Red", "Blue"]
    originals = {red["data"]["id"], blue["data"]["id"]}
    for variation, original in zip(copied, (red["data"], blue["data"]), strict=True):
        assert variation["id"] not in originals and variation["product_id"] == copy["id"]
        assert variation["prices"] == [
            {**p, "product_variation_id": variation["id"]} for p in original["prices"]
        ]
    # The source keeps its own variations, unchanged.
    assert await company_api.data(base) == [red["data"], blue["data"]]
    stored = sandbox.pipedrive.companies[company["company_id"]].tables["products"].rows
    assert stored[copy["id"]]["name"] == "Boots"


async def test_duplicate_without_variations_and_with_a_body(company_api: CompanyApi) -> None:
    plain = (await company_api.post("/api/v2/products", json={"name": "Plain"})).json()["data"]
    r = await company_api.post(f"/api/v2/products/{plain['id']}/duplicate", json={"name": "ignored"})
    assert r.status_code == 201 and r.json()["data"]["name"] == "Plain", r.text
    assert await company_api.data(f"/api/v2/products/{r.json()['data']['id']}/variations") == []


async def test_duplicate_refusals(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    admin = CompanyApi(client, company)
    missing = await admin.post("/api/v2/products/987654/duplicate")
    assert missing.status_code == 404 and missing.json() == NOT_FOUND
    product = (await admin.post("/api/v2/products", json={"name": "Gone"})).json()["data"]
    reader = CompanyApi(client, company, oauth_headers(sandbox, company, ["products:read"]))
    refused = await reader.post(f"/api/v2/products/{product['id']}/duplicate")
    assert refused.status_code == 403 and refused.json()["success"] is False
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["products:full"]))
    assert (await writer.post(f"/api/v2/products/{product['id']}/duplicate")).status_code == 201
    assert (await admin.delete(f"/api/v2/products/{product['id']}")).status_code == 200
    deleted = await admin.post(f"/api/v2/products/{product['id']}/duplicate")
    assert deleted.status_code == 410 and deleted.json()["success"] is False
    wrong_method = await admin.get(f"/api/v2/products/{product['id']}/duplicate")
    assert wrong_method.status_code in (404, 405) and wrong_method.json()["success"] is False

"""Additional discounts on deals (v2): every response field, the deal value they change, 404/400/403."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
#: GetAdditionalDiscountsResponseDataInner: every field and its type.
FIELDS = {
    "id": str,
    "type": str,
    "amount": (int, float),
    "description": str,
    "deal_id": int,
    "created_at": str,
    "created_by": int,
    "updated_at": str,
    "updated_by": int,
}


def _shape(row: dict[str, Any]) -> None:
    assert set(row) == set(FIELDS), row
    for key, kind in FIELDS.items():
        assert isinstance(row[key], kind), (key, row[key])
    assert UUID_RE.match(row["id"]) and row["type"] in ("percentage", "amount")
    assert STAMP_RE.match(row["created_at"]) and STAMP_RE.match(row["updated_at"])


async def _deal(company_api: CompanyApi, *, price: float | None = None, billing: str = "one-time") -> int:
    deal: int = (await company_api.post("/api/v2/deals", json={"title": "Discounted", "value": 500})).json()[
        "data"
    ]["id"]
    if price is not None:
        product = (await company_api.post("/api/v2/products", json={"name": "Widget"})).json()["data"]
        line = {"product_id": product["id"], "item_price": price, "quantity": 1, "billing_frequency": billing}
        r = await company_api.post(f"/api/v2/deals/{deal}/products", json=line)
        assert r.status_code == 201, r.text
    return deal


async def _value(company_api: CompanyApi, deal: int) -> float:
    value: float = (await company_api.data(f"/api/v2/deals/{deal}"))["value"]
    return value


async def test_add_list_update_delete_and_the_deal_value(company_api: CompanyApi) -> None:
    me = (await company_api.data("/v1/users/me"))["id"]
    deal = await _deal(company_api, price=200)
    base = f"/api/v2/deals/{deal}/discounts"
    assert (await company_api.get(base)).json() == {"success": True, "data": []}
    r = await company_api.post(base, json={"description": "Loyalty", "amount": 10, "type": "percentage"})
    assert r.status_code == 201, r.text
    assert r.json()["success"] is True
    pct = r.json()["data"]
    _shape(pct)
    assert (pct["deal_id"], pct["created_by"], pct["updated_by"], pct["amount"]) == (deal, me, me, 10)
    assert await _value(company_api, deal) == 180
    second = (
        await company_api.post(base, json={"description": "Coupon", "amount": 30, "type": "amount"})
    ).json()
    assert await _value(company_api, deal) == 150  # in the order added: 200 - 10% - 30
    listed = (await company_api.get(base)).json()["data"]
    assert [d["id"] for d in listed] == [pct["id"], second["data"]["id"]]
    for row in listed:
        _shape(row)
    patched = await company_api.patch(f"{base}/{pct['id']}", json={"type": "amount", "amount": 50})
    assert patched.status_code == 200, patched.text
    _shape(patched.json()["data"])
    assert patched.json()["data"]["description"] == "Loyalty" and patched.json()["data"]["type"] == "amount"
    assert await _value(company_api, deal) == 120
    gone = await company_api.delete(f"{base}/{pct['id']}")
    assert gone.status_code == 200 and gone.json() == {"success": True, "data": {"id": pct["id"]}}
    assert [d["id"] for d in (await company_api.get(base)).json()["data"]] == [second["data"]["id"]]
    assert await _value(company_api, deal) == 170
    again = await company_api.delete(f"{base}/{pct['id']}")
    assert again.status_code == 404 and again.json()["success"] is False


async def test_discounts_never_take_the_value_below_zero(company_api: CompanyApi) -> None:
    deal = await _deal(company_api, price=20)
    await company_api.post(
        f"/api/v2/deals/{deal}/discounts", json={"description": "Big", "amount": 50, "type": "amount"}
    )
    assert await _value(company_api, deal) == 0


async def test_the_value_follows_later_product_changes(company_api: CompanyApi) -> None:
    deal = await _deal(company_api, price=100)
    await company_api.post(
        f"/api/v2/deals/{deal}/discounts", json={"description": "D", "amount": 25, "type": "percentage"}
    )
    product = (await company_api.post("/api/v2/products", json={"name": "Extra"})).json()["data"]
    line = {"product_id": product["id"], "item_price": 100, "quantity": 1}
    assert (await company_api.post(f"/api/v2/deals/{deal}/products", json=line)).status_code == 201
    assert await _value(company_api, deal) == 150


async def test_deals_without_one_time_products_keep_their_value(company_api: CompanyApi) -> None:
    plain = await _deal(company_api)
    r = await company_api.post(
        f"/api/v2/deals/{plain}/discounts", json={"description": "D", "amount": 5, "type": "amount"}
    )
    assert r.status_code == 201, r.text
    assert await _value(company_api, plain) == 500
    monthly = await _deal(company_api, price=40, billing="monthly")
    await company_api.post(
        f"/api/v2/deals/{monthly}/discounts", json={"description": "D", "amount": 5, "type": "amount"}
    )
    assert await _value(company_api, monthly) == 40


async def test_unknown_deal_or_discount_is_404(company_api: CompanyApi) -> None:
    r = await company_api.get("/api/v2/deals/987654/discounts")
    assert r.status_code == 404 and r.json() == NOT_FOUND
    body = {"description": "D", "amount": 5, "type": "amount"}
    assert (await company_api.post("/api/v2/deals/987654/discounts", json=body)).status_code == 404
    deal = await _deal(company_api)
    for method in ("PATCH", "DELETE"):
        r = await company_api.request(method, f"/api/v2/deals/{deal}/discounts/nope", json={"amount": 1})
        assert r.status_code == 404 and r.json()["error"] == "Discount was not found", r.text
    other = await _deal(company_api)
    made = (await company_api.post(f"/api/v2/deals/{other}/discounts", json=body)).json()["data"]
    r = await company_api.patch(f"/api/v2/deals/{deal}/discounts/{made['id']}", json={"amount": 1})
    assert r.status_code == 404  # a discount of another deal


async def test_a_deleted_deal_takes_no_discounts(company_api: CompanyApi) -> None:
    deal = await _deal(company_api)
    await company_api.delete(f"/api/v2/deals/{deal}")
    r = await company_api.post(
        f"/api/v2/deals/{deal}/discounts", json={"description": "D", "amount": 1, "type": "amount"}
    )
    assert r.status_code == 410 and r.json()["success"] is False


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"amount": 5, "type": "amount"}, "description"),
        ({"description": "D", "type": "amount"}, "amount"),
        ({"description": "D", "amount": 5}, "type"),
        ({"description": "D", "amount": 5, "type": "fixed"}, "one of percentage, amount"),
        ({"description": "D", "amount": "5", "type": "amount"}, "'amount'"),
        ({"description": 7, "amount": 5, "type": "amount"}, "'description'"),
        ({"description": "D", "amount": 0, "type": "amount"}, "above 0"),
        ({"description": "D", "amount": -3, "type": "amount"}, "above 0"),
        ({"description": "D", "amount": 101, "type": "percentage"}, "exceed 100"),
        ({"description": "D", "amount": True, "type": "amount"}, "'amount'"),
        ({"description": "D", "amount": 5, "type": "amount", "colour": "red"}, "Unknown field"),
        ({"description": "D", "amount": 5, "type": "amount", "deal_id": 1}, "read-only"),
    ],
)
async def test_invalid_bodies_are_400(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    deal = await _deal(company_api)
    r = await company_api.post(f"/api/v2/deals/{deal}/discounts", json=body)
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["success"] is False and needle in err["error"], err
    assert (err["data"], err["additional_data"], err["errorCode"]) == (None, None, 400)
    assert (await company_api.get(f"/api/v2/deals/{deal}/discounts")).json()["data"] == []


async def test_update_validates_like_add(company_api: CompanyApi) -> None:
    deal = await _deal(company_api)
    base = f"/api/v2/deals/{deal}/discounts"
    made = (await company_api.post(base, json={"description": "D", "amount": 50, "type": "amount"})).json()[
        "data"
    ]
    for body in (
        {"type": "percentage", "amount": 150},
        {"type": "flat"},
        {"amount": None},
        {"description": ""},
    ):
        r = await company_api.patch(f"{base}/{made['id']}", json=body)
        assert r.status_code == 400, (body, r.text)
    assert (await company_api.get(base)).json()["data"] == [made]


async def test_scopes(client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]) -> None:
    owner = CompanyApi(client, company)
    deal = await _deal(owner)
    base = f"/api/v2/deals/{deal}/discounts"
    reader = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:read"]))
    assert (await reader.get(base)).status_code == 200
    refused = await reader.post(base, json={"description": "D", "amount": 5, "type": "amount"})
    assert refused.status_code == 403 and refused.json()["error"] == "Scope and URL mismatch"
    stranger = CompanyApi(client, company, oauth_headers(sandbox, company, ["contacts:full"]))
    assert (await stranger.get(base)).status_code == 403
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:full"]))
    assert (
        await writer.post(base, json={"description": "D", "amount": 5, "type": "amount"})
    ).status_code == 201

"""Deal installments (v2): every response field, the one-time/recurring product rules, the plan rule,
cursor pages across deals, 404/400/403."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

#: GetInstallmentsResponseDataInner: every field and its type.
FIELDS = {"id": int, "amount": (int, float), "billing_date": str, "description": str, "deal_id": int}
PART = {"description": "First half", "amount": 50, "billing_date": "2025-01-15"}


def _shape(row: dict[str, Any]) -> None:
    assert set(row) == set(FIELDS), row
    for key, kind in FIELDS.items():
        assert isinstance(row[key], kind) and not isinstance(row[key], bool), (key, row[key])


async def _deal(company_api: CompanyApi, *billing: str) -> int:
    deal: int = (await company_api.post("/api/v2/deals", json={"title": "Paid in parts"})).json()["data"][
        "id"
    ]
    for frequency in billing:
        product = (await company_api.post("/api/v2/products", json={"name": "Item"})).json()["data"]
        line = {"product_id": product["id"], "item_price": 100, "quantity": 1, "billing_frequency": frequency}
        r = await company_api.post(f"/api/v2/deals/{deal}/products", json=line)
        assert r.status_code == 201, r.text
    return deal


async def test_add_list_update_delete(company_api: CompanyApi) -> None:
    deal = await _deal(company_api, "one-time")
    base = f"/api/v2/deals/{deal}/installments"
    r = await company_api.post(base, json=PART)
    assert r.status_code == 200, r.text
    assert r.json()["success"] is True
    first = r.json()["data"]
    _shape(first)
    assert {k: first[k] for k in PART} == PART and first["deal_id"] == deal
    second = (await company_api.post(base, json={**PART, "billing_date": "2025-01-01"})).json()["data"]
    listed = await company_api.get("/api/v2/deals/installments", params={"deal_ids": str(deal)})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["success"] is True and body["additional_data"] == {"next_cursor": None}
    assert [x["id"] for x in body["data"]] == [first["id"], second["id"]]
    for row in body["data"]:
        _shape(row)
    by_date = await company_api.get(
        "/api/v2/deals/installments", params={"deal_ids": str(deal), "sort_by": "billing_date"}
    )
    assert [x["id"] for x in by_date.json()["data"]] == [second["id"], first["id"]]
    patched = await company_api.patch(
        f"{base}/{first['id']}", json={"amount": 75.5, "description": "Deposit"}
    )
    assert patched.status_code == 200, patched.text
    _shape(patched.json()["data"])
    assert (patched.json()["data"]["amount"], patched.json()["data"]["billing_date"]) == (75.5, "2025-01-15")
    gone = await company_api.delete(f"{base}/{first['id']}")
    assert gone.status_code == 200 and gone.json() == {"success": True, "data": {"id": first["id"]}}
    left = await company_api.get("/api/v2/deals/installments", params={"deal_ids": str(deal)})
    assert [x["id"] for x in left.json()["data"]] == [second["id"]]
    assert (await company_api.delete(f"{base}/{first['id']}")).status_code == 404


async def test_list_across_deals_pages_with_a_cursor(company_api: CompanyApi) -> None:
    one, two = await _deal(company_api, "one-time"), await _deal(company_api, "one-time")
    for deal in (one, two, one):
        await company_api.post(f"/api/v2/deals/{deal}/installments", json=PART)
    # the official client repeats the parameter for an array; a comma list works too
    page = await company_api.get(
        "/api/v2/deals/installments", params=[("deal_ids", str(one)), ("deal_ids", str(two)), ("limit", "2")]
    )
    assert len(page.json()["data"]) == 2 and page.json()["additional_data"]["next_cursor"]
    rows = await company_api.all("/api/v2/deals/installments", deal_ids=f"{one},{two}", limit=2)
    assert sorted(r["deal_id"] for r in rows) == [one, one, two]
    only = await company_api.all("/api/v2/deals/installments", deal_ids=str(two))
    assert [r["deal_id"] for r in only] == [two]


@pytest.mark.parametrize(
    ("billing", "needle"),
    [
        ((), "at least one one-time product"),
        (("one-time", "monthly"), "recurring products"),
        (("annually",), "recurring products"),
    ],
)
async def test_product_rules(company_api: CompanyApi, billing: tuple[str, ...], needle: str) -> None:
    deal = await _deal(company_api, *billing)
    r = await company_api.post(f"/api/v2/deals/{deal}/installments", json=PART)
    assert r.status_code == 400 and needle in r.json()["error"], r.text


async def test_lite_plan_has_no_installments(client: httpx.AsyncClient) -> None:
    made = (await client.post("/_sandbox/pipedrive/companies", json={"seed": 7, "plan": "lite"})).json()
    prefix = f"/pipedrive/{made['company_domain']}"
    api = CompanyApi(client, {**made, "headers": {"x-api-token": made["api_token"]}, "prefix": prefix})
    deal = await _deal(api, "one-time")
    r = await api.post(f"/api/v2/deals/{deal}/installments", json=PART)
    assert r.status_code == 403 and "Growth" in r.json()["error"], r.text
    assert (await api.get("/api/v2/deals/installments", params={"deal_ids": str(deal)})).status_code == 403


async def test_unknown_deal_or_installment_is_404(company_api: CompanyApi) -> None:
    r = await company_api.post("/api/v2/deals/987654/installments", json=PART)
    assert r.status_code == 404 and r.json() == NOT_FOUND
    deal = await _deal(company_api, "one-time")
    for method in ("PATCH", "DELETE"):
        r = await company_api.request(method, f"/api/v2/deals/{deal}/installments/987654", json={"amount": 1})
        assert r.status_code == 404 and r.json()["error"] == "Installment was not found", r.text
    other = await _deal(company_api, "one-time")
    made = (await company_api.post(f"/api/v2/deals/{other}/installments", json=PART)).json()["data"]
    assert (
        await company_api.patch(f"/api/v2/deals/{deal}/installments/{made['id']}", json={})
    ).status_code == 404


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"amount": 5, "billing_date": "2025-01-01"}, "description"),
        ({"description": "D", "billing_date": "2025-01-01"}, "amount"),
        ({"description": "D", "amount": 5}, "billing_date"),
        ({**PART, "amount": "5"}, "'amount'"),
        ({**PART, "amount": 0}, "above 0"),
        ({**PART, "amount": -1}, "above 0"),
        ({**PART, "billing_date": "15.01.2025"}, "YYYY-MM-DD"),
        ({**PART, "billing_date": "2025-02-30"}, "real date"),
        ({**PART, "billing_date": 20250101}, "billing_date"),
        ({**PART, "description": ["x"]}, "'description'"),
        ({**PART, "deal_id": 3}, "read-only"),
        ({**PART, "colour": "red"}, "Unknown field"),
    ],
)
async def test_invalid_bodies_are_400(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    deal = await _deal(company_api, "one-time")
    r = await company_api.post(f"/api/v2/deals/{deal}/installments", json=body)
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["success"] is False and needle in err["error"], err
    assert (err["data"], err["additional_data"], err["errorCode"]) == (None, None, 400)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"deal_ids": "x"},
        {"deal_ids": ",".join(map(str, range(1, 102)))},
        {"deal_ids": "1", "sort_by": "amount"},
    ],
)
async def test_list_parameters_are_checked(company_api: CompanyApi, params: dict[str, str]) -> None:
    r = await company_api.get("/api/v2/deals/installments", params=params)
    assert r.status_code == 400 and r.json()["success"] is False, r.text


async def test_scopes(client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]) -> None:
    deal = await _deal(CompanyApi(client, company), "one-time")
    reader = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:read"]))
    assert (await reader.get("/api/v2/deals/installments", params={"deal_ids": str(deal)})).status_code == 200
    refused = await reader.post(f"/api/v2/deals/{deal}/installments", json=PART)
    assert refused.status_code == 403 and refused.json()["error"] == "Scope and URL mismatch"
    stranger = CompanyApi(client, company, oauth_headers(sandbox, company, ["leads:full"]))
    assert (
        await stranger.get("/api/v2/deals/installments", params={"deal_ids": str(deal)})
    ).status_code == 403
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:full"]))
    assert (await writer.post(f"/api/v2/deals/{deal}/installments", json=PART)).status_code == 200

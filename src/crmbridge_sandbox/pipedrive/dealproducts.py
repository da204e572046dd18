"""Products attached to deals (v2): ``/api/v2/deals/{id}/products`` (+ ``/bulk``) and ``/deals/products``.

An attachment prices a product for one deal: ``sum`` = price x quantity, less the discount (percentage
or amount), plus tax when the tax method is ``exclusive``. As in Pipedrive, a deal with products takes
its ``value`` from the sum of its enabled attachments (recomputed after every change).
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import dealvalue
from .auth import require_access
from .common import JSON, cursor_page, json_body, now_of, ok, q_choice, q_int_list, rfc3339, sort_rows
from .entity import find, gone
from .errors import PipedriveError, bad_request
from .products import BILLING
from .store import Company, EntityTable
from .validate import WriteCtx, apply, boolean, date, fail, integer, nullable, number, one_of, ref, string
from .variations import belongs

READ = ("deals:read", "deals:full")
WRITE = ("deals:full",)
REQUIRED = ("product_id", "item_price", "quantity")
MAX_BULK = 100
MAX_SUM = 1e15  # keeps a deal's value, the sum of its products, a finite JSON number


def non_negative(ctx: WriteCtx, name: str, value: Any) -> float | int:
    amount = number(ctx, name, value)
    if amount < 0:
        raise fail(name, "a number >= 0", value)
    return amount


FIELDS = {
    "product_id": ref("products", "Product"),
    "item_price": number,
    "quantity": non_negative,
    "tax": non_negative,
    "comments": nullable(string),
    "discount": non_negative,
    "is_enabled": boolean,
    "tax_method": one_of("exclusive", "inclusive", "none"),
    "discount_type": one_of("percentage", "amount"),
    "product_variation_id": nullable(integer),
    "billing_frequency": one_of(*BILLING),
    "billing_frequency_cycles": nullable(integer),
    "billing_start_date": nullable(date),
}


def table_of(company: Company) -> EntityTable:
    return company.tables.setdefault("deal_products", EntityTable())


def _sum(row: JSON) -> float:
    base = float(row["item_price"]) * float(row["quantity"])
    if row["discount_type"] == "percentage":
        base -= base * float(row["discount"]) / 100
    else:
        base -= float(row["discount"])
    if row["tax_method"] == "exclusive":
        base += base * float(row["tax"]) / 100
    return round(base, 2)


def _revalue(company: Company, deal: JSON) -> None:
    dealvalue.revalue(company, deal)  # the products' sums, less the deal's discounts


def _build(ctx: WriteCtx, deal: JSON, body: JSON, before: JSON | None) -> JSON:
    if before is None:
        lacking = [k for k in REQUIRED if body.get(k) is None]
        if lacking:
            raise bad_request(f"Missing required field(s): {', '.join(lacking)}")
    clean = apply(ctx, FIELDS, body)
    if before is not None:
        row = dict(before)
    else:
        mine = [r for r in table_of(ctx.company).live() if r["deal_id"] == deal["id"]]
        row = {
            "id": table_of(ctx.company).next_id,
            "deal_id": deal["id"],
            "order_nr": len(mine) + 1,
            "tax": 0,
            "comments": None,
            "discount": 0,
            "is_enabled": True,
            "tax_method": "inclusive",
            "discount_type": "percentage",
            "product_variation_id": None,
            "billing_frequency": "one-time",
            "billing_frequency_cycles": None,
            "billing_start_date": None,
            "add_time": rfc3339(ctx.now),
        }
    row.update(clean)
    if row["discount_type"] == "percentage" and row["discount"] > 100:
        raise bad_request("Field 'discount' cannot exceed 100 when discount_type is percentage")
    variation = row["product_variation_id"]
    touched = {"product_id", "product_variation_id"} & set(clean)
    if touched and variation is not None and not belongs(ctx.company, row["product_id"], variation):
        raise bad_request(
            f"Product variation with id {variation} was not found for product {row['product_id']}"
            " (field 'product_variation_id')"
        )
    product = ctx.company.tables["products"].rows[row["product_id"]]
    row.update(name=product["name"], currency=deal["currency"], update_time=rfc3339(ctx.now))
    row["sum"] = _sum(row)
    if not math.isfinite(row["sum"]) or abs(row["sum"]) > MAX_SUM:
        raise bad_request(f"The deal product's sum is out of range (at most {MAX_SUM:.0e} in absolute value)")
    return row


def _deal(request: Request, company: Company, *, writing: bool) -> JSON:
    deal = find(company, "deals", request.path_params["id"], now_of(request))
    if writing and deal.get("is_deleted"):
        raise gone()
    return deal


def _attachment(company: Company, deal: JSON, raw_id: int) -> JSON:
    row = table_of(company).get_live(raw_id)
    if row is None or row["deal_id"] != deal["id"]:
        raise PipedriveError(404, "Deal product was not found", error_info="Object was not found.")
    return row


def _sorted(request: Request, rows: list[JSON]) -> list[JSON]:
    key = q_choice(request, "sort_by", ("id", "add_time", "update_time", "order_nr"), "id")
    return sort_rows(rows, key, q_choice(request, "sort_direction", ("asc", "desc"), "asc"))


async def list_for_deal(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=10)
    deal = _deal(request, access.company, writing=False)
    rows = _sorted(request, [r for r in table_of(access.company).live() if r["deal_id"] == deal["id"]])
    page, next_cursor = cursor_page(request, rows)
    return ok(page, {"next_cursor": next_cursor})


async def list_for_deals(request: Request) -> Response:
    """``GET /api/v2/deals/products?deal_ids=1,2``: ``deal_ids`` is required (at most 100)."""
    access = require_access(request, scopes_any=READ, cost=20)
    ids = q_int_list(request, "deal_ids")
    if not ids:
        raise bad_request("Parameter 'deal_ids' is required")
    rows = _sorted(request, [r for r in table_of(access.company).live() if r["deal_id"] in ids])
    page, next_cursor = cursor_page(request, rows)
    return ok(page, {"next_cursor": next_cursor})


async def add(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=5)
    deal = _deal(request, access.company, writing=True)
    row = _build(WriteCtx(access.company, access.user, now_of(request)), deal, await json_body(request), None)
    table = table_of(access.company)
    table.rows[table.new_id()] = row
    _revalue(access.company, deal)
    return ok(row, status_code=201)


async def add_many(request: Request) -> Response:
    """``{"data": [...]}``, all valid or none written."""
    access = require_access(request, scopes_any=WRITE, cost=10)
    deal = _deal(request, access.company, writing=True)
    items = (await json_body(request)).get("data")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise bad_request("Field 'data' must be a non-empty array of deal products")
    if len(items) > MAX_BULK:
        raise bad_request(f"Field 'data' accepts at most {MAX_BULK} deal products")
    ctx = WriteCtx(access.company, access.user, now_of(request))
    table = table_of(access.company)
    rows = []
    for i, item in enumerate(items):
        row = _build(ctx, deal, item, None)
        row.update(id=table.next_id + i, order_nr=row["order_nr"] + i)
        rows.append(row)
    for row in rows:
        table.rows[table.new_id()] = row
    _revalue(access.company, deal)
    return ok(rows, status_code=201)


async def update(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=5)
    deal = _deal(request, access.company, writing=True)
    before = _attachment(access.company, deal, request.path_params["attachment_id"])
    ctx = WriteCtx(access.company, access.user, now_of(request))
    row = _build(ctx, deal, await json_body(request), before)
    table_of(access.company).rows[row["id"]] = row
    _revalue(access.company, deal)
    return ok(row)


async def delete(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=3)
    deal = _deal(request, access.company, writing=True)
    row = _attachment(access.company, deal, request.path_params["attachment_id"])
    del table_of(access.company).rows[row["id"]]
    _revalue(access.company, deal)
    return ok({"id": row["id"]})


async def delete_many(request: Request) -> Response:
    """``DELETE /deals/{id}/products?ids=…``: the given attachments, or (without ids) up to 100 of them."""
    access = require_access(request, scopes_any=WRITE, cost=10)
    deal = _deal(request, access.company, writing=True)
    wanted = q_int_list(request, "ids", max_items=MAX_BULK)
    table = table_of(access.company)
    mine = [r["id"] for r in table.live() if r["deal_id"] == deal["id"]]
    matching = [i for i in mine if wanted is None or i in wanted]
    doomed = matching[:MAX_BULK]
    for key in doomed:
        del table.rows[key]
    _revalue(access.company, deal)
    return ok({"ids": doomed}, {"more_items_in_collection": len(matching) > len(doomed)})


_ONE = "/api/v2/deals/" + id_param("id") + "/products"
routes: list[BaseRoute] = [
    Route("/api/v2/deals/products", list_for_deals, methods=["GET"]),
    Route(_ONE, list_for_deal, methods=["GET"]),
    Route(_ONE, add, methods=["POST"]),
    Route(_ONE, delete_many, methods=["DELETE"]),
    Route(_ONE + "/bulk", add_many, methods=["POST"]),
    Route(_ONE + "/" + id_param("attachment_id"), update, methods=["PATCH"]),
    Route(_ONE + "/" + id_param("attachment_id"), delete, methods=["DELETE"]),
]

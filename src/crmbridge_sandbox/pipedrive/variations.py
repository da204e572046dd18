"""Product variations (v2): ``/api/v2/products/{id}/variations`` list/add and ``/{product_variation_id}``
update/delete. A variation is a named flavour of a product with its own prices (one per currency).

Variations live and die with their product. The product's own delete is a soft delete, so they do too:
while the product is readable (``is_deleted: true``, 30 days) its variations stay listable, writes
answer 410 as writes to the product do, and once the product is purged its variations are dropped.
The spec says nothing on this; it is the sandbox's choice. Variation deletes are hard deletes.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import require_access
from .common import JSON, cursor_page, json_body, now_of, ok
from .entity import find, gone
from .errors import PipedriveError, bad_request
from .products import prices
from .store import Company, EntityTable
from .validate import WriteCtx, apply, nonempty

READ = ("products:read", "products:full")
WRITE = ("products:full",)
MAX_NAME = 255  # the spec: "The maximum length is 255 characters"


def name(ctx: WriteCtx, field: str, value: Any) -> str:
    text = nonempty(ctx, field, value)
    if len(text) > MAX_NAME:
        raise bad_request(f"Invalid field '{field}': at most {MAX_NAME} characters, got {len(text)}")
    return text


def variation_prices(ctx: WriteCtx, field: str, value: Any) -> list[JSON]:
    """A product's price rules; an omitted ``direct_cost`` is 0 (the spec's default), not null."""
    items = prices(ctx, field, value)
    for raw, item in zip(value, items, strict=True):
        if "direct_cost" not in raw:
            item["direct_cost"] = 0
    return items


FIELDS = {"name": name, "prices": variation_prices}


def table_of(company: Company) -> EntityTable:
    return company.tables.setdefault("product_variations", EntityTable())


def sweep(company: Company, now: float) -> None:
    """Drop the variations of products that no longer exist (purged after their soft delete)."""
    products = company.tables["products"]
    products.purge(now)
    table = table_of(company)
    orphans = [k for k, v in table.rows.items() if v["product_id"] not in products.rows]
    for key in orphans:
        del table.rows[key]


def belongs(company: Company, product_id: int, variation_id: int) -> bool:
    """Whether ``variation_id`` is a variation of ``product_id`` (for deal products)."""
    row = table_of(company).rows.get(variation_id)
    return row is not None and row["product_id"] == product_id


def of_product(company: Company, product_id: int) -> list[JSON]:
    return [v for v in table_of(company).rows.values() if v["product_id"] == product_id]


def priced(variation_id: int, items: list[JSON]) -> list[JSON]:
    """Prices as a variation shows them: each names its variation; no ``product_id``."""
    return [
        {
            "product_variation_id": variation_id,
            **{k: v for k, v in p.items() if k not in ("product_id", "product_variation_id")},
        }
        for p in items
    ]


def _product(request: Request, company: Company, *, writing: bool) -> JSON:
    now = now_of(request)
    sweep(company, now)
    product = find(company, "products", request.path_params["id"], now)
    if writing and product.get("is_deleted"):
        raise gone()
    return product


def _variation(request: Request, company: Company, product: JSON) -> JSON:
    row = table_of(company).rows.get(request.path_params["product_variation_id"])
    if row is None or row["product_id"] != product["id"]:
        raise PipedriveError(404, "Product variation was not found", error_info="Object was not found.")
    return row


async def list_variations(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=10)
    product = _product(request, access.company, writing=False)
    rows = sorted(of_product(access.company, product["id"]), key=lambda v: int(v["id"]))
    page, next_cursor = cursor_page(request, rows)
    return ok(page, {"next_cursor": next_cursor})


async def add(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=5)
    product = _product(request, access.company, writing=True)
    body = await json_body(request)
    if body.get("name") is None:
        raise bad_request("Field 'name' is required")
    ctx = WriteCtx(access.company, access.user, now_of(request))
    clean = apply(ctx, FIELDS, body, read_only=("id", "product_id"))
    table = table_of(access.company)
    if "prices" not in clean:
        # The spec's default when prices are omitted: 0 in the user's default currency.
        default = {
            "price": 0,
            "currency": access.company.currency,
            "cost": 0,
            "direct_cost": 0,
            "notes": None,
        }
        clean["prices"] = [default]
    row = {
        "id": table.next_id,
        "name": clean["name"],
        "product_id": product["id"],
        "prices": priced(table.next_id, clean["prices"]),
    }
    table.rows[table.new_id()] = row
    return ok(row, status_code=201)


async def update(request: Request) -> Response:
    """Given fields replace the stored ones (``prices`` as a whole list); omitted ones stay."""
    access = require_access(request, scopes_any=WRITE, cost=5)
    product = _product(request, access.company, writing=True)
    before = _variation(request, access.company, product)
    ctx = WriteCtx(access.company, access.user, now_of(request))
    clean = apply(ctx, FIELDS, await json_body(request), read_only=("id", "product_id"))
    row = dict(before)
    if "name" in clean:
        row["name"] = clean["name"]
    if "prices" in clean:
        row["prices"] = priced(row["id"], clean["prices"])
    table_of(access.company).rows[row["id"]] = row
    return ok(row)


async def delete(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=3)
    product = _product(request, access.company, writing=True)
    row = _variation(request, access.company, product)
    del table_of(access.company).rows[row["id"]]
    return ok({"id": row["id"]})


_BASE = "/api/v2/products/" + id_param("id") + "/variations"
_ONE = _BASE + "/" + id_param("product_variation_id")
routes: list[BaseRoute] = [
    Route(_BASE, list_variations, methods=["GET"]),
    Route(_BASE, add, methods=["POST"]),
    Route(_ONE, update, methods=["PATCH"]),
    Route(_ONE, delete, methods=["DELETE"]),
]

"""Products (v2): name required, one price per currency; creation answers 201."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

from .common import JSON
from .entity import EntitySpec, Filter, crud_routes
from .errors import bad_request
from .validate import (
    VISIBLE_TO,
    WriteCtx,
    boolean,
    currency,
    fail,
    integer,
    nonempty,
    nullable,
    number,
    one_of,
    string,
    user_ref,
)

BILLING = ("one-time", "annually", "semi-annually", "quarterly", "monthly", "weekly")


def prices(ctx: WriteCtx, name: str, value: Any) -> list[JSON]:
    keys = {"currency", "price", "cost", "direct_cost", "notes"}
    if not isinstance(value, list):
        raise fail(name, "an array of {currency, price, cost, direct_cost, notes} objects", value)
    out: list[JSON] = []
    for i, item in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(item, dict) or set(item) - keys:
            raise fail(where, "an object {currency, price, cost, direct_cost, notes}", item)
        if "currency" not in item or "price" not in item:
            raise bad_request(f"Invalid field '{where}': 'currency' and 'price' are required")
        out.append(
            {
                "price": number(ctx, f"{where}.price", item["price"]),
                "currency": currency(ctx, f"{where}.currency", item["currency"]),
                "cost": number(ctx, f"{where}.cost", item.get("cost", 0)),
                "direct_cost": nullable(number)(ctx, f"{where}.direct_cost", item.get("direct_cost")),
                "notes": nullable(string)(ctx, f"{where}.notes", item.get("notes")),
            }
        )
    seen = [p["currency"] for p in out]
    if len(seen) != len(set(seen)):
        raise bad_request(f"Invalid field '{name}': only one price per currency is allowed")
    return out


FIELDS = {
    "name": nonempty,
    "code": nullable(string),
    "description": nullable(string),
    "unit": nullable(string),
    "tax": number,
    "category": nullable(string),
    "owner_id": user_ref,
    "is_linkable": boolean,
    "visible_to": one_of(*VISIBLE_TO),
    "prices": prices,
    "billing_frequency": one_of(*BILLING),
    "billing_frequency_cycles": nullable(integer),
}


def template(ctx: WriteCtx) -> JSON:
    return {
        "name": None,
        "code": None,
        "description": None,
        "unit": None,
        "tax": 0,
        "category": None,
        "owner_id": ctx.user.id,
        "is_linkable": True,
        "is_deleted": False,
        "visible_to": 3,
        "billing_frequency": "one-time",
        "billing_frequency_cycles": None,
        "prices": [],
        "custom_fields": {},
    }


def prepare(ctx: WriteCtx, row: JSON, given: set[str], before: JSON | None) -> None:
    if not row.get("name"):
        raise bad_request("Field 'name' is required")
    row["prices"] = [
        {"product_id": row["id"], **{k: v for k, v in p.items() if k != "product_id"}} for p in row["prices"]
    ]


SPEC = EntitySpec(
    table="products",
    entity="product",
    path="/api/v2/products",
    read_scopes=("products:read", "products:full"),
    write_scopes=("products:full",),
    fields=FIELDS,
    template=template,
    prepare=prepare,
    filters=(Filter("ids", "id", "ints"), Filter("owner_id", "owner_id")),
    sort_by=("id", "name", "add_time", "update_time"),
    create_status=201,
)

routes: list[BaseRoute] = crud_routes(SPEC)

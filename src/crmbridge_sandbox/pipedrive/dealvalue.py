"""A deal's value once it has products: the products' sums, less the deal's additional discounts.

Pipedrive says a discount changes the deal value "if the deal has one-time products attached", and
installments are only for one-time products, so the sandbox reads discounts as applying to one-time
products only: they reduce the sum of the deal's enabled one-time products, and recurring products add
their sums undiscounted. Discounts apply in the order they were added, each to what the earlier ones
left (a percentage of the running total, or an amount off it), never below zero. The spec states none
of this arithmetic; it is the sandbox's choice.
"""

from __future__ import annotations

from typing import Any

from .store import Company, EntityTable

JSON = dict[str, Any]
ONE_TIME = "one-time"


def table(company: Company, name: str) -> EntityTable:
    """A table the sandbox creates on first use (``deal_products``, ``deal_discounts``, …)."""
    return company.tables.setdefault(name, EntityTable())


def lines(company: Company, deal_id: int) -> list[JSON]:
    return [r for r in table(company, "deal_products").live() if r["deal_id"] == deal_id]


def discounts(company: Company, deal_id: int) -> list[JSON]:
    """The deal's discounts in the order they were added."""
    rows = [r for r in table(company, "deal_discounts").rows.values() if r["deal_id"] == deal_id]
    return sorted(rows, key=lambda r: r["_order"])


def has_one_time(company: Company, deal_id: int) -> bool:
    return any(r.get("billing_frequency", ONE_TIME) == ONE_TIME for r in lines(company, deal_id))


def discounted(company: Company, deal_id: int, subtotal: float) -> float:
    total = subtotal
    for row in discounts(company, deal_id):
        if row["type"] == "percentage":
            total -= total * float(row["amount"]) / 100
        else:
            total -= float(row["amount"])
        total = max(total, 0.0)
    return total


def revalue(company: Company, deal: JSON) -> None:
    """Set ``deal["value"]`` from its enabled products and its discounts."""
    enabled = [r for r in lines(company, deal["id"]) if r["is_enabled"]]
    once = sum(r["sum"] for r in enabled if r.get("billing_frequency", ONE_TIME) == ONE_TIME)
    recurring = sum(r["sum"] for r in enabled if r.get("billing_frequency", ONE_TIME) != ONE_TIME)
    deal["value"] = round(discounted(company, deal["id"], once) + recurring, 2)

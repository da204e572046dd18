"""``include_fields`` of the v2 searches: one optional item field per entity, added to the page's items.

The spec names the options (``deal.cc_email``, ``person.picture``, ``product.price``, ``lead.was_seen``) but
not the values' shapes, so these are the sandbox's picks: a deal's cc_email is its Smart BCC address (the
one ``include_fields=smart_bcc_email`` gives), a person's picture is null (the sandbox stores no pictures),
a product's price is its unit price in the company currency (else its first price; null without prices),
a lead's was_seen is the lead's flag. Names outside the route's list are a 400, as the v1 lead search does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request

from . import includes
from .common import JSON
from .errors import bad_request
from .store import Company

Compute = Callable[[Company, JSON], Any]


def _price(company: Company, row: JSON) -> Any:
    prices = row.get("prices") or []
    mine = next((p for p in prices if p.get("currency") == company.currency), prices[0] if prices else None)
    return mine["price"] if mine else None


#: include name → (item type, table, item key, value)
INCLUDABLE: dict[str, tuple[str, str, str, Compute]] = {
    "deal.cc_email": (
        "deal",
        "deals",
        "cc_email",
        lambda c, r: includes.INCLUDES["deal"]["smart_bcc_email"](c, "deal", r),
    ),
    "person.picture": ("person", "persons", "picture", lambda c, r: None),
    "product.price": ("product", "products", "price", _price),
    "lead.was_seen": ("lead", "leads", "was_seen", lambda c, r: bool(r.get("was_seen"))),
}


def wanted(request: Request, allowed: Sequence[str]) -> list[str]:
    """The asked names; a route with none to offer (organizations) ignores the parameter."""
    raw = request.query_params.get("include_fields") or ""
    if not allowed:
        return []
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if set(names) - set(allowed):
        raise bad_request(f"Parameter 'include_fields' accepts only {', '.join(allowed)}; got {raw}")
    return list(dict.fromkeys(names))


def add(company: Company, items: list[JSON], names: list[str]) -> None:
    """Add the ``names`` fields to the search items of their type, in place."""
    for name in names:
        item_type, table, key, compute = INCLUDABLE[name]
        for item in items:
            if item["type"] == item_type:
                item[key] = compute(company, company.tables[table].rows[item["id"]])

"""The hostile-value fuzz of test_hostile_input.py over Pipedrive's deal discounts, deal installments and
lead ↔ deal conversion routes: bodies, query parameters and path segments. Never a 5xx, and every 400
in Pipedrive's error envelope."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from .test_hostile_input import HOSTILE_JSON, HOSTILE_QUERY, MARK, Fuzz, fuzz, shown, with_value

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

DISCOUNT = {"description": "d", "amount": 5, "type": "amount"}
PART = {"description": "i", "amount": 5, "billing_date": "2025-01-01"}
QUERIES: list[tuple[str, tuple[str, ...]]] = [
    ("/api/v2/deals/installments", ("deal_ids", "cursor", "limit", "sort_by", "sort_direction")),
]
PATHS = [
    ("GET", "/api/v2/deals/{}/discounts"),
    ("PATCH", "/api/v2/deals/{deal}/discounts/{}"),
    ("DELETE", "/api/v2/deals/{deal}/discounts/{}"),
    ("PATCH", "/api/v2/deals/{deal}/installments/{}"),
    ("POST", "/api/v2/deals/{}/convert/lead"),
    ("GET", "/api/v2/deals/{deal}/convert/status/{}"),
    ("POST", "/api/v2/leads/{}/convert/deal"),
    ("GET", "/api/v2/leads/{}/convert/status/x"),
]


async def _setup(fuzz: Fuzz, h: dict[str, str]) -> dict[str, Any]:
    """A deal with a one-time product, one discount and one installment, whose ids the PATCH bodies use."""
    base = fuzz.prefix
    deal = (await fuzz.client.post(f"{base}/api/v2/deals", json={"title": "Fuzz"}, headers=h)).json()["data"]
    product = (await fuzz.client.post(f"{base}/api/v2/products", json={"name": "P"}, headers=h)).json()[
        "data"
    ]
    line = {"product_id": product["id"], "item_price": 10, "quantity": 1}
    r = await fuzz.client.post(f"{base}/api/v2/deals/{deal['id']}/products", json=line, headers=h)
    assert r.status_code == 201, r.text
    d = await fuzz.client.post(f"{base}/api/v2/deals/{deal['id']}/discounts", json=DISCOUNT, headers=h)
    i = await fuzz.client.post(f"{base}/api/v2/deals/{deal['id']}/installments", json=PART, headers=h)
    assert d.status_code == 201 and i.status_code == 200, (d.text, i.text)
    return {"deal": deal["id"], "discount": d.json()["data"]["id"], "installment": i.json()["data"]["id"]}


async def _lead(fuzz: Fuzz, h: dict[str, str]) -> str:
    person = (await fuzz.client.post(f"{fuzz.prefix}/api/v2/persons", json={"name": "p"}, headers=h)).json()
    body = {"title": "Fuzz lead", "person_id": person["data"]["id"]}
    lead = (await fuzz.client.post(f"{fuzz.prefix}/v1/leads", json=body, headers=h)).json()
    lead_id: str = lead["data"]["id"]
    return lead_id


async def test_deal_extras_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.pipedrive, "content-type": "application/json"}
    ids = await _setup(fuzz, h)
    deal, one = ids["deal"], f"/api/v2/deals/{ids['deal']}"
    bodies: list[tuple[str, str, Any]] = [
        ("POST", f"{one}/discounts", {**DISCOUNT, "amount": MARK}),
        ("POST", f"{one}/discounts", {**DISCOUNT, "type": MARK}),
        ("POST", f"{one}/discounts", {**DISCOUNT, "description": MARK}),
        ("PATCH", f"{one}/discounts/{ids['discount']}", {"amount": MARK, "type": "percentage"}),
        ("PATCH", f"{one}/discounts/{ids['discount']}", {"description": MARK}),
        ("POST", f"{one}/installments", {**PART, "amount": MARK}),
        ("POST", f"{one}/installments", {**PART, "billing_date": MARK}),
        ("POST", f"{one}/installments", {**PART, "description": MARK}),
        ("PATCH", f"{one}/installments/{ids['installment']}", {"billing_date": MARK, "amount": MARK}),
        ("POST", f"{one}/convert/lead", {"stage_id": MARK}),
    ]
    for method, path, template in bodies:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send(
                "pipedrive", method, fuzz.prefix + path, what, content=with_value(template, raw), headers=h
            )
    for key in ("stage_id", "pipeline_id"):
        for raw in HOSTILE_JSON:  # a fresh lead each time: a value that happens to be valid converts it
            lead = await _lead(fuzz, h)
            template = {key: MARK}
            path = f"{fuzz.prefix}/api/v2/leads/{lead}/convert/deal"
            await fuzz.send(
                "pipedrive", "POST", path, f"{key}={shown(raw)}", content=with_value(template, raw), headers=h
            )
    for path, names in QUERIES:
        for name in names:
            for raw in HOSTILE_QUERY:
                params = {"deal_ids": str(deal), name: raw}
                await fuzz.send(
                    "pipedrive", "GET", fuzz.prefix + path, f"{name}={shown(raw)}", params=params, headers=h
                )
    for method, pattern in PATHS:
        for raw in HOSTILE_QUERY:
            path = fuzz.prefix + pattern.replace("{deal}", str(deal)).format(quote(raw, safe=""))
            await fuzz.send("pipedrive", method, path, shown(raw), json={}, headers=h)
    await fuzz.still_works("the fuzz of the deal discount, installment and conversion routes")
    assert not fuzz.failures, "\n".join(fuzz.failures)

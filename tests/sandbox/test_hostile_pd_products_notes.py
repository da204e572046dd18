"""The hostile-value fuzz of test_hostile_input.py over product variations, product duplicate, deal
products naming a variation, and note comments on Pipedrive: every hostile value in every field, query
parameter and path id gets a 4xx in Pipedrive's envelope, never a 5xx, and the records stay readable."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from .test_hostile_input import HOSTILE_JSON, HOSTILE_QUERY, MARK, Fuzz, fuzz, shown, with_value

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py


async def _records(fuzz: Fuzz, headers: dict[str, str]) -> dict[str, Any]:
    """A product with a variation, a deal, and a note with a comment, to aim the fuzz at."""

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await fuzz.client.post(fuzz.prefix + path, json=body, headers=headers)
        assert r.status_code in (200, 201), r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    product = await post("/api/v2/products", {"name": "Fuzzed"})
    variation = await post(f"/api/v2/products/{product['id']}/variations", {"name": "V"})
    deal = await post("/api/v2/deals", {"title": "Fuzzed"})
    note = await post("/v1/notes", {"content": "n", "deal_id": deal["id"]})
    comment = await post(f"/v1/notes/{note['id']}/comments", {"content": "c"})
    return {"p": product["id"], "v": variation["id"], "d": deal["id"], "n": note["id"], "c": comment["uuid"]}


def _bodies(ids: dict[str, Any]) -> list[tuple[str, str, Any]]:
    variations = f"/api/v2/products/{ids['p']}/variations"
    one = f"{variations}/{ids['v']}"
    comments = f"/v1/notes/{ids['n']}/comments"
    price = {"currency": "USD", "price": 1}
    line = {"product_id": ids["p"], "item_price": 1, "quantity": 1}
    return [
        ("POST", variations, {"name": MARK}),
        ("POST", variations, {"name": "v", "prices": MARK}),
        ("POST", variations, {"name": "v", "prices": [MARK]}),
        ("POST", variations, {"name": "v", "prices": [{**price, "price": MARK}]}),
        ("POST", variations, {"name": "v", "prices": [{**price, "currency": MARK, "cost": MARK}]}),
        ("POST", variations, {"name": "v", "prices": [{**price, "direct_cost": MARK, "notes": MARK}]}),
        ("PATCH", one, {"name": MARK}),
        ("PATCH", one, {"prices": MARK}),
        ("PATCH", one, {"prices": [{**price, "price": MARK}]}),
        ("POST", f"/api/v2/products/{ids['p']}/duplicate", {"name": MARK}),
        ("POST", f"/api/v2/deals/{ids['d']}/products", {**line, "product_variation_id": MARK}),
        ("POST", comments, {"content": MARK}),
        ("PUT", f"{comments}/{ids['c']}", {"content": MARK}),
    ]


async def test_products_and_notes_routes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.pipedrive, "content-type": "application/json"}
    ids = await _records(fuzz, h)
    for method, path, template in _bodies(ids):
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send(
                "pipedrive", method, fuzz.prefix + path, what, content=with_value(template, raw), headers=h
            )
    queries = [
        (f"/api/v2/products/{ids['p']}/variations", ("cursor", "limit")),
        (f"/v1/notes/{ids['n']}/comments", ("start", "limit")),
    ]
    for path, names in queries:
        for name in names:
            for raw in HOSTILE_QUERY:
                what = f"{name}={shown(raw)}"
                await fuzz.send("pipedrive", "GET", fuzz.prefix + path, what, params={name: raw}, headers=h)
    patterns = [
        ("GET", "/api/v2/products/{}/variations"),
        ("PATCH", f"/api/v2/products/{ids['p']}/variations/{{}}"),
        ("DELETE", "/api/v2/products/{}/variations/1"),
        ("POST", "/api/v2/products/{}/duplicate"),
        ("GET", "/v1/notes/{}/comments"),
        ("GET", f"/v1/notes/{ids['n']}/comments/{{}}"),
        ("PUT", f"/v1/notes/{ids['n']}/comments/{{}}"),
        ("DELETE", f"/v1/notes/{ids['n']}/comments/{{}}"),
    ]
    for method, pattern in patterns:
        for raw in HOSTILE_QUERY:
            path = fuzz.prefix + pattern.format(quote(raw, safe=""))
            await fuzz.send(
                "pipedrive", method, path, shown(raw), json={"content": "x", "name": "x"}, headers=h
            )
    await fuzz.still_works("the fuzz of variations, duplicate and note comments")
    for path in (f"/api/v2/products/{ids['p']}/variations", f"/v1/notes/{ids['n']}/comments"):
        fuzz.sandbox.clock.advance(11)
        r = await fuzz.client.get(fuzz.prefix + path, headers=h)
        assert r.status_code == 200 and r.json()["success"] is True, r.text
    assert not fuzz.failures, "\n".join(fuzz.failures)

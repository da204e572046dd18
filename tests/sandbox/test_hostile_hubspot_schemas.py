"""The hostile-value fuzz of test_hostile_input.py over the custom object schema writes: PATCH, DELETE,
purge and association definitions. Never a 5xx; every 400 in HubSpot's error body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from .test_hostile_input import HOSTILE_JSON, HOSTILE_QUERY, MARK, Fuzz, fuzz, shown, with_value

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

S = "/hubspot/crm-object-schemas/v3/schemas"
BODIES: list[tuple[str, str, Any]] = [
    ("PATCH", "/cars", {"labels": MARK}),
    ("PATCH", "/cars", {"labels": {"singular": MARK, "plural": MARK}}),
    ("PATCH", "/cars", {"requiredProperties": MARK, "searchableProperties": MARK}),
    ("PATCH", "/cars", {"secondaryDisplayProperties": [MARK]}),
    ("PATCH", "/cars", {"primaryDisplayProperty": MARK}),
    ("PATCH", "/cars", {"description": MARK, "clearDescription": MARK}),
    ("PATCH", "/cars", {"restorable": MARK, "allowsSensitiveProperties": MARK}),
    ("POST", "/cars/associations", {"fromObjectTypeId": MARK, "toObjectTypeId": "0-5"}),
    ("POST", "/cars/associations", {"fromObjectTypeId": "cars", "toObjectTypeId": MARK}),
    ("POST", "/cars/associations", {"fromObjectTypeId": "cars", "toObjectTypeId": "0-5", "name": MARK}),
    ("DELETE", "/cars", MARK),
]
PATHS = [
    ("PATCH", "/{}"),
    ("DELETE", "/{}"),
    ("DELETE", "/{}/purge"),
    ("POST", "/{}/associations"),
    ("DELETE", "/cars/associations/{}"),
]


async def test_schema_writes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.hubspot, "content-type": "application/json"}
    for method, path, template in BODIES:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send("hubspot", method, S + path, what, content=with_value(template, raw), headers=h)
    for method, pattern in PATHS:
        for raw in HOSTILE_QUERY:
            path = S + pattern.format(quote(raw, safe=""))
            await fuzz.send("hubspot", method, path, shown(raw), json={"description": "x"}, headers=h)
    for raw in HOSTILE_QUERY:
        for path in ("/cars", "/cars/purge"):
            await fuzz.send("hubspot", "DELETE", S + path, f"archived={shown(raw)}", params={"archived": raw},
                            headers=h)  # fmt: skip
    await fuzz.still_works("the fuzz of the schema writes")
    r = await fuzz.client.get(f"{S}/cars", headers=fuzz.hubspot)
    assert r.status_code == 200 and r.json()["archived"] is False  # cars still has records: never deleted
    assert not fuzz.failures, "\n".join(fuzz.failures)

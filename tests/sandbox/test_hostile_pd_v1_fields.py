"""The hostile-value fuzz of test_hostile_input.py over the Pipedrive v1 field APIs (create, PUT, delete,
bulk delete, paging) and the v2 project field writes. Never a 5xx; 400s in Pipedrive's error shape."""

from __future__ import annotations

from typing import Any

import pytest

from .test_hostile_input import MARK, Fuzz, fuzz
from .test_hostile_new_routes import _bodies, _queries_and_paths

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

V1_CREATE = {"name": "f", "field_type": "enum", "options": [{"label": "a"}]}


def _bodies_for(custom_id: int, system_id: int, product_id: int) -> list[tuple[str, str, Any]]:
    return [
        ("POST", "/v1/dealFields", {**V1_CREATE, "name": MARK}),
        ("POST", "/v1/personFields", {**V1_CREATE, "field_type": MARK}),
        ("POST", "/v1/organizationFields", {**V1_CREATE, "options": MARK}),
        ("POST", "/v1/dealFields", {**V1_CREATE, "options": [{"label": MARK}]}),
        ("POST", "/v1/dealFields", {**V1_CREATE, "options": [{"id": MARK, "label": "x"}]}),
        ("POST", "/v1/dealFields", {**V1_CREATE, "add_visible_flag": MARK}),
        ("POST", "/v1/productFields", {**V1_CREATE, "name": MARK, "field_type": MARK}),
        ("PUT", f"/v1/dealFields/{custom_id}", {"name": MARK}),
        ("PUT", f"/v1/dealFields/{custom_id}", {"options": MARK, "add_visible_flag": MARK}),
        ("PUT", f"/v1/dealFields/{custom_id}", {"options": [{"id": MARK, "label": "x"}]}),
        ("PUT", f"/v1/dealFields/{custom_id}", {"options": [{"label": MARK}]}),
        ("PUT", f"/v1/dealFields/{system_id}", {"name": MARK, "add_visible_flag": MARK}),
        ("PUT", f"/v1/productFields/{product_id}", {"name": MARK, "options": MARK}),
        ("POST", "/api/v2/projectFields", {"field_name": MARK, "field_type": "varchar"}),
        ("POST", "/api/v2/projectFields", {"field_name": "f", "field_type": MARK, "options": MARK}),
        ("POST", "/api/v2/projectFields", {"field_name": "f", "field_type": "text", "required_fields": MARK}),
        ("PATCH", "/api/v2/projectFields/title", {"field_name": MARK}),
    ]


QUERIES: list[tuple[str, tuple[str, ...]]] = [
    ("/v1/dealFields", ("start", "limit")),
    ("/v1/productFields", ("start", "limit")),
    ("/v1/activityFields", ("start", "limit")),
    ("/v1/leadFields", ("start", "limit")),
    ("/v1/noteFields", ("start", "limit")),
    ("/api/v2/projectFields", ("cursor", "limit", "include_fields")),
]
PATHS = ["/v1/dealFields/{}", "/v1/productFields/{}", "/v1/personFields/{}", "/api/v2/projectFields/{}"]


async def test_v1_field_routes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.pipedrive, "content-type": "application/json"}
    deal = (await fuzz.client.get(f"{fuzz.prefix}/v1/dealFields", headers=h)).json()["data"]
    product = (await fuzz.client.get(f"{fuzz.prefix}/v1/productFields", headers=h)).json()["data"]
    custom = next(f["id"] for f in deal if f["field_type"] == "enum" and f["edit_flag"])
    system = next(f["id"] for f in deal if f["key"] == "title")
    product_custom = next(f["id"] for f in product if f["edit_flag"])
    await _bodies(fuzz, "pipedrive", fuzz.prefix, h, _bodies_for(custom, system, product_custom))
    await _queries_and_paths(fuzz, "pipedrive", fuzz.prefix, h, QUERIES, PATHS)
    for path in ("/v1/dealFields", "/v1/productFields"):
        for raw in ("NaN", "1,,2", "-1", "9" * 40, "1,x", "", MARK, ",".join(["1"] * 500)):
            await fuzz.send("pipedrive", "DELETE", fuzz.prefix + path, f"ids={raw!r}", params={"ids": raw},
                            headers=h)  # fmt: skip
    await fuzz.still_works("the fuzz of the v1 field routes")
    assert not fuzz.failures, "\n".join(fuzz.failures)

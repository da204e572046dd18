"""The hostile-value fuzz of test_hostile_input.py over the bodies the conformance audit touched: schema
batch read, typed optional property attributes, label updates and batch ids. Never a 5xx; every 400 in
HubSpot's error body."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .test_hostile_input import HOSTILE_JSON, MARK, Fuzz, fuzz, shown, with_value

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

H = "/hubspot"
PROP = {
    "name": "fuzzed",
    "label": "F",
    "type": "string",
    "fieldType": "text",
    "groupName": "contactinformation",
}
BODIES: list[tuple[str, str, Any]] = [
    ("POST", "/crm-object-schemas/v3/schemas/batch/read", {"inputs": MARK}),
    ("POST", "/crm-object-schemas/v3/schemas/batch/read", {"inputs": [MARK]}),
    ("POST", "/crm-object-schemas/v3/schemas/batch/read", {"inputs": ["cars"], "includeAuditMetadata": MARK}),
    ("POST", "/crm/v3/properties/contacts", {**PROP, "hidden": MARK}),
    ("POST", "/crm/v3/properties/contacts", {**PROP, "numberDisplayHint": MARK}),
    ("POST", "/crm/v3/properties/contacts", {**PROP, "dataSensitivity": MARK, "description": MARK}),
    ("PATCH", "/crm/v3/properties/contacts/firstname", {"formField": MARK}),
    ("PUT", "/crm/v4/associations/contacts/companies/labels", {"associationTypeId": MARK, "label": "x"}),
    ("PUT", "/crm/associations/v4/contacts/companies/labels", {"associationTypeId": 1, "label": MARK}),
    ("POST", "/crm/v3/objects/contacts/batch/read", {"inputs": [{"id": MARK}]}),
    ("POST", "/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": MARK}]}),
]


async def test_conformance_bodies_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.hubspot, "content-type": "application/json"}
    for method, path, template in BODIES:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send("hubspot", method, H + path, what, content=with_value(template, raw), headers=h)
    await fuzz.still_works("the fuzz of the conformance bodies")
    assert not fuzz.failures, "\n".join(fuzz.failures)

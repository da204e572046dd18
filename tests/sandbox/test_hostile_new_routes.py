"""The hostile-value fuzz of test_hostile_input.py, over the routes and fields added for issue 15:
pipeline/stage and property writes, the v4 label path and batch inputs on HubSpot; call logs, followers,
deal products, include_fields and the person/activity/deal fields on Pipedrive. Never a 5xx."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from .test_hostile_input import HOSTILE_JSON, HOSTILE_QUERY, MARK, Fuzz, fuzz, shown, with_value

pytestmark = pytest.mark.anyio
__all__ = ["fuzz"]  # the fixture, shared with test_hostile_input.py

STAGE = {"label": "s", "displayOrder": 0, "metadata": {"probability": "0.5"}}
HUBSPOT_BODIES: list[tuple[str, str, Any]] = [
    ("POST", "/crm/v3/pipelines/deals", {"label": MARK, "displayOrder": 1, "stages": [STAGE]}),
    ("POST", "/crm/v3/pipelines/deals", {"label": "p", "displayOrder": MARK, "stages": MARK}),
    ("POST", "/crm/v3/pipelines/deals", {"label": "p", "displayOrder": 1, "stages": [MARK]}),
    ("POST", "/crm/v3/pipelines/deals/default/stages", {**STAGE, "metadata": MARK}),
    ("POST", "/crm/v3/pipelines/deals/default/stages", {**STAGE, "metadata": {"probability": MARK}}),
    ("POST", "/crm/v3/pipelines/tickets/0/stages", {**STAGE, "metadata": {"ticketState": MARK}}),
    ("PATCH", "/crm/v3/pipelines/deals/default/stages/closedwon", {"metadata": MARK, "displayOrder": MARK}),
    ("PATCH", "/crm/v3/pipelines/deals/default", {"label": MARK, "archived": MARK}),
    ("PATCH", "/crm/v3/properties/contacts/fuzzprop", {"label": MARK, "displayOrder": MARK}),
    ("PATCH", "/crm/v3/properties/contacts/fuzzprop", {"options": MARK, "groupName": MARK}),
    ("POST", "/crm/v3/properties/contacts/batch/read", {"inputs": [{"name": MARK}], "archived": MARK}),
    ("POST", "/crm/v3/properties/contacts/batch/create", {"inputs": MARK}),
    ("POST", "/crm/v3/properties/contacts/batch/archive", {"inputs": [{"name": MARK}]}),
    ("POST", "/crm/v3/properties/contacts/groups", {"name": MARK, "label": "g", "displayOrder": MARK}),
    ("PATCH", "/crm/v3/properties/contacts/groups/contactinformation", {"label": MARK}),
    ("POST", "/crm/v3/objects/contacts", {"properties": MARK}),
    ("POST", "/crm/v3/objects/contacts/batch/update", {"inputs": [{"id": MARK, "properties": {}}]}),
    ("POST", "/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": MARK}]}),
    ("POST", "/crm/v4/associations/contacts/companies/batch/read", {"inputs": [{"id": MARK}]}),
    ("POST", "/crm/associations/v4/contacts/companies/labels", {"label": MARK, "name": MARK}),
    ("POST", "/crm/v3/objects/contacts/merge", {"primaryObjectId": MARK, "objectIdToMerge": "1"}),
    ("POST", "/crm/v3/objects/deals/merge", {"primaryObjectId": "1", "objectIdToMerge": MARK}),
    ("POST", "/crm/v3/objects/contacts/gdpr-delete", {"objectId": MARK, "idProperty": "email"}),
    ("POST", "/crm/v3/objects/contacts/gdpr-delete", {"objectId": "1", "idProperty": MARK}),
]
HUBSPOT_PATHS = [
    "/crm/v3/pipelines/deals/{}/audit",
    "/crm/v3/pipelines/deals/default/stages/{}/audit",
    "/crm/v3/properties/contacts/groups/{}",
    "/crm/associations/v4/contacts/{}/labels",
]

CALL = {"outcome": "busy", "to_phone_number": "1", "start_time": "2024-01-01 00:00:00",
        "end_time": "2024-01-01 00:01:00"}  # fmt: skip
LINE = {"product_id": 1, "item_price": 1, "quantity": 1}
PIPEDRIVE_BODIES: list[tuple[str, str, Any]] = [
    ("POST", "/v1/callLogs", {**CALL, "duration": MARK}),
    ("POST", "/v1/callLogs", {**CALL, "start_time": MARK, "outcome": MARK}),
    ("POST", "/v1/callLogs", {**CALL, "person_id": MARK, "activity_id": MARK}),
    ("POST", "/v1/callLogs", {**CALL, "lead_id": MARK, "user_id": MARK}),
    ("POST", "/api/v2/deals/1/followers", {"user_id": MARK}),
    ("POST", "/api/v2/persons/1/followers", {"user_id": MARK}),
    ("POST", "/api/v2/deals/1/products", {**LINE, "item_price": MARK}),
    ("POST", "/api/v2/deals/1/products", {**LINE, "quantity": MARK, "discount": MARK}),
    ("POST", "/api/v2/deals/1/products", {**LINE, "tax": MARK, "tax_method": "exclusive"}),
    ("POST", "/api/v2/deals/1/products", {**LINE, "product_id": MARK}),
    ("POST", "/api/v2/deals/1/products/bulk", {"data": MARK}),
    ("POST", "/api/v2/deals/1/products/bulk", {"data": [{**LINE, "item_price": MARK}]}),
    ("POST", "/api/v2/persons", {"name": "p", "postal_address": MARK, "im": MARK}),
    ("POST", "/api/v2/persons", {"name": "p", "birthday": MARK, "job_title": MARK}),
    ("POST", "/api/v2/persons", {"name": "p", "add_time": MARK}),
    ("POST", "/api/v2/activities", {"person_id": MARK}),
    ("POST", "/api/v2/deals", {"title": "d", "is_deleted": MARK, "archive_time": MARK}),
    ("POST", "/api/v2/pipelines", {"name": MARK, "is_deal_probability_enabled": MARK}),
    ("PATCH", "/api/v2/pipelines/1", {"name": MARK}),
    ("POST", "/api/v2/stages", {"name": "s", "pipeline_id": MARK, "deal_probability": MARK}),
    ("PATCH", "/api/v2/stages/1", {"days_to_rotten": MARK, "is_deal_rot_enabled": MARK}),
    ("POST", "/api/v2/dealFields", {"field_name": MARK, "field_type": "varchar"}),
    ("POST", "/api/v2/personFields", {"field_name": "f", "field_type": MARK, "options": MARK}),
    ("POST", "/api/v2/dealFields", {"field_name": "f", "field_type": "enum", "options": [{"label": MARK}]}),
    ("POST", "/api/v2/productFields", {"field_name": "f", "field_type": "text", "ui_visibility": MARK}),
    ("PATCH", "/api/v2/dealFields/title", {"field_name": MARK, "description": MARK}),
    ("POST", "/api/v2/dealFields/title/options", [{"label": MARK}]),
    ("PATCH", "/api/v2/organizationFields/name/options", [{"id": MARK, "label": "x"}]),
]
PIPEDRIVE_QUERIES: list[tuple[str, tuple[str, ...]]] = [
    ("/api/v2/deals", ("include_fields",)),
    ("/api/v2/deals/1", ("include_fields",)),
    ("/api/v2/organizations", ("include_fields",)),
    ("/api/v2/dealFields", ("include_fields",)),
    ("/api/v2/products", ("sort_by",)),
    ("/v1/callLogs", ("start", "limit")),
    ("/api/v2/deals/1/products", ("cursor", "limit", "sort_by", "sort_direction")),
    ("/api/v2/deals/products", ("deal_ids", "cursor")),
    ("/api/v2/deals/1/followers", ("cursor", "limit")),
]
PIPEDRIVE_PATHS = [
    "/api/v2/dealFields/{}",
    "/api/v2/stages/{}",
    "/v1/callLogs/{}",
    "/api/v2/deals/{}/followers",
    "/api/v2/deals/{}/products",
    "/api/v2/products/{}/followers/changelog",
]


async def _bodies(fuzz: Fuzz, kind: str, prefix: str, headers: dict[str, str], bodies: list[Any]) -> None:
    for method, path, template in bodies:
        for raw in HOSTILE_JSON:
            what = f"{json.dumps(template)[:60]} with {shown(raw)}"
            await fuzz.send(
                kind, method, prefix + path, what, content=with_value(template, raw), headers=headers
            )


async def _queries_and_paths(
    fuzz: Fuzz, kind: str, prefix: str, headers: dict[str, str], queries: list[Any], paths: list[str]
) -> None:
    for path, names in queries:
        for name in names:
            for raw in HOSTILE_QUERY:
                await fuzz.send(
                    kind, "GET", prefix + path, f"{name}={shown(raw)}", params={name: raw}, headers=headers
                )
    for pattern in paths:
        for raw in HOSTILE_QUERY:
            await fuzz.send(
                kind, "GET", prefix + pattern.format(quote(raw, safe="")), shown(raw), headers=headers
            )


async def test_new_hubspot_routes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.hubspot, "content-type": "application/json"}
    prop = {
        "name": "fuzzprop",
        "label": "F",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }
    assert (
        await fuzz.client.post("/hubspot/crm/v3/properties/contacts", json=prop, headers=h)
    ).status_code == 201
    await _bodies(fuzz, "hubspot", "/hubspot", h, HUBSPOT_BODIES)
    await _queries_and_paths(fuzz, "hubspot", "/hubspot", h, [], HUBSPOT_PATHS)
    await fuzz.still_works("the fuzz of the new HubSpot routes")
    assert not fuzz.failures, "\n".join(fuzz.failures)


async def test_new_pipedrive_routes_refuse_hostile_values(fuzz: Fuzz) -> None:
    h = {**fuzz.pipedrive, "content-type": "application/json"}
    await _bodies(fuzz, "pipedrive", fuzz.prefix, h, PIPEDRIVE_BODIES)
    await _queries_and_paths(fuzz, "pipedrive", fuzz.prefix, h, PIPEDRIVE_QUERIES, PIPEDRIVE_PATHS)
    await fuzz.still_works("the fuzz of the new Pipedrive routes")
    assert not fuzz.failures, "\n".join(fuzz.failures)

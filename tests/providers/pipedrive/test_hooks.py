"""Pipedrive hooks without the network: error mapping, paging, record shaping, and the catalog's own
naming scheme (the rules every provider keeps are in tests/providers/test_conformance.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge.providers import builtin
from crmbridge.spec import Prepared, Tool

PROVIDER = builtin("pipedrive")
HOOKS = PROVIDER.hooks


def tool(name: str) -> Tool:
    return next(t for t in PROVIDER.tools if t.name == name)


def response(
    status: int, body: Any, *, method: str = "GET", path: str = "/api/v2/deals", **headers: str
) -> httpx.Response:
    request = httpx.Request(method, f"https://acme.pipedrive.com{path}")
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def pd_error(message: str, status: int, **extra: Any) -> dict[str, Any]:
    return {"success": False, "error": message, "error_info": "Please check developers.pipedrive.com",
            "data": None, "additional_data": None, "errorCode": status, **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("tool_name", "resp", "code", "details"),
    [
        ("pipedrive_deal_create", response(400, pd_error("Invalid field 'org_id': expected an integer", 400)),
         "invalid_input", {"field": "organization"}),
        ("pipedrive_person_create", response(400, pd_error("Invalid field 'emails[0].value': must not be empty", 400)),
         "invalid_input", {"field": "email"}),
        ("pipedrive_deal_create", response(400, pd_error("Stage with id 9 was not found (field 'stage_id')", 400)),
         "invalid_input", {"field": "stage"}),
        ("pipedrive_note_create", response(400, pd_error("Unknown field(s): colour", 400)),
         "invalid_input", {"field": "colour"}),
        ("pipedrive_person_create", response(400, {"success": False, "errors": {"name": ["is required"]}}),
         "invalid_input", {"field": "name"}),
        ("pipedrive_deal_update", response(400, pd_error("Got 'abc', which is not allowed", 400)),
         "invalid_input", {"status": 400}),
        ("pipedrive_deal_get", response(401, {"success": False, "error": "unauthorized access", "errorCode": 401}),
         "auth_failed", {}),
        ("pipedrive_deal_get", response(403, {"success": False, "error": "Scope and URL mismatch", "errorCode": 403}),
         "insufficient_scope", {}),
        ("pipedrive_deal_create",
         response(403, pd_error("Couldn't add the deal. Open deals limit reached.", 403, code="feature_capping_deals_limit")),
         "insufficient_scope", {"provider_code": "feature_capping_deals_limit"}),
        ("pipedrive_deal_get", response(403, "<html>Access denied | Cloudflare</html>"), "rate_limited", {}),
        ("pipedrive_deal_get", response(404, pd_error("Entity was not found", 404), path="/api/v2/deals/5"),
         "not_found", {"status": 404}),
        ("pipedrive_deal_delete", response(410, pd_error("Entity is deleted", 410), method="DELETE", path="/api/v2/deals/5"),
         "not_found", {"status": 410}),
        ("pipedrive_deals_list", response(429, pd_error("Request over limit", 429), **{"retry-after": "2"}),
         "rate_limited", {"retry_after": 2.0, "policy": "BURST"}),
        ("pipedrive_deals_list",
         response(429, {"success": False, "error": "daily request budget exceeded", "errorCode": 429},
                  **{"retry-after": "3939"}),
         "rate_limited", {"retry_after": 3939.0, "policy": "DAILY"}),
        ("pipedrive_deals_list", response(429, pd_error("Request over limit", 429), **{"x-ratelimit-reset": "1"}),
         "rate_limited", {"retry_after": 1.0, "policy": "BURST"}),
        ("pipedrive_deals_list", response(500, pd_error("Internal Server Error", 500)), "provider_unavailable", {}),
        ("pipedrive_deals_list", response(503, "maintenance"), "provider_unavailable", {}),
        ("pipedrive_deals_list", response(402, pd_error("Company account is not open", 402)), "provider_error", {}),
    ],
)  # fmt: skip
def test_parse_error_maps_pipedrive_errors(
    tool_name: str, resp: httpx.Response, code: str, details: dict[str, Any]
) -> None:
    error = HOOKS.parse_error(resp, tool(tool_name))
    assert error.code == code, error.message
    for key, value in details.items():
        assert error.details.get(key) == value, (key, error.details)


def test_a_quoted_value_is_not_taken_for_a_field() -> None:
    error = HOOKS.parse_error(
        response(400, pd_error("Got 'abc', which is not allowed", 400)), tool("pipedrive_deal_update")
    )
    assert "field" not in error.details


def test_not_found_messages_name_the_record() -> None:
    missing = HOOKS.parse_error(
        response(404, pd_error("Entity was not found", 404), path="/api/v2/deals/5"),
        tool("pipedrive_deal_get"),
    )
    gone = HOOKS.parse_error(
        response(410, pd_error("Entity is deleted", 410), method="DELETE", path="/api/v2/persons/7"),
        tool("pipedrive_person_delete"),
    )
    assert missing.message == (
        "No Pipedrive deal with id 5 (it may have been deleted). Use pipedrive_deals_search to find it by title."
    )
    assert (missing.details["field"], missing.details["find_with"]) == ("id", "pipedrive_deals_search")
    assert gone.message == "The Pipedrive person 7 is already deleted."


def test_scope_error_is_never_a_revocation() -> None:
    error = HOOKS.parse_error(response(403, {"success": False, "error": "Scope and URL mismatch"}), None)
    assert error.code == "insufficient_scope" and not error.retryable


@pytest.mark.parametrize(
    ("body", "cursor"),
    [
        ({"success": True, "data": [], "additional_data": {"next_cursor": "abc"}}, "abc"),
        ({"success": True, "data": [], "additional_data": {"next_cursor": None}}, None),
        ({"success": True, "data": [], "additional_data": {"pagination": {"start": 0, "limit": 2,
          "more_items_in_collection": True, "next_start": 2}}}, "2"),
        ({"success": True, "data": [], "additional_data": {"start": 4, "limit": 2, "more_items_in_collection": True}},
         "6"),
        ({"success": True, "data": [], "additional_data": {"pagination": {"more_items_in_collection": False}}}, None),
        ({"success": True, "data": {}, "additional_data": None}, None),
    ],
)  # fmt: skip
def test_page_info_reads_both_paginations(body: dict[str, Any], cursor: str | None) -> None:
    assert HOOKS.page_info(body) == (cursor, None)


def test_shape_record_is_compact() -> None:
    record = {
        "id": 1, "title": "T", "person_id": None, "label_ids": [], "visible_to": 3, "is_deleted": False,
        "is_archived": True, "done": False, "custom_fields": {"a" * 40: None, "b" * 40: 7},
        "address": {"value": "1 Main St", "route": None}, "pinned_to_deal_flag": False,
    }  # fmt: skip
    shaped = HOOKS.shape_record(record, tool("pipedrive_deal_get"), Prepared({}))
    assert shaped == {"id": 1, "title": "T", "is_archived": True, "done": False,
                      "custom_fields": {"b" * 40: 7}, "address": {"value": "1 Main St"}}  # fmt: skip


def test_shape_record_gathers_v1_custom_fields_and_flattens_search_hits() -> None:
    lead = {"id": "u-1", "title": "L", "c" * 40: "x", "d" * 40: None}
    assert HOOKS.shape_record(lead, tool("pipedrive_lead_get"), Prepared({})) == {
        "id": "u-1",
        "title": "L",
        "custom_fields": {"c" * 40: "x"},
    }
    hit = {"result_score": 0.9, "item": {"id": 3, "type": "deal", "title": "X", "notes": []}}
    assert HOOKS.shape_record(hit, tool("pipedrive_deals_search"), Prepared({})) == {
        "id": 3,
        "type": "deal",
        "title": "X",
    }


def test_unwrap_returns_the_data() -> None:
    assert HOOKS.unwrap({"success": True, "data": {"id": 1}}) == {"id": 1}
    assert HOOKS.unwrap([1]) == [1]


def test_catalog_follows_one_verb_scheme() -> None:
    """Beyond the shared rules: Pipedrive's creates are the only non-idempotent tools and are all re-checked,
    each verb has one HTTP method, and every path is under /api/v1 or /api/v2."""
    assert len(PROVIDER.tools) == 38
    methods = {"create": "POST", "get": "GET", "list": "GET", "search": "GET", "delete": "DELETE"}
    for t in PROVIDER.tools:
        verb = t.name.rsplit("_", 1)[1]
        assert t.annotations.idempotent == (verb != "create"), t.name
        assert (t.recheck is not None) == (verb == "create"), t.name
        assert t.method == methods.get(verb, t.method), t.name
        assert t.path.startswith(("/api/v2/", "/api/v1/")), t.name

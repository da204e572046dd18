"""The official Pipedrive Node client on lead search (v1 ``searchLeads`` and v2), ``getLeadUsers`` and
``searchItemByField``: the client's own request models reach the sandbox and its answers come back whole."""

from __future__ import annotations

from typing import Any

import pytest

from ...live import LiveSandbox
from .node import run_for_company, step_body, step_refusal

pytestmark = [pytest.mark.network, pytest.mark.node, pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def run(node: str, live_sandbox: LiveSandbox) -> dict[str, Any]:
    return run_for_company(node, live_sandbox, "pipedrive_lead_search.mjs", plan="ultimate", persons=2)


_ok = step_body


def _refused(run: dict[str, Any], name: str) -> dict[str, Any]:
    error = step_refusal(run, name)
    assert error["data"] is None, error
    return error


def test_v1_lead_search_pages_by_offset(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    first = _ok(run, "leads.search")
    assert first["additional_data"]["pagination"] == {
        "start": 0, "limit": 2, "more_items_in_collection": True, "next_start": 2,
    }  # fmt: skip
    items = first["data"]["items"]
    assert items[0]["item"]["id"] == ids["exact"] and items[0]["result_score"] == 1.0
    assert all(i["item"]["type"] == "lead" and i["item"]["owner"] == {"id": ids["me"]} for i in items)
    rest = _ok(run, "leads.search.page2")
    assert rest["additional_data"]["pagination"]["more_items_in_collection"] is False
    found = {i["item"]["id"] for i in items + rest["data"]["items"]}
    assert found == {ids["first"], ids["second"], ids["exact"]}


def test_v1_lead_search_options(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    exact = _ok(run, "leads.search.exact")["data"]["items"]
    assert [i["item"]["id"] for i in exact] == [ids["exact"]] and exact[0]["item"]["was_seen"] is False
    by_org = _ok(run, "leads.search.byOrg")["data"]["items"]
    assert all(i["item"]["organization"]["id"] == ids["org"] for i in by_org) and len(by_org) == 3
    refused = _refused(run, "leads.search.tooShort")
    assert refused["errorCode"] == 400 and "at least 2 characters" in refused["error"]


def test_v1_and_v2_lead_search_agree(run: dict[str, Any]) -> None:
    v1 = _ok(run, "leads.search.v1all")["data"]["items"]
    v2 = _ok(run, "leads.search.v2")
    assert v2["additional_data"] == {"next_cursor": None}
    assert v1 == v2["data"]["items"] and len(v1) == 3


def test_permitted_users(run: dict[str, Any]) -> None:
    body = _ok(run, "leads.permittedUsers")
    assert run["summary"]["ids"]["me"] in body["data"]
    assert all(isinstance(i, int) for i in body["data"])
    assert _refused(run, "leads.permittedUsers.missing") == {  # the documented 404 body: no errorCode
        "success": False, "error": "Entity was not found", "error_info": "Object was not found.",
        "data": None, "additional_data": None,
    }  # fmt: skip


def test_item_search_by_field(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    tag = ids["tag"]
    exact = _ok(run, "itemSearch.field.exact")
    assert exact["data"] == [{"id": ids["deal"], "title": f"{tag} monkey"}]
    assert exact["additional_data"] == {"next_cursor": None}
    beginning = _ok(run, "itemSearch.field.beginning")
    assert len(beginning["data"]) == 2 and isinstance(beginning["additional_data"]["next_cursor"], str)
    assert all(row["title"].startswith(tag) for row in beginning["data"])
    assert {"id": ids["deal"], "title": f"{tag} monkey"} in _ok(run, "itemSearch.field.middle")["data"]
    assert _ok(run, "itemSearch.field.caseSensitive")["data"] == []
    assert _ok(run, "itemSearch.field.project")["data"] == []
    refused = _refused(run, "itemSearch.field.unknown")
    assert refused["errorCode"] == 400 and "no_such_field" in refused["error"]

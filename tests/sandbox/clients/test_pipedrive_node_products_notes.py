"""The official Pipedrive Node client on product variations, product duplicate and note comments: the
calls go through the client's own request models and its answers have the fields its models list."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ...live import LiveSandbox
from .node import run_node, step_data, step_refusal

pytestmark = [pytest.mark.network, pytest.mark.node, pytest.mark.slow, pytest.mark.timeout(120)]

VARIATION_KEYS = {"id", "name", "product_id", "prices"}
PRICE_KEYS = {"product_variation_id", "currency", "price", "cost", "direct_cost", "notes"}
COMMENT_KEYS = {"uuid", "active_flag", "add_time", "update_time", "content", "object_id", "object_type",
                "user_id", "updater_id", "company_id"}  # fmt: skip


@pytest.fixture(scope="module")
def run(node: str, live_sandbox: LiveSandbox) -> dict[str, Any]:
    company = live_sandbox.new_company(plan="ultimate", persons=2)
    env = {"PD_API_DOMAIN": company["api_domain"], "PD_API_TOKEN": company["api_token"]}
    result = run_node(node, "pipedrive_products_notes.mjs", "families", env=env)
    result["company_id"] = company["company_id"]
    return result


_ok = step_data


def _refused(run: dict[str, Any], name: str, needle: str) -> dict[str, Any]:
    error = step_refusal(run, name)
    assert needle in error["error"], error
    return error


def test_variations(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    red = _ok(run, "variations.add")
    assert set(red) == VARIATION_KEYS and red["product_id"] == ids["product"] and red["name"] == "Red"
    assert [set(p) for p in red["prices"]] == [PRICE_KEYS]
    assert red["prices"][0] == {
        "product_variation_id": red["id"], "currency": "EUR", "price": 90, "cost": 30, "direct_cost": 0,
        "notes": "promo",
    }  # fmt: skip
    blue = _ok(run, "variations.addDefaultPrice")
    assert [(p["price"], p["cost"], p["direct_cost"]) for p in blue["prices"]] == [(0, 0, 0)]
    _refused(run, "variations.addWithoutName", "name")
    assert [v["id"] for v in _ok(run, "variations.list")] == [red["id"], blue["id"]]
    page = run["results"]["variations.page"]["value"]
    assert len(page["data"]) == 1 and isinstance(page["additional_data"]["next_cursor"], str)
    assert _ok(run, "variations.update")["name"] == "Crimson"
    assert _ok(run, "dealProducts.addWithVariation")["product_variation_id"] == red["id"]
    assert _ok(run, "variations.delete") == {"id": red["id"]}
    _refused(run, "variations.updateAfterDelete", "not found")
    _refused(run, "variations.listOfMissing", "not found")


def test_duplicate(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    copy = _ok(run, "products.duplicate")
    assert copy["id"] != ids["product"] and copy["name"] == "Jacket"
    assert [(p["currency"], p["price"], p["product_id"]) for p in copy["prices"]] == [("EUR", 80, copy["id"])]
    copied = _ok(run, "variations.listOfCopy")
    assert [v["name"] for v in copied] == ["Crimson", "Blue"]
    assert all(v["product_id"] == copy["id"] and set(v) == VARIATION_KEYS for v in copied)


def test_note_comments(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    comment = _ok(run, "comments.add")
    assert set(comment) == COMMENT_KEYS
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", comment["uuid"])
    assert (comment["object_id"], comment["object_type"]) == (str(ids["note"]), "note")
    assert (comment["user_id"], comment["updater_id"], comment["company_id"]) == (
        ids["me"], ids["me"], run["company_id"]
    )  # fmt: skip
    assert comment["active_flag"] is True and comment["content"] == "<p>Agreed</p>"
    _refused(run, "comments.addEmpty", "content")
    listed = run["results"]["comments.list"]["value"]
    assert [c["content"] for c in listed["data"]] == ["<p>Agreed</p>", "Second"]
    assert listed["additional_data"]["pagination"]["more_items_in_collection"] is False
    page = run["results"]["comments.page"]["value"]
    assert [c["content"] for c in page["data"]] == ["Second"]
    assert _ok(run, "comments.get") == comment
    assert _ok(run, "comments.update")["content"] == "<p>Agreed twice</p>"
    assert _ok(run, "comments.delete") is True
    _refused(run, "comments.getAfterDelete", "not found")
    _ok(run, "notes.delete")
    _refused(run, "comments.listAfterNoteDelete", "not found")

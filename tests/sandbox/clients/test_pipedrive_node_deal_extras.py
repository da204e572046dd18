"""The official Pipedrive Node client's v2 API classes on deal discounts, deal installments and lead ↔ deal
conversion: each call goes out as the client builds it and its answer is read through the client."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ...live import LiveSandbox
from .node import run_for_company, step_data, step_refusal

pytestmark = [pytest.mark.network, pytest.mark.node, pytest.mark.slow, pytest.mark.timeout(120)]

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def run(node: str, live_sandbox: LiveSandbox) -> dict[str, Any]:
    return run_for_company(node, live_sandbox, "pipedrive_deal_extras.mjs", plan="growth", persons=1)


_ok = step_data


_refused = step_refusal


def test_discounts(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    added = _ok(run, "discounts.add")
    assert UUID_RE.match(added["id"]) and added["deal_id"] == ids["deal"]
    assert (added["type"], added["amount"], added["description"]) == ("percentage", 10, "Loyalty")
    assert [d["id"] for d in _ok(run, "discounts.list")] == [added["id"]]
    updated = _ok(run, "discounts.update")
    assert (updated["type"], updated["amount"]) == ("amount", 20)
    assert _ok(run, "deals.getDiscounted")["value"] == 180
    assert _ok(run, "discounts.delete") == {"id": added["id"]}
    assert "one of percentage, amount" in _refused(run, "discounts.add.invalid")["error"]


def test_installments(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    first = _ok(run, "installments.add")
    assert first == {
        "id": ids["installment"],
        "amount": 100,
        "billing_date": "2025-01-15",
        "description": "First",
        "deal_id": ids["deal"],
    }
    second = _ok(run, "installments.add.second")
    listed = _ok(run, "installments.list")  # deal_ids sent as a repeated parameter by the client
    assert [x["id"] for x in listed] == [second["id"], first["id"]]
    updated = _ok(run, "installments.update")
    assert (updated["amount"], updated["billing_date"], updated["description"]) == (
        120,
        "2025-01-20",
        "First",
    )
    assert _ok(run, "installments.delete") == {"id": first["id"]}


def test_lead_to_deal_and_back(run: dict[str, Any]) -> None:
    ids = run["summary"]["ids"]
    assert UUID_RE.match(_ok(run, "leads.convertToDeal")["conversion_id"])
    status = _ok(run, "leads.conversionStatus")
    assert status["status"] == "completed" and status["deal_id"] == ids["convertedDeal"]
    assert _refused(run, "leads.getAfterConvert")["error"] == "Entity was not found"
    deal = _ok(run, "deals.getConverted")
    assert (deal["title"], deal["person_id"], deal["value"], deal["currency"]) == (
        "Warm lead",
        ids["person"],
        700,
        "EUR",
    )
    assert UUID_RE.match(_ok(run, "deals.convertToLead")["conversion_id"])
    back = _ok(run, "deals.conversionStatus")
    assert back["status"] == "completed" and back["lead_id"] == ids["convertedLead"]
    lead = _ok(run, "leads.getConverted")
    assert (lead["title"], lead["person_id"], lead["value"]) == (
        "Warm lead",
        ids["person"],
        {"amount": 700, "currency": "EUR"},
    )
    assert _refused(run, "deals.convertToLead.unknown")["error"] == "Entity was not found"

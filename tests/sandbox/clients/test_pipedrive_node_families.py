"""The official Pipedrive Node client on the families added for issue 15: followers, deal products,
call logs, and the person/deal inputs the sandbox once refused (``job_title``, ``is_deleted: false``)."""

from __future__ import annotations

from typing import Any

import pytest

from ...live import LiveSandbox
from .node import run_for_company, step_data

pytestmark = [pytest.mark.network, pytest.mark.node, pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def run(node: str, live_sandbox: LiveSandbox) -> dict[str, Any]:
    return run_for_company(node, live_sandbox, "pipedrive_client.mjs", "families", plan="ultimate", persons=2)


_ok = step_data


def test_inputs_the_spec_allows(run: dict[str, Any]) -> None:
    assert _ok(run, "deals.add")["is_deleted"] is False
    person = _ok(run, "persons.add")
    assert (person["job_title"], person["birthday"]) == ("Buyer", "1990-01-02")


def test_followers(run: dict[str, Any]) -> None:
    me = run["summary"]["ids"]["me"]
    assert _ok(run, "deals.addFollower")["user_id"] == me
    assert [f["user_id"] for f in _ok(run, "deals.getFollowers")] == [me]
    assert [e["action"] for e in _ok(run, "deals.getFollowersChangelog")] == ["added"]
    assert _ok(run, "deals.deleteFollower") == {"user_id": me}
    assert _ok(run, "persons.addFollower")["user_id"] == me


def test_deal_products(run: dict[str, Any]) -> None:
    added = _ok(run, "dealProducts.add")
    assert added["sum"] == 55 and added["name"] == "Gadget"
    assert _ok(run, "dealProducts.update")["sum"] == 95
    assert [p["id"] for p in _ok(run, "dealProducts.list")] == [added["id"]]
    deal = _ok(run, "deals.getWithIncludes")
    assert (deal["products_count"], deal["followers_count"], deal["value"]) == (1, 0, 95)


def test_call_logs(run: dict[str, Any]) -> None:
    log = _ok(run, "callLogs.add")
    assert log["outcome"] == "left_voicemail" and isinstance(log["activity_id"], int)
    assert _ok(run, "callLogs.get")["id"] == log["id"]
    assert log["id"] in [x["id"] for x in _ok(run, "callLogs.list")]
    assert run["results"]["callLogs.delete"]["value"] == {"success": True}  # no data, as the spec answers
    gone = run["results"]["callLogs.get.afterDelete"]
    assert gone["ok"] is False and gone["error"]["success"] is False


def test_field_writes(run: dict[str, Any]) -> None:
    field = _ok(run, "dealFields.add")
    assert field["field_type"] == "enum" and [o["label"] for o in field["options"]] == ["Web"]
    assert [o["label"] for o in _ok(run, "dealFields.addOptions")] == ["Phone"]
    assert _ok(run, "dealFields.update")["field_name"] == "Lead channel"
    assert _ok(run, "dealFields.delete")["field_code"] == field["field_code"]


def test_pipeline_and_stage_writes(run: dict[str, Any]) -> None:
    pipeline = _ok(run, "pipelines.add")
    stage = _ok(run, "stages.add")
    assert (stage["pipeline_id"], stage["deal_probability"], stage["order_nr"]) == (pipeline["id"], 90, 1)
    assert _ok(run, "stages.update")["name"] == "Countersigned"
    assert _ok(run, "pipelines.update")["name"] == "Renewals 2"
    assert _ok(run, "pipelines.delete") == {"id": pipeline["id"]}

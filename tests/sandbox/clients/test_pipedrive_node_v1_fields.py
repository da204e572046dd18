"""The official Pipedrive Node client on the v1 field APIs (deal, person, organization, product, activity,
lead and note fields) and the v2 project fields: reads and writes through the client's own request models,
and one field store shared by v1 and v2."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ...live import LiveSandbox
from .node import run_for_company, step_data

pytestmark = [pytest.mark.network, pytest.mark.node, pytest.mark.slow, pytest.mark.timeout(120)]

SHARED = ("dealFields", "personFields", "organizationFields")


@pytest.fixture(scope="module")
def run(node: str, live_sandbox: LiveSandbox) -> dict[str, Any]:
    return run_for_company(node, live_sandbox, "pipedrive_v1_fields.mjs", plan="ultimate", persons=2)


_ok = step_data


@pytest.mark.parametrize("family", SHARED)
def test_shared_families(run: dict[str, Any], family: str) -> None:
    listed = run["results"][f"{family}.list"]["value"]
    assert len(listed["data"]) == 5 and listed["additional_data"]["pagination"]["more_items_in_collection"]
    field = _ok(run, f"{family}.add")
    assert re.fullmatch(r"[0-9a-f]{40}", field["key"]) and isinstance(field["id"], int)
    assert [o["label"] for o in field["options"]] == ["Gold", "Silver"]
    assert _ok(run, f"{family}.get") == field
    updated = _ok(run, f"{family}.update")
    assert updated["name"] == f"{family} level" and updated["add_visible_flag"] is False
    assert [o["label"] for o in updated["options"]] == ["Platinum", "Bronze"]
    assert updated["options"][0]["id"] == field["options"][0]["id"]
    assert _ok(run, f"{family}.delete") == {"id": field["id"]}
    gone = run["results"][f"{family}.get.afterDelete"]
    assert gone["ok"] is False and gone["error"]["success"] is False
    a, b = _ok(run, f"{family}.addA"), _ok(run, f"{family}.addB")
    assert _ok(run, f"{family}.deleteMany") == {"id": [a["id"], b["id"]]}


def test_v1_field_reads_in_v2(run: dict[str, Any]) -> None:
    kept = _ok(run, "dealFields.addKept")
    v2 = _ok(run, "v2.dealFields.getKept")
    assert (v2["field_code"], v2["field_name"], v2["field_type"]) == (kept["key"], "Kept", "double")


def test_product_fields(run: dict[str, Any]) -> None:
    assert len(_ok(run, "productFields.list")) == 3
    field = _ok(run, "productFields.add")
    assert field["field_type"] == "set" and isinstance(field["index_visible_flag"], bool)
    assert _ok(run, "productFields.get")["key"] == field["key"]
    updated = _ok(run, "productFields.update")
    assert updated["name"] == "Color" and updated["options"] == [{"id": field["options"][0]["id"],
                                                                  "label": "crimson"}]  # fmt: skip
    assert _ok(run, "productFields.delete") == {"id": field["id"]}
    gone = run["results"]["productFields.get.afterDelete"]
    assert gone["ok"] is False and gone["error"]["success"] is False
    assert _ok(run, "productFields.deleteMany") == {"id": [_ok(run, "productFields.addB")["id"]]}


def test_read_only_families(run: dict[str, Any]) -> None:
    activity = _ok(run, "activityFields.list")
    assert "subject" in {f["key"] for f in activity}
    leads = _ok(run, "leadFields.list")
    assert {"title", "value", "Kept"} <= {f["key"] for f in leads} | {f["name"] for f in leads}
    notes = _ok(run, "noteFields.list")
    assert "content" in {f["key"] for f in notes}


def test_project_fields(run: dict[str, Any]) -> None:
    assert "board_id" in {f["field_code"] for f in _ok(run, "projectFields.list")}
    assert _ok(run, "projectFields.get")["field_type"] == "varchar"
    field = _ok(run, "projectFields.add")
    assert field["is_custom_field"] is True and [o["label"] for o in field["options"]] == ["Low"]
    assert [o["label"] for o in _ok(run, "projectFields.addOptions")] == ["High"]
    assert _ok(run, "projectFields.update")["field_name"] == "Risk level"
    assert _ok(run, "projectFields.delete")["field_code"] == field["field_code"]

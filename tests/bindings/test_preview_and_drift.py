"""Dry run (the compiled request and up to 3 samples, saying when capped), saving, and schema drift: a
binding whose property a re-discovery removed is flagged and refuses to run."""

from __future__ import annotations

import pytest

from crmbridge.bindings import BindingDrifted
from tests.discovery.env import USER, Env

from .helpers import data, search, write

RENEWALS = search(
    "renewals", "companies", [{"property": "renewal_date", "operator": "HAS_PROPERTY"}], result="many"
)


def test_preview_of_a_read_shows_request_and_three_samples(ready: Env) -> None:
    binding = search("find_contact", "contacts", [{"property": "email", "from": "email"}], result="many")
    out = ready.run(ready.bridge.bindings.apreview("hubspot", USER, binding))
    assert (
        out["request"]["path"] == "/crm/v3/objects/contacts/search" and out["request"]["body"]["limit"] == 3
    )
    assert len(out["samples"]) == 3 and out["capped"] is True and out["total"] == 30
    assert any("email" in w for w in out["warnings"]) and any("More records" in w for w in out["warnings"])
    assert out["skill"]["input_schema"]["required"] == ["email"]
    email = out["samples"][0]["email"]
    exact = ready.run(ready.bridge.bindings.apreview("hubspot", USER, binding, {"email": email}))
    assert [s["email"] for s in exact["samples"]] == [email] and exact["capped"] is False
    assert exact["request"]["body"]["filterGroups"][0]["filters"][0] == {
        "propertyName": "email", "operator": "EQ", "value": email}  # fmt: skip


def test_preview_of_a_pipedrive_search_and_of_a_write(ready: Env) -> None:
    out = ready.run(
        ready.bridge.bindings.apreview("pipedrive", USER, search("deals", "deals", [], result="many"))
    )
    assert out["request"] == {"method": "GET", "path": "/api/v2/deals", "params": {"limit": 3}}
    assert len(out["samples"]) == 3 and out["capped"]
    create = write(
        "add_deal",
        "deals",
        "create",
        [{"property": "title", "from": "title"}, {"property": "Source", "value": "Referral"}],
    )
    preview = ready.run(ready.bridge.bindings.apreview("pipedrive", USER, create, {"title": "Big one"}))
    assert preview["request"] is None and "samples" not in preview
    snap = ready.bridge.discovery.require("pipedrive", USER).snapshot
    source = next(p for p in snap.object("deals").properties if p.label == "Source")  # type: ignore[union-attr]
    referral = next(o.value for o in source.options if o.label == "Referral")
    assert preview["fields"] == {"title": "Big one", source.key: referral}
    assert preview["skill"]["annotations"]["readOnlyHint"] is False


def test_saved_binding_runs_until_the_schema_drifts(ready: Env) -> None:
    bindings = ready.bridge.bindings
    ready.run(bindings.asave("hubspot", USER, RENEWALS, agent_id="agent_7"))
    [saved] = bindings.list("hubspot", USER)
    assert (saved.name, saved.agent_id, saved.status, saved.snapshot_version) == (
        "renewals",
        "agent_7",
        "ok",
        1,
    )
    assert data(ready.run(bindings.arun("hubspot", USER, "renewals", {})))["count"] == 0
    assert ready.hubspot("DELETE", "/crm/v3/properties/companies/renewal_date").status_code == 204
    report = ready.run(bindings.arediscover("hubspot", USER))
    assert report["version"] == 2 and report["changes"]["changed_objects"]["companies"] == {
        "removed_properties": ["renewal_date"]}  # fmt: skip
    assert report["driftedBindings"][0]["name"] == "renewals"
    assert "renewal_date" in report["driftedBindings"][0]["problems"][0]
    assert bindings.list("hubspot", USER)[0].status == "drifted"
    with pytest.raises(BindingDrifted, match="no longer fits"):
        ready.run(bindings.aload("hubspot", USER, "renewals"))


def test_a_binding_that_still_fits_stays_ok_after_rediscovery(ready: Env) -> None:
    ready.run(ready.bridge.bindings.asave("hubspot", USER, RENEWALS))
    report = ready.run(ready.bridge.bindings.arediscover("hubspot", USER))
    assert report["driftedBindings"] == [] and ready.bridge.bindings.list("hubspot", USER)[0].status == "ok"


def test_saved_bindings_as_an_agents_toolset(ready: Env) -> None:
    bindings = ready.bridge.bindings
    finder = search(
        "find_contact", "contacts", [{"property": "email", "from": "email"}], properties=["email"]
    )
    ready.run(bindings.asave("hubspot", USER, finder, agent_id="agent_1"))
    ready.run(bindings.asave("hubspot", USER, RENEWALS, agent_id="agent_2"))
    toolset = ready.run(bindings.atoolset("hubspot", USER, agent_id="agent_1"))
    [tool] = toolset.list_tools()
    assert tool.name == "find_contact" and tool.annotations.read_only
    result = ready.run(toolset.call_tool("find_contact", {"email": "nobody@nowhere.test"}))
    assert data(result) == {"found": False, "record": None}
    missing = ready.run(toolset.call_tool("renewals", {}))
    assert not missing.ok and missing.error is not None and missing.error.code == "unknown_tool"

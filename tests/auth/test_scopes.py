"""The scope planner as a pure function: tools in, scopes and exact-match pitfalls out."""

from __future__ import annotations

from crmbridge.auth import effective_scopes, plan_scopes
from crmbridge.providers import builtin
from crmbridge.spec import Annotations, Tool

HUBSPOT, PIPEDRIVE = builtin("hubspot"), builtin("pipedrive")
C_READ, C_WRITE = "crm.objects.contacts.read", "crm.objects.contacts.write"
CUSTOM = "crm.objects.custom.read"


def tool(name: str, *scopes: str, provider: str = "hubspot", read_only: bool = False) -> Tool:
    notes = Annotations(read_only=read_only)
    return Tool(
        name, "d", {"type": "object"}, "GET", "/x", scopes=scopes, provider=provider, annotations=notes
    )


def codes(plan: object) -> dict[str, object]:
    return {w.code: w for w in plan.warnings}  # type: ignore[attr-defined]


def test_required_and_optional_scopes_follow_the_tools() -> None:
    plan = plan_scopes(
        HUBSPOT,
        [tool("hubspot_a", C_READ), tool("hubspot_b", C_READ, C_WRITE)],
        optional_tools=[tool("hubspot_c", C_READ, CUSTOM)],
    )
    assert plan.required == (C_READ, C_WRITE) and plan.optional == (CUSTOM,)
    assert plan.by_tool["hubspot_c"] == (C_READ, CUSTOM)
    assert plan.ok and plan.warnings == ()


def test_a_tier_limited_required_scope_is_flagged() -> None:
    warning = codes(plan_scopes(HUBSPOT, [tool("hubspot_custom", CUSTOM)]))["tier_limited_required"]
    assert warning.scopes == (CUSTOM,) and warning.tools == ("hubspot_custom",)  # type: ignore[attr-defined]


def test_configuration_pitfalls() -> None:
    plan = plan_scopes(
        HUBSPOT,
        [tool("hubspot_a", C_READ), tool("hubspot_b", C_WRITE), tool("hubspot_c", "tickets")],
        configured_scopes=[C_READ, "crm.objects.deals.read", "tickets"],
        configured_optional=[C_WRITE, "tickets"],
    )
    found = codes(plan)
    assert found["required_and_optional"].scopes == ("tickets",)  # type: ignore[attr-defined]
    assert found["needed_but_optional"].scopes == (C_WRITE,)  # type: ignore[attr-defined]
    assert found["unused_required"].scopes == ("crm.objects.deals.read",)  # type: ignore[attr-defined]
    assert "undeclared" not in found and not plan.ok
    undeclared = codes(plan_scopes(HUBSPOT, [tool("hubspot_a", C_READ)], configured_scopes=[]))["undeclared"]
    assert undeclared.tools == ("hubspot_a",)  # type: ignore[attr-defined]


def test_accounts_a_new_scope_would_strand() -> None:
    plan = plan_scopes(
        HUBSPOT,
        [tool("hubspot_a", C_READ, C_WRITE)],
        accounts_granted={"u1": [C_READ], "u2": [C_READ, C_WRITE]},
    )
    warning = codes(plan)["accounts_missing_scopes"]
    assert warning.scopes == (C_WRITE,) and "1 connected account" in warning.message  # type: ignore[attr-defined]


def test_scopes_that_depend_on_the_input_need_entities() -> None:
    generic = tool("hubspot_record_get", read_only=True)
    assert "scopes_depend_on_input" in codes(plan_scopes(HUBSPOT, [generic]))
    plan = plan_scopes(HUBSPOT, [generic], entities=["contacts", "tickets", "not-a-type"])
    assert plan.required == (C_READ, "tickets") and "scopes_depend_on_input" not in codes(plan)


def test_pipedrive_has_no_scope_parameter_and_full_includes_read() -> None:
    plan = plan_scopes(PIPEDRIVE, [tool("pipedrive_deals_list", "deals:read", provider="pipedrive")])
    assert plan.required == ("deals:read",) and codes(plan)["no_scope_parameter"].level == "info"  # type: ignore[attr-defined]
    assert effective_scopes(PIPEDRIVE.auth, ["deals:full", "base", "deals:full"]) == (
        "deals:full",
        "base",
        "deals:read",
    )
    assert effective_scopes(HUBSPOT.auth, [C_WRITE]) == (C_WRITE,)
    assert plan.to_dict()["warnings"][0]["scopes"] == ["deals:read"]


def test_tools_of_another_provider_are_ignored() -> None:
    assert plan_scopes(HUBSPOT, [tool("pipedrive_x", "deals:read", provider="pipedrive")]).required == ()

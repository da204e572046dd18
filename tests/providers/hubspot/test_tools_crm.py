"""The named CRM tools as a catalog: exact names, declared examples, the annotations of writes, and scopes
checked before HubSpot is called. The rules every tool keeps are in tests/providers/test_conformance.py."""

from __future__ import annotations

import dataclasses

import pytest

from crmbridge.providers import default_catalog
from crmbridge.providers.hubspot.tools_crm import TOOLS
from crmbridge.spec import Tool

from ..harness import Account

pytestmark = pytest.mark.anyio

SEED_003 = {
    "hubspot_contact_create", "hubspot_contact_get", "hubspot_contact_update", "hubspot_contacts_list",
    "hubspot_contacts_search", "hubspot_company_create", "hubspot_company_get", "hubspot_companies_search",
    "hubspot_deal_create", "hubspot_deal_update", "hubspot_deals_search",
}  # fmt: skip
SEED_000 = {"hubspot_deal_get", "hubspot_task_create", "hubspot_note_create"}


def test_the_named_tools() -> None:
    assert {t.name for t in TOOLS} == SEED_003 | SEED_000
    assert {t.name for t in default_catalog().tools("hubspot")} >= SEED_003 | SEED_000


def test_every_named_tool_declares_an_example() -> None:
    # That each example passes validation is a conformance rule; that each one exists is this catalog's.
    assert [t.name for t in TOOLS if t.example is None] == []


def test_writes_are_annotated_and_creates_recheck() -> None:
    by_name = {t.name: t for t in TOOLS}
    assert by_name["hubspot_contact_create"].annotations.idempotent
    for name in (
        "hubspot_deal_create",
        "hubspot_company_create",
        "hubspot_task_create",
        "hubspot_note_create",
    ):
        assert by_name[name].recheck is not None and not by_name[name].annotations.idempotent


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
async def test_missing_scope_is_caught_before_calling_hubspot(hubspot: Account, tool: Tool) -> None:
    target = dataclasses.replace(hubspot.target, granted_scopes=frozenset())
    result = await hubspot.engine.execute_named(tool.name, tool.example, target)
    assert result.error is not None and result.error.code == "insufficient_scope"
    assert result.error.details["missing_scopes"] == list(tool.scopes)

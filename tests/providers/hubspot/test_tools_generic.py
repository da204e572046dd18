"""The generic tools as a catalog: which tools exist, and their fixed scopes and annotations. The rules every
tool keeps (names, hooks, examples, size, strict mode) are in tests/providers/test_conformance.py."""

from __future__ import annotations

from crmbridge.providers import builtin
from crmbridge.providers.hubspot import tools_generic

NAMES = {
    "hubspot_record_create", "hubspot_record_get", "hubspot_record_update", "hubspot_record_archive",
    "hubspot_records_search", "hubspot_pipelines_list", "hubspot_pipeline_stage_get", "hubspot_properties_list",
    "hubspot_owners_list", "hubspot_ticket_create", "hubspot_tickets_search", "hubspot_association_create",
    "hubspot_associations_list",
}  # fmt: skip


def test_catalog_has_every_generic_tool() -> None:
    assert {t.name for t in tools_generic.TOOLS} == NAMES
    assert {t.name for t in builtin("hubspot").tools} >= NAMES


def test_fixed_scopes_and_annotations() -> None:
    by_name = {t.name: t for t in tools_generic.TOOLS}
    assert by_name["hubspot_ticket_create"].scopes == ("tickets",)
    assert by_name["hubspot_tickets_search"].scopes == ("tickets",)
    assert by_name["hubspot_owners_list"].scopes == ("crm.objects.owners.read",)
    assert by_name["hubspot_record_archive"].annotations.destructive
    assert by_name["hubspot_association_create"].annotations.idempotent

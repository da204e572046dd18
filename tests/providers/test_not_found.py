"""Every get, update and delete of both CRMs, given an id that does not exist, says which CRM, which object
and which id or e-mail, and which tool finds the record by name, in one wording (issue 9, item 16)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crmbridge.providers import default_catalog

from .harness import Account
from .hubspot.helpers import john_smith
from .pipedrive._crm import MISSING_UUID

pytestmark = pytest.mark.anyio

CATALOG = default_catalog()
_MISSING = "987654321"
_NOBODY = "nobody@nowhere.example"

#: (tool, input, what the message must say after "No <CRM> ", the input field that held the id)
HUBSPOT: list[tuple[str, dict[str, Any], str, str]] = [
    ("hubspot_contact_get", {"contact_id": _MISSING}, f"contact with id {_MISSING}", "contact_id"),
    ("hubspot_contact_get", {"contact_id": _NOBODY}, f"contact with email {_NOBODY}", "contact_id"),
    ("hubspot_contact_update", {"contact_id": _MISSING, "firstname": "X"}, f"contact with id {_MISSING}",
     "contact_id"),
    ("hubspot_contact_update", {"contact_id": _NOBODY, "firstname": "X"}, f"contact with email {_NOBODY}",
     "contact_id"),
    ("hubspot_company_get", {"company_id": _MISSING}, f"company with id {_MISSING}", "company_id"),
    ("hubspot_deal_get", {"deal_id": _MISSING}, f"deal with id {_MISSING}", "deal_id"),
    ("hubspot_deal_update", {"deal_id": _MISSING, "amount": 1}, f"deal with id {_MISSING}", "deal_id"),
    ("hubspot_deal_update", {"deal_id": _MISSING, "dealstage": "Closed Won"}, f"deal with id {_MISSING}",
     "deal_id"),
    ("hubspot_record_get", {"entity": "notes", "entityId": _MISSING}, f"note with id {_MISSING}", "entityId"),
    ("hubspot_record_update", {"entity": "deals", "entityId": _MISSING, "properties": {"amount": 1}},
     f"deal with id {_MISSING}", "entityId"),
    ("hubspot_record_archive", {"entity": "companies", "entityId": _MISSING}, f"company with id {_MISSING}",
     "entityId"),
]  # fmt: skip
PIPEDRIVE: list[tuple[str, dict[str, Any], str, str]] = [
    (f"pipedrive_{noun}_{verb}", {"id": ident, **({"note": "x"} if noun == "activity" else {}),
                                   **({"content": "x"} if noun == "note" else {}),
                                   **({"title": "x"} if noun in ("deal", "lead") else {}),
                                   **({"name": "x"} if noun in ("person", "organization") else {})}
     if verb == "update" else {"id": ident}, f"{noun} with id {ident}", "id")
    for noun, ident in (("deal", 999999), ("person", 999999), ("organization", 999999), ("lead", MISSING_UUID),
                        ("activity", 999999), ("note", 999999))
    for verb in ("get", "update", "delete")
]  # fmt: skip
_ONE_WORDING = (
    r"^No (HubSpot|Pipedrive) (.+?) \((it may have been archived|it may have been deleted)\)\. Use (\w+) "
)


def _says_which_and_how_to_find_it(error: Any, provider: str, which: str, field: str) -> None:
    assert error is not None and error.code == "not_found", error
    display = {"hubspot": "HubSpot", "pipedrive": "Pipedrive"}[provider]
    match = re.match(_ONE_WORDING, error.message)
    assert match is not None, error.message
    assert (match.group(1), match.group(2)) == (display, which), error.message
    finder = match.group(4)
    assert finder == error.details["find_with"] and error.details["field"] == field
    assert CATALOG.tool(finder).provider == provider and finder.endswith(("_search", "_list"))


@pytest.mark.parametrize(
    ("tool", "tool_input", "which", "field"), HUBSPOT, ids=[f"{t[0]}:{t[2]}" for t in HUBSPOT]
)
async def test_hubspot_not_found_names_the_record_and_its_finder(
    hubspot: Account, tool: str, tool_input: dict[str, Any], which: str, field: str
) -> None:
    result = await hubspot.call(tool, tool_input)
    _says_which_and_how_to_find_it(result.error, "hubspot", which, field)


@pytest.mark.parametrize(("tool", "tool_input", "which", "field"), PIPEDRIVE, ids=[t[0] for t in PIPEDRIVE])
async def test_pipedrive_not_found_names_the_record_and_its_finder(
    pipedrive: Account, tool: str, tool_input: dict[str, Any], which: str, field: str
) -> None:
    result = await pipedrive.call(tool, tool_input)
    _says_which_and_how_to_find_it(result.error, "pipedrive", which, field)


async def test_a_missing_pipeline_stage_is_named_with_the_tool_that_lists_stages(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_pipeline_stage_get", {"objectType": "deals", "pipelineId": "default", "stageId": "won"}
    )
    assert result.error is not None and result.error.code == "not_found"
    assert "stage won in pipeline default" in result.error.message
    assert "Use hubspot_pipelines_list" in result.error.message


def test_every_tool_that_reads_or_writes_one_record_by_id_is_in_the_tables() -> None:
    tested = {row[0] for row in (*HUBSPOT, *PIPEDRIVE)} | {"hubspot_pipeline_stage_get"}
    by_id = {t.name for t in CATALOG.tools() if t.name.rsplit("_", 1)[-1] in ("get", "update", "delete", "archive")
             and "{" in t.path}  # fmt: skip
    assert by_id == tested


async def test_a_missing_record_of_an_association_is_named_by_the_field_that_held_it(
    hubspot: Account,
) -> None:
    """HubSpot says which of the two records is missing; the error names that one and its input field."""
    john = await john_smith(hubspot)
    link = {
        "fromObjectType": "contacts",
        "fromObjectId": john,
        "toObjectType": "companies",
        "toObjectId": _MISSING,
    }
    result = await hubspot.call("hubspot_association_create", link)
    _says_which_and_how_to_find_it(result.error, "hubspot", f"company with id {_MISSING}", "toObjectId")
    listed = await hubspot.call(
        "hubspot_associations_list", {"objectType": "contacts", "objectId": _MISSING, "toObjectType": "deals"}
    )
    _says_which_and_how_to_find_it(listed.error, "hubspot", f"contact with id {_MISSING}", "objectId")

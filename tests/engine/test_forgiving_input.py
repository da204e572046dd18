"""What models really send is read as meant, through the real engine and the sandbox: ids as numbers,
epoch dates, limits above the maximum (lowered, with a warning in the result), enum values in any case
or number, provider and tool names in any case."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from crmbridge.providers import default_catalog
from crmbridge_sandbox import Sandbox

from ..bridges import USER, Connected
from ..providers.harness import Account, hubspot_account, pipedrive_account

pytestmark = pytest.mark.anyio


@pytest.fixture
async def hubspot(sandbox: Sandbox, client: httpx.AsyncClient) -> AsyncIterator[Account]:
    account = await hubspot_account(sandbox, client)
    yield account
    await account.aclose()


@pytest.fixture
async def pipedrive(sandbox: Sandbox, client: httpx.AsyncClient) -> AsyncIterator[Account]:
    account = await pipedrive_account(sandbox, client)
    yield account
    await account.aclose()


async def test_an_id_given_as_a_number(hubspot: Account) -> None:
    data = await hubspot.ok("hubspot_contact_get", {"contact_id": 1021})
    assert data["id"] == "1021"


async def test_enum_values_in_any_case_and_number(hubspot: Account, pipedrive: Account) -> None:
    assert (await hubspot.ok("hubspot_pipelines_list", {"objectType": "Deal"}))["results"]
    assert (await pipedrive.ok("pipedrive_fields_list", {"entity": "Deals"}))["results"]
    deals = await pipedrive.ok("pipedrive_deals_list", {"status": "OPEN"})
    assert deals["results"] and {d["status"] for d in deals["results"]} == {"open"}


async def test_a_limit_above_the_maximum_is_lowered_and_the_result_says_so(pipedrive: Account) -> None:
    result = await pipedrive.call("pipedrive_deals_list", {"limit": 5000})
    assert result.ok
    shown = result.to_dict()
    assert shown["warnings"] == ["'limit' 5000 is above its maximum of 500; 500 was used."]


async def test_an_epoch_date_becomes_the_day_and_the_result_says_which(pipedrive: Account) -> None:
    result = await pipedrive.call(
        "pipedrive_deal_create", {"title": "Epoch", "expected_close_date": 1767225600000}
    )
    assert result.ok, result.error
    assert result.data["expected_close_date"] == "2026-01-01"
    assert result.warnings == (
        "'expected_close_date' 1767225600000 was read as epoch milliseconds: 2026-01-01 (UTC).",
    )
    seconds = await pipedrive.ok(
        "pipedrive_deal_create", {"title": "Seconds", "expected_close_date": "1767225600"}
    )
    assert seconds["expected_close_date"] == "2026-01-01"


async def test_a_warning_survives_a_failed_call(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_associations_list", {"objectType": "contacts", "objectId": "nope",
                                                              "toObjectType": "companies", "limit": 9999})  # fmt: skip
    assert not result.ok
    assert result.to_dict()["warnings"] == ["'limit' 9999 is above its maximum of 500; 500 was used."]


def test_provider_and_tool_names_in_any_case(hubspot_bridge: Connected) -> None:
    catalog = default_catalog()
    assert catalog.provider("HubSpot").name == "hubspot"
    assert catalog.tool("HubSpot_Contact_Get").name == "hubspot_contact_get"
    bridge = hubspot_bridge.bridge
    assert {t["provider"] for t in bridge.list_tools(provider="PIPEDRIVE")} == {"pipedrive"}
    assert bridge.add_connection("pd", provider="Pipedrive").provider == "pipedrive"
    result = bridge.execute_tool(
        identifier=USER, tool_name="HUBSPOT_CONTACT_GET", tool_input={"contact_id": 1021}
    )
    assert result.ok, result.error


async def test_hubspot_object_types_in_any_case_or_number(hubspot: Account) -> None:
    """HubSpot's object type cannot be an enum (custom objects), so its provider uses the same matcher."""
    assert (await hubspot.ok("hubspot_record_get", {"entity": "Contact", "entityId": "1021"}))["id"] == "1021"
    assert (await hubspot.ok("hubspot_properties_list", {"objectType": "line item"}))["results"]
    listed = await hubspot.ok(
        "hubspot_associations_list", {"objectType": "CONTACTS", "objectId": "1021", "toObjectType": "Company"}
    )
    assert "results" in listed

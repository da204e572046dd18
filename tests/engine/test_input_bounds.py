"""Input no CRM could take is refused as invalid_input naming the field, whichever step would have
tripped on it: URL building (ids over 64 KB, dot segments), resolvers' look-ups, JSON encoding."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget, HttpCore
from crmbridge.errors import InvalidInput
from crmbridge.providers import default_catalog
from crmbridge_sandbox import Sandbox

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


def _nested(depth: int) -> object:
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


async def refused(account: Account, tool: str, tool_input: object) -> dict[str, object]:
    result = await account.call(tool, tool_input)
    assert result.error is not None, result
    assert result.error.code == "invalid_input", result.error
    return {"field": result.error.details.get("field"), "message": result.error.message}


@pytest.mark.parametrize(
    ("tool", "tool_input", "field", "fragment"),
    [
        ("hubspot_contact_get", {"contact_id": "a" * 70_000}, "contact_id", "70,000 characters"),
        ("hubspot_contact_get", {"contact_id": "7" * 70_000}, "contact_id", "70,000 digits"),
        ("hubspot_contact_get", {"contact_id": ".."}, "contact_id", "'..'"),
        ("hubspot_record_get", {"entity": "contacts", "entityId": "."}, "entityId", "'.'"),
        ("hubspot_owners_list", {"email": "a" * 9_000 + "@x.com"}, "email", "at most 8,000"),
        ("hubspot_contacts_search", {"query": "caf\udce9"}, "query", "surrogate"),
        ("hubspot_contacts_list", {"limit": "9" * 5_000}, "limit", "digits"),
    ],
)
async def test_hubspot_values_that_cannot_be_sent(
    hubspot: Account, tool: str, tool_input: object, field: str, fragment: str
) -> None:
    found = await refused(hubspot, tool, tool_input)
    assert found["field"] == field
    assert fragment in str(found["message"])


@pytest.mark.parametrize(
    ("tool", "tool_input", "field", "fragment"),
    [
        ("pipedrive_deal_get", {"id": "9" * 5_000}, "id", "digits"),
        ("pipedrive_deal_create", {"title": "t", "value": "NaN"}, "value", "finite"),
        ("pipedrive_deal_create", {"title": "t", "value": "-Infinity"}, "value", "finite"),
        (
            "pipedrive_deal_create",
            {"title": "t", "custom_fields": {"k": _nested(40)}},
            "custom_fields",
            "32 levels",
        ),
        ("pipedrive_lead_get", {"id": "x" * 70_000}, "id", "70,000 characters"),
        # Ids and cursors as text are turned into ints by resolvers and preparers: bounded before.
        ("pipedrive_persons_list", {"organization": "7" * 5_000}, "organization", "5,000 digits"),
        ("pipedrive_persons_list", {"owner": " " + "\u0667" * 5_000}, "owner", "5,000 digits"),
        ("pipedrive_leads_list", {"cursor": "9" * 5_000}, "cursor", "5,000 digits"),
        # A name looked up by a resolver goes into the search URL: too long for any URL.
        ("pipedrive_deals_list", {"person": "x" * 70_000}, "person", "URL"),
    ],
)
async def test_pipedrive_values_that_cannot_be_sent(
    pipedrive: Account, tool: str, tool_input: object, field: str, fragment: str
) -> None:
    found = await refused(pipedrive, tool, tool_input)
    assert found["field"] == field
    assert fragment in str(found["message"])


async def test_a_body_that_is_not_json_is_the_inputs_fault_not_a_bug() -> None:
    """Whatever a hook builds is encoded through one door; NaN or a lone surrogate there is
    invalid_input, not an exception out of httpx."""
    catalog = default_catalog()
    core = HttpCore(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))
    target = CallTarget(account_key="t", base_url="https://crm.test", auth=ApiKeyAuth("k"))
    for body in ({"amount": float("nan")}, {"name": "\ud800"}, {"when": object()}):
        with pytest.raises(InvalidInput, match="cannot be sent as JSON"):
            await core.send(catalog.provider("hubspot"), target, "POST", "/x", json=body, idempotent=False)
    await core.aclose()


async def test_a_message_that_quotes_a_huge_value_is_cut_short(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_note_create", {"body": "x", "owner": "nobody " * 5_000})
    assert result.error is not None and result.error.code == "invalid_input"
    assert len(result.error.message) <= 1_001 and result.error.message.endswith("…")

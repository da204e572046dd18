"""API-key accounts: a key is tried before it is saved ACTIVE, and a key the CRM later refuses puts the
account in ERROR with a message saying how to replace it."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge.core import AccountStatus
from crmbridge.engine import ToolResult
from crmbridge.engine.result import ToolError
from crmbridge.errors import (
    AuthFailed,
    ConfigurationError,
    InsufficientScope,
    InvalidInput,
    ProviderUnavailable,
)
from crmbridge.spec import Tool

from .oauth_env import OAuthEnv

pytestmark = pytest.mark.anyio

WRONG_HUBSPOT_KEY = "pat-na1-00000000-0000-0000-0000-000000000000"


async def test_a_refused_key_is_not_saved(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    with pytest.raises(AuthFailed, match="HubSpot refused this API key") as refused:
        await bridge.aconnect_api_key(connection_name="hubspot", identifier="u1", api_key=WRONG_HUBSPOT_KEY)
    assert refused.value.details["field"] == "api_key" and WRONG_HUBSPOT_KEY not in str(refused.value)
    assert bridge.get_connected_account(connection_name="hubspot", identifier="u1") is None

    # A good key first, then a wrong one: the good one stays in use.
    portal = await env.portal()
    good = bridge.connect_api_key(
        connection_name="hubspot", identifier="u1", api_key=portal["private_app_token"]
    )
    assert good.status is AccountStatus.ACTIVE and good.status_reason == "api key checked and saved"
    assert [e.path for e in env.log("hubspot", "/crm/v3/owners")][-1] == "/crm/v3/owners"
    with pytest.raises(AuthFailed):
        bridge.connect_api_key(connection_name="hubspot", identifier="u1", api_key=WRONG_HUBSPOT_KEY)
    result = bridge.execute_tool(identifier="u1", tool_name="hubspot_contacts_list", tool_input={})
    assert result.ok, result.error


async def test_pipedrive_keys_are_checked_with_the_current_user(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    company = await env.company()
    bridge.add_connection("pipedrive", provider="pipedrive", base_url="http://sandbox/pipedrive")
    account = bridge.connect_api_key(
        connection_name="pipedrive",
        identifier="u1",
        api_key=company["api_token"],
        api_domain=company["api_domain"],
    )
    assert account.status is AccountStatus.ACTIVE
    assert [(e.path, e.status) for e in env.log("pipedrive", "/api/v1/users/me")] == [
        ("/api/v1/users/me", 200)
    ]
    stored = bridge.store.accounts.get(bridge.tenant_id, "pipedrive", "u1")
    assert stored is not None  # the check's answer names the company, which record links need
    assert stored.metadata["company_domain"] == company["company_domain"]
    assert stored.metadata["company_id"] == company["company_id"]
    with pytest.raises(AuthFailed, match="Pipedrive refused this API key"):
        bridge.connect_api_key(
            connection_name="pipedrive", identifier="u2", api_key="0" * 40, api_domain=company["api_domain"]
        )
    with pytest.raises(ConfigurationError, match="check the connection's base_url"):  # not an API root
        bridge.connect_api_key(
            connection_name="pipedrive",
            identifier="u3",
            api_key=company["api_token"],
            api_domain="http://sandbox/elsewhere",
        )
    with pytest.raises(InvalidInput, match="not an http"):
        bridge.connect_api_key(
            connection_name="pipedrive", identifier="u4", api_key="k", api_domain="acme.pipedrive.com"
        )
    assert [a.identifier for a in bridge.list_connected_accounts()] == ["u1"]


async def test_an_unanswered_check_is_retryable_and_can_be_skipped(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    await env.control("/_sandbox/faults", {"hubspot": {"500": 1.0}})
    try:
        with pytest.raises(ProviderUnavailable, match="check=False") as unanswered:
            bridge.connect_api_key(
                connection_name="hubspot", identifier="u1", api_key=portal["private_app_token"]
            )
        assert unanswered.value.retryable
        mark = len(env.log("hubspot"))
        offline = bridge.connect_api_key(
            connection_name="hubspot", identifier="u1", api_key=WRONG_HUBSPOT_KEY, check=False
        )
        assert len(env.log("hubspot")) == mark
    finally:
        await env.control("/_sandbox/faults", {})
    assert offline.status is AccountStatus.ACTIVE and offline.status_reason == "api key saved unchecked"


async def test_a_key_refused_later_moves_the_account_to_error_until_replaced(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    account = bridge.connect_api_key(
        connection_name="hubspot", identifier="u1", api_key=portal["private_app_token"]
    )
    transitions: list[tuple[str | None, str]] = []
    bridge.on_account_status(lambda a, old, new, why: transitions.append((old and old.value, new.value)))
    # The key is deleted in HubSpot: in the sandbox, the stored key simply stops being one HubSpot knows.
    bridge.store.accounts.update(bridge.tenant_id, account.id, credentials={"api_key": WRONG_HUBSPOT_KEY})
    bridge.accounts.forget("hubspot", "u1")

    refused = await bridge.aexecute_tool(identifier="u1", tool_name="hubspot_contacts_list", tool_input={})
    assert refused.error is not None and refused.error.code == "auth_failed"
    message = refused.error.message
    assert (
        "refused this account's API key" in message and "connect_api_key(connection_name='hubspot'" in message
    )
    assert "crmbridge connect-api-key --connection hubspot --identifier u1" in message
    assert refused.error.details["status"] == 401 and WRONG_HUBSPOT_KEY not in str(refused.error.to_dict())
    stored = bridge.get_connected_account(connection_name="hubspot", identifier="u1")
    assert stored is not None and stored.status is AccountStatus.ERROR and stored.status_reason == message
    assert transitions == [("ACTIVE", "ERROR")]

    mark = len(env.log("hubspot"))  # later calls fail fast: the CRM is not asked again with a dead key
    again = await bridge.aexecute_tool(identifier="u1", tool_name="hubspot_contacts_list", tool_input={})
    assert again.error is not None and again.error.code == "auth_failed" and again.error.message == message
    assert len(env.log("hubspot")) == mark

    replaced = bridge.connect_api_key(
        connection_name="hubspot", identifier="u1", api_key=portal["private_app_token"]
    )
    assert replaced.status is AccountStatus.ACTIVE and transitions[-1] == ("ERROR", "ACTIVE")
    fixed = await bridge.aexecute_tool(identifier="u1", tool_name="hubspot_contacts_list", tool_input={})
    assert fixed.ok, fixed.error


async def test_a_key_that_lacks_the_checks_scope_is_still_a_working_key(
    oauth_env: OAuthEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A private app without the owners scope answers the check with 403: the key authenticated."""
    bridge = oauth_env.bridge
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")

    async def missing_scope(tool: Tool, args: Any, target: Any, **_: Any) -> ToolResult:
        error = InsufficientScope("no owners scope", missing_scopes=["crm.objects.owners.read"], status=403)
        return ToolResult(tool.name, False, error=ToolError.from_exception(error))

    monkeypatch.setattr(bridge.engine, "execute", missing_scope)
    account = bridge.connect_api_key(connection_name="hubspot", identifier="u1", api_key=WRONG_HUBSPOT_KEY)
    assert account.status is AccountStatus.ACTIVE and account.status_reason == "api key checked and saved"

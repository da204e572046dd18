"""The end of an account's life against the sandbox: disconnect revokes the grant at the CRM and erases the
tokens, delete erases the account, a connection goes only with its accounts when asked."""

from __future__ import annotations

import logging

import pytest

from crmbridge.core import AccountStatus
from crmbridge.errors import ConfigurationError
from crmbridge.store import OAuthStateError

from .oauth_env import OAuthEnv

pytestmark = pytest.mark.anyio


def _transitions(env: OAuthEnv) -> list[tuple[str | None, str, str | None]]:
    seen: list[tuple[str | None, str, str | None]] = []
    env.bridge.on_account_status(lambda a, old, new, why: seen.append((old and old.value, new.value, why)))
    return seen


async def _refresh_status(env: OAuthEnv, provider: str, token_path: str, refresh_token: str) -> int:
    """What the CRM's token endpoint says to ``refresh_token`` now (400: it is dead)."""
    app = env.apps[provider]
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if provider == "hubspot":
        form |= {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        r = await env.client.post(f"/hubspot{token_path}", data=form)
    else:
        auth = (app["client_id"], app["client_secret"])
        r = await env.client.post(f"/pipedrive{token_path}", data=form, auth=auth)
    return r.status_code


@pytest.mark.parametrize(
    ("provider", "revoke_path", "token_path"),
    [
        ("hubspot", "/oauth/v3/token/revoke", "/oauth/v1/token"),
        ("pipedrive", "/oauth/revoke", "/oauth/token"),
    ],
)
async def test_disconnect_revokes_the_grant_at_the_crm_and_erases_the_tokens(
    oauth_env: OAuthEnv, provider: str, revoke_path: str, token_path: str
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    if provider == "hubspot":
        await env.hubspot_connection()
        connected = await env.connect_hubspot("u1", await env.portal())
    else:
        await env.pipedrive_connection()
        connected = await env.connect_pipedrive("u1", await env.company())
    stored = bridge.store.accounts.get(bridge.tenant_id, provider, "u1")
    assert stored is not None
    refresh_token = stored.credentials["refresh_token"]
    transitions = _transitions(env)

    account = await bridge.adisconnect_account(connection_name=provider, identifier="u1")

    assert account.id == connected.id and account.status is AccountStatus.REVOKED
    assert account.metadata["crm_revoke"] == "revoked" and account.granted_scopes == ()
    assert account.status_reason is not None and account.status_reason.startswith("disconnected: the grant")
    assert [(e.method, e.status) for e in env.log(provider, revoke_path)] == [("POST", 200)]
    assert transitions == [("ACTIVE", "REVOKED", account.status_reason)]
    erased = bridge.store.accounts.get(bridge.tenant_id, provider, "u1")
    assert erased is not None and erased.credentials == {}
    assert await _refresh_status(env, provider, token_path, refresh_token) == 400  # dead at the CRM too

    # Calls fail fast with a link, without a request; consenting again brings back the same account.
    tool = "hubspot_contacts_search" if provider == "hubspot" else "pipedrive_deals_list"
    mark = len(env.log(provider))
    result = await bridge.aexecute_tool(identifier="u1", tool_name=tool, tool_input={})
    assert result.error is not None and result.error.code == "reauthorization_required"
    assert result.error.details["authorization_link"] and len(env.log(provider)) == mark
    if provider == "hubspot":
        again = await env.connect_hubspot("u1", await env.portal())
    else:
        again = await env.connect_pipedrive("u1", await env.company())
    assert again.id == connected.id and again.status is AccountStatus.ACTIVE
    assert "crm_revoke" not in again.metadata  # the outcome of the disconnect was told, not stored


async def test_a_failed_revocation_still_erases_the_tokens_and_says_so(
    oauth_env: OAuthEnv, caplog: pytest.LogCaptureFixture
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    await env.connect_hubspot("u1", await env.portal())
    await env.control("/_sandbox/faults", {"hubspot": {"500": 1.0}})
    try:
        with caplog.at_level(logging.WARNING, logger="crmbridge"):
            account = bridge.disconnect_account(connection_name="hubspot", identifier="u1")
    finally:
        await env.control("/_sandbox/faults", {})
    assert account.status is AccountStatus.REVOKED and account.metadata["crm_revoke"] == "failed"
    assert account.status_reason is not None and "revoking at HubSpot failed (provider_unavailable)" in (
        account.status_reason
    )
    stored = bridge.store.accounts.get(bridge.tenant_id, "hubspot", "u1")
    assert stored is not None and stored.credentials == {}
    assert any("revoking account" in r.getMessage() for r in caplog.records)


async def test_an_api_key_account_is_disconnected_without_asking_the_crm(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    bridge.add_connection("keys", provider="hubspot", base_url="http://sandbox/hubspot")
    bridge.connect_api_key(connection_name="keys", identifier="u1", api_key=portal["private_app_token"])
    mark = len(env.log("hubspot"))
    account = bridge.disconnect_account(connection_name="keys", identifier="u1")
    assert account.status is AccountStatus.REVOKED and account.metadata["crm_revoke"] == "none"
    assert account.status_reason is not None and "keeps working at HubSpot" in account.status_reason
    assert len(env.log("hubspot")) == mark
    result = bridge.execute_tool(identifier="u1", tool_name="hubspot_contacts_list", tool_input={})
    assert result.error is not None and result.error.code == "reauthorization_required"
    # Disconnecting again changes nothing and asks nobody.
    assert bridge.disconnect_account(connection_name="keys", identifier="u1").status is AccountStatus.REVOKED


async def test_delete_erases_the_account_its_history_and_its_pending_links(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.pipedrive_connection()
    company = await env.company()
    connected = await env.connect_pipedrive("u1", company)
    await env.connect_pipedrive("u2", await env.company())
    stale_link = bridge.get_authorization_link(connection_name="pipedrive", identifier="u1")
    stale = await env.consent(stale_link, {"company_id": str(company["company_id"])})

    account = await bridge.adelete_account(connection_name="pipedrive", identifier="u1")

    assert account.id == connected.id and account.metadata["crm_revoke"] == "revoked"
    assert account.status_reason is not None and account.status_reason.startswith("deleted: ")
    assert bridge.get_connected_account(connection_name="pipedrive", identifier="u1") is None
    assert bridge.store.events.list(bridge.tenant_id, connected.id) == []
    assert [a.identifier for a in bridge.list_connected_accounts()] == ["u2"]
    with pytest.raises(OAuthStateError):  # a consent finished later does not bring the account back
        await bridge.acomplete_authorization(code=stale["code"], state=stale["state"])
    assert bridge.get_connected_account(connection_name="pipedrive", identifier="u1") is None
    with pytest.raises(ConfigurationError, match="no account 'u1' on connection 'pipedrive'"):
        bridge.delete_account(connection_name="pipedrive", identifier="u1")


async def test_a_connection_goes_with_its_accounts_only_when_asked(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection()
    await env.pipedrive_connection()
    await env.connect_hubspot("u1", await env.portal())
    await env.connect_hubspot("u2", await env.portal())
    assert [c.name for c in bridge.list_connections()] == ["hubspot", "pipedrive"]
    assert [c.name for c in await bridge.alist_connections()] == ["hubspot", "pipedrive"]

    with pytest.raises(ConfigurationError, match=r"2 connected account\(s\) \(u1, u2\)") as refused:
        bridge.delete_connection("hubspot")
    assert "delete_accounts=True" in refused.value.message
    assert len(env.log("hubspot", "/oauth/v3/token/revoke")) == 0

    deleted = await bridge.adelete_connection("hubspot", delete_accounts=True)
    assert [(a.identifier, a.metadata["crm_revoke"]) for a in deleted] == [
        ("u1", "revoked"),
        ("u2", "revoked"),
    ]
    assert len(env.log("hubspot", "/oauth/v3/token/revoke")) == 2
    assert [c.name for c in bridge.list_connections()] == ["pipedrive"]
    assert bridge.list_connected_accounts() == []
    assert bridge.delete_connection("pipedrive") == []
    result = bridge.execute_tool(identifier="u1", tool_name="hubspot_contacts_list", tool_input={})
    assert result.error is not None and "No hubspot connection" in result.error.message
    with pytest.raises(ConfigurationError, match="no connection named 'hubspot'"):
        bridge.delete_connection("hubspot")

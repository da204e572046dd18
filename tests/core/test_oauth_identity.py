"""What the core does with a provider's ``identify`` and ``read_uninstall`` hooks, whatever the provider:
the CRM account keys the rate limits, the account's own origin takes the calls, and one generic
``handle_uninstall`` serves every connection."""

from __future__ import annotations

import httpx
import pytest

from crmbridge.core import AccountStatus
from crmbridge.errors import ProviderError

from .oauth_env import PD_REDIRECT, OAuthEnv, add_app_connection

pytestmark = pytest.mark.anyio


async def test_users_of_one_portal_share_its_rate_limit_key(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection()
    first = await env.connect_hubspot("u1", portal)
    await env.connect_hubspot("u2", portal)
    assert first.metadata["crm_account_id"] == str(portal["portal_id"])
    keys = {bridge.accounts.target("hubspot", user, None).account_key for user in ("u1", "u2")}
    assert keys == {f"hubspot:{portal['portal_id']}"}


async def test_an_account_authorised_before_the_generic_key_is_still_keyed_by_its_portal(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection()
    account = await env.connect_hubspot("u1", portal)
    bridge.store.accounts.update(bridge.tenant_id, account.id, metadata={"crm_account_id": None})
    bridge.accounts.forget("hubspot", "u1")
    assert bridge.accounts.target("hubspot", "u1", None).account_key == f"hubspot:{portal['portal_id']}"


async def test_a_pipedrive_account_is_called_on_its_company_origin(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    company = await env.company()
    await env.pipedrive_connection()
    account = await env.connect_pipedrive("u1", company)
    target = bridge.accounts.target("pipedrive", "u1", None)
    assert target.base_url == company["api_domain"] == account.metadata["api_domain"]
    assert target.account_key == f"pipedrive:{company['company_id']}"
    assert account.metadata["crm_account_id"] == str(company["company_id"])


async def test_an_api_domain_the_provider_refuses_leaves_the_account_in_error(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    company = await env.company()
    app = await env.control("/_sandbox/pipedrive/apps", {"redirect_uri": PD_REDIRECT, "scopes": ["base"]})
    # Configured for another origin: the sandbox's api_domain is then neither that nor *.pipedrive.com.
    add_app_connection(bridge, "pipedrive", "pipedrive", app, "http://elsewhere", PD_REDIRECT)
    mark = len(env.log("pipedrive"))
    with pytest.raises(ProviderError, match="api_domain"):
        await env.connect_pipedrive("u1", company)
    account = bridge.get_connected_account(connection_name="pipedrive", identifier="u1")
    assert account is not None and account.status == AccountStatus.ERROR
    assert [e.path for e in env.log("pipedrive")[mark:] if "users/me" in e.path] == []


async def test_an_api_key_account_records_its_origin_only_where_the_provider_moves_it(
    oauth_env: OAuthEnv,
) -> None:
    bridge = oauth_env.bridge
    bridge.add_connection("pd", provider="pipedrive", base_url="http://sandbox/pipedrive/acme")
    bridge.add_connection("hs", provider="hubspot", base_url="http://sandbox/hubspot")
    pd = bridge.connect_api_key(connection_name="pd", identifier="u", api_key="k" * 40, check=False)
    hs = bridge.connect_api_key(connection_name="hs", identifier="u", api_key="pat-na1-abc", check=False)
    assert pd.metadata == {"auth": "api_key", "api_domain": "http://sandbox/pipedrive/acme"}
    assert hs.metadata == {"auth": "api_key"}


async def test_one_uninstall_handler_serves_every_connection_and_touches_only_the_named_accounts(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal, company = await env.portal(), await env.company()
    await env.hubspot_connection()
    app = await env.pipedrive_connection()
    await env.connect_hubspot("u1", portal)
    account = await env.connect_pipedrive("u1", company)
    notice = {"client_id": app["client_id"], "company_id": company["company_id"], "user_id": "0"}
    header = httpx.BasicAuth(app["client_id"], app["client_secret"])._auth_header

    assert await bridge.oauth.handle_uninstall(header, b"{not json") == 400
    assert await bridge.oauth.handle_uninstall(header, {**notice, "client_id": "another-app"}) == 400
    assert await bridge.oauth.handle_uninstall(header, notice) == 200  # nobody of that user id
    assert bridge.get_connected_account(connection_name="pipedrive", identifier="u1").status == "ACTIVE"  # type: ignore[union-attr]

    named = {**notice, "user_id": account.metadata["user_id"]}
    assert await bridge.oauth.handle_uninstall(header, named) == 200
    pipedrive = bridge.get_connected_account(connection_name="pipedrive", identifier="u1")
    hubspot = bridge.get_connected_account(connection_name="hubspot", identifier="u1")
    assert pipedrive is not None and pipedrive.status == AccountStatus.REVOKED
    assert pipedrive.status_reason == "the app was uninstalled in Pipedrive"
    assert hubspot is not None and hubspot.status == AccountStatus.ACTIVE

"""Scopes: the pre-flight check against the grant, the provider's own 403, and the scope planner."""

from __future__ import annotations

import pytest

from crmbridge.core import AccountStatus

from .oauth_env import (
    CONTACTS,
    HS_REDIRECT,
    PD_REDIRECT,
    ROOT,
    OAuthEnv,
    add_app_connection,
    query_of,
)

pytestmark = pytest.mark.anyio

COMPANIES_READ = "crm.objects.companies.read"
CONTACTS_READ = "crm.objects.contacts.read"


async def test_a_configured_scope_not_granted_fails_before_the_crm_with_a_link_asking_for_it(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection(required=[COMPANIES_READ], optional=[CONTACTS_READ])
    await env.connect_hubspot("u1", portal)
    bridge.accounts.update("hubspot", "u1", granted_scopes=[COMPANIES_READ])  # the tier dropped it
    contact = (await env.contact_ids(portal))[0]
    mark = len(env.log("hubspot"))
    result = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert result.error is not None and result.error.code == "insufficient_scope"
    assert result.error.details["missing_scopes"] == [CONTACTS_READ]
    link = query_of(result.error.details["authorization_link"])
    assert link["scope"] == COMPANIES_READ and link["optional_scope"] == CONTACTS_READ
    assert len(env.log("hubspot")) == mark  # refused before any request
    account = bridge.get_connected_account(connection_name="hubspot", identifier="u1")
    assert account is not None and account.status == AccountStatus.ACTIVE


async def test_a_scope_the_connection_never_requests_is_the_developers_configuration_error(
    oauth_env: OAuthEnv,
) -> None:
    """Re-consent grants only what the connection asks for: a link would not help the end user."""
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection(required=[COMPANIES_READ])
    await env.connect_hubspot("u1", portal)
    contact = (await env.contact_ids(portal))[0]
    mark = len(env.log("hubspot"))
    result = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert result.error is not None and result.error.code == "configuration_error", result.error
    assert result.error.details["missing_scopes"] == [CONTACTS_READ]
    assert "authorization_link" not in result.error.details
    message = result.error.message
    assert CONTACTS_READ in message and "scopes=" in message and "'hubspot'" in message
    assert len(env.log("hubspot")) == mark


async def test_missing_scope_declared_optional_is_asked_as_optional(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.hubspot_connection(required=[COMPANIES_READ], optional=[CONTACTS_READ])
    link = bridge.get_authorization_link(connection_name="hubspot", identifier="u1", scopes=[CONTACTS_READ])
    params = query_of(link)
    assert params["scope"] == COMPANIES_READ and params["optional_scope"] == CONTACTS_READ


async def test_a_provider_403_for_scopes_is_insufficient_scope_never_revocation(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    app = await env.hubspot_connection(required=[COMPANIES_READ])
    await env.connect_hubspot("u1", portal)
    contact = (await env.contact_ids(portal))[0]
    # The developer has since added the scope to the connection; our record claims it was granted
    # (say, a grant changed behind our back), but HubSpot never granted it.
    add_app_connection(
        bridge, "hubspot", "hubspot", app, ROOT, HS_REDIRECT, scopes=[COMPANIES_READ, CONTACTS_READ]
    )
    bridge.accounts.update("hubspot", "u1", granted_scopes=[COMPANIES_READ, CONTACTS_READ])
    tokens_before = len(env.token_requests("hubspot"))
    result = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert result.error is not None and result.error.code == "insufficient_scope", result.error
    assert result.error.details["status"] == 403
    assert CONTACTS_READ in result.error.details["missing_scopes"]
    assert "authorization_link" in result.error.details
    assert len(env.token_requests("hubspot")) == tokens_before  # a 403 never triggers a refresh
    account = bridge.get_connected_account(connection_name="hubspot", identifier="u1")
    assert account is not None and account.status == AccountStatus.ACTIVE


async def test_a_provider_403_for_a_scope_the_connection_never_requests_is_a_configuration_error(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection(required=[COMPANIES_READ])
    await env.connect_hubspot("u1", portal)
    contact = (await env.contact_ids(portal))[0]
    bridge.accounts.update("hubspot", "u1", granted_scopes=[COMPANIES_READ, CONTACTS_READ])
    result = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert result.error is not None and result.error.code == "configuration_error", result.error
    assert CONTACTS_READ in result.error.details["missing_scopes"]
    assert result.error.details["status"] == 403 and "authorization_link" not in result.error.details
    account = bridge.get_connected_account(connection_name="hubspot", identifier="u1")
    assert account is not None and account.status == AccountStatus.ACTIVE


async def test_a_scope_implied_by_a_configured_one_is_the_end_users_to_grant(oauth_env: OAuthEnv) -> None:
    """Pipedrive: ``deals:full`` on the connection covers ``deals:read``; ``activities:read`` is nowhere."""
    env, bridge = oauth_env, oauth_env.bridge
    company = await env.company()
    app = await env.pipedrive_connection(scopes=["deals:full", "contacts:read"])
    await env.connect_pipedrive("u1", company)
    add_app_connection(
        bridge, "pipedrive", "pipedrive", app, ROOT, PD_REDIRECT, scopes=["deals:full", "contacts:read"]
    )
    bridge.accounts.update("pipedrive", "u1", granted_scopes=["base", "contacts:read"])
    deals = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
    assert deals.error is not None and deals.error.code == "insufficient_scope", deals.error
    assert "authorization_link" in deals.error.details
    activities = await bridge.aexecute_tool(
        identifier="u1", tool_name="pipedrive_activities_list", tool_input={}
    )
    assert activities.error is not None and activities.error.code == "configuration_error"
    assert activities.error.details["missing_scopes"] == ["activities:read"]


async def test_a_connection_that_names_no_scopes_keeps_the_link(oauth_env: OAuthEnv) -> None:
    """Pipedrive apps hold their scopes; a connection that does not list them cannot tell, so the end
    user gets the link (re-consent grants whatever the app now has)."""
    env, bridge = oauth_env, oauth_env.bridge
    company = await env.company()
    await env.pipedrive_connection(scopes=["deals:full", "contacts:read"])
    await env.connect_pipedrive("u1", company)
    bridge.accounts.update("pipedrive", "u1", granted_scopes=["base", "contacts:read"])
    result = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_activities_list", tool_input={})
    assert result.error is not None and result.error.code == "insufficient_scope", result.error
    assert "authorization_link" in result.error.details


async def test_plan_scopes_against_a_connection_and_its_accounts(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection(required=[COMPANIES_READ])
    await env.connect_hubspot("u1", portal)
    plan = bridge.plan_scopes(provider="hubspot", tools=["hubspot_contact_get"], connection_name="hubspot")
    assert plan.required == (CONTACTS_READ,)
    codes = {w.code: w for w in plan.warnings}
    assert codes["undeclared"].scopes == (CONTACTS_READ,) and codes["undeclared"].level == "error"
    assert codes["unused_required"].scopes == (COMPANIES_READ,)
    assert codes["accounts_missing_scopes"].tools == ("hubspot_contact_get",)
    assert not plan.ok
    everything = bridge.plan_scopes(provider="hubspot")
    assert set(CONTACTS) <= set(everything.required)
    assert everything.to_dict()["by_tool"]["hubspot_contact_get"] == [CONTACTS_READ]

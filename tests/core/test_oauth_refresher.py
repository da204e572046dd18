"""The background refresher: quiet accounts stay fresh, and Pipedrive refresh tokens never idle out."""

from __future__ import annotations

import asyncio
import time

import pytest

from crmbridge.core import AccountStatus

from .oauth_env import OAuthEnv

pytestmark = pytest.mark.anyio
DAY = 86_400


async def test_a_pass_every_few_weeks_keeps_a_pipedrive_account_alive_past_60_idle_days(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.pipedrive_connection()
    await env.connect_pipedrive("u1", await env.company())
    await env.advance(45 * DAY)
    assert await asyncio.to_thread(bridge.refresh_due_accounts) == {"refreshed": 1, "failed": 0}
    assert await asyncio.to_thread(bridge.refresh_due_accounts) == {"refreshed": 0, "failed": 0}
    await env.advance(45 * DAY)  # 90 days after the install, 45 after the last use
    result = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
    assert result.ok, result.error


async def test_without_it_a_refresh_token_idle_for_60_days_dies_and_the_account_is_revoked(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.pipedrive_connection()
    await env.connect_pipedrive("u1", await env.company())
    await env.advance(61 * DAY)
    result = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
    assert result.error is not None and result.error.code == "reauthorization_required"
    assert "authorization_link" in result.error.details
    account = bridge.get_connected_account(connection_name="pipedrive", identifier="u1")
    assert account is not None and account.status == AccountStatus.REVOKED


async def test_an_idle_pass_refreshes_even_a_fresh_token(oauth_env: OAuthEnv) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    await env.pipedrive_connection()
    await env.connect_pipedrive("u1", await env.company())
    before = len(env.token_requests("pipedrive"))
    counts = await asyncio.to_thread(bridge.oauth.refresh_due, horizon=0, idle_after=0)
    assert counts == {"refreshed": 1, "failed": 0} and len(env.token_requests("pipedrive")) == before + 1


async def test_the_refresher_thread_refreshes_an_expiring_hubspot_token_before_any_call(
    oauth_env: OAuthEnv,
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection()
    await env.connect_hubspot("u1", portal)
    contact = (await env.contact_ids(portal))[0]
    await env.advance(26 * 60)  # 4 minutes left: inside the margin
    before = len(env.token_requests("hubspot"))
    bridge.start_refresher(interval=0.05)
    try:
        deadline = time.monotonic() + 10
        while len(env.token_requests("hubspot")) == before and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        await asyncio.to_thread(bridge.stop_refresher)
    assert len(env.token_requests("hubspot")) == before + 1
    result = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert result.ok, result.error
    assert len(env.token_requests("hubspot")) == before + 1  # the call found the token already fresh


async def test_one_runtime_pass_refreshes_every_tenants_accounts(oauth_env: OAuthEnv) -> None:
    env = oauth_env
    runtime = env.bridge.runtime
    other = OAuthEnv(env.sandbox, runtime.tenant("globex"), env.client)
    for tenant in (env, other):
        await tenant.pipedrive_connection()
        await tenant.connect_pipedrive("u1", await tenant.company())
    await env.advance(45 * DAY)
    assert await runtime.arefresh_due_accounts() == {"refreshed": 2, "failed": 0}
    assert await runtime.arefresh_due_accounts() == {"refreshed": 0, "failed": 0}
    runtime.start_refresher(interval=3600)
    runtime.start_refresher(interval=3600)  # idempotent: still one thread
    assert runtime._refresher is not None and runtime._refresher.running
    runtime.stop_refresher()
    assert runtime._refresher is None

"""No secret in plain text: not in the SQLite files, not in any table, not in logs, not in reprs."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from crmbridge.core.accounts import public_connection

from .oauth_env import OAuthEnv

pytestmark = pytest.mark.anyio


def _sandbox_secrets(env: OAuthEnv) -> set[str]:
    """Every token the sandbox minted, and every client secret."""
    hub, pd = env.sandbox.hubspot.tokens, env.sandbox.pipedrive.tokens
    found = {*hub.access_tokens, *hub.refresh_tokens, *pd.access_tokens, *pd.refresh_tokens}
    found |= {app["client_secret"] for app in env.apps.values()}
    assert len(found) > 6
    return found


async def test_no_token_or_secret_in_the_database_logs_or_reprs(
    oauth_env: OAuthEnv, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env, bridge = oauth_env, oauth_env.bridge
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="crmbridge")
    portal, company = await env.portal(), await env.company()
    await env.hubspot_connection()
    await env.pipedrive_connection()
    await env.connect_hubspot("u1", portal)
    await env.connect_pipedrive("u1", company)
    contact = (await env.contact_ids(portal))[0]
    await env.advance(58 * 60)  # both providers refresh
    for _ in range(2):
        hs = await bridge.aexecute_tool(
            identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
        )
        pd = await bridge.aexecute_tool(identifier="u1", tool_name="pipedrive_deals_list", tool_input={})
        assert hs.ok and pd.ok, (hs.error, pd.error)
    await env.control(
        f"/_sandbox/hubspot/portals/{portal['portal_id']}/uninstall",
        {"client_id": env.apps["hubspot"]["client_id"]},
    )
    revoked = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": contact}
    )
    assert revoked.error is not None
    secrets = _sandbox_secrets(env)

    files = b"".join(p.read_bytes() for p in tmp_path.glob("bridge.db*"))
    with sqlite3.connect(tmp_path / "bridge.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = repr([db.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables])
    assert "connected_accounts" in tables and "v1." in rows  # the vault's ciphertexts are there
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    connections = [public_connection(c) for c in bridge.store.connections.list(bridge.tenant_id)]
    reprs = repr(
        [
            bridge,
            bridge.list_connected_accounts(),
            connections,
            bridge.store.connections.list(bridge.tenant_id),
            bridge.store.accounts.list(bridge.tenant_id),
            bridge.accounts.target("pipedrive", "u1", "pipedrive"),
            bridge.accounts.target("pipedrive", "u1", "pipedrive").auth,
            revoked,
            bridge.oauth.tokens.snapshot(),
        ]
    )
    for secret in secrets:
        assert secret.encode() not in files
        assert secret not in rows
        assert secret not in text
        assert secret not in reprs

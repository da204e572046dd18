"""The database going away is a retryable ``storage_unavailable`` result, never an exception in the caller's
loop; opening against a database that accepts connections but never answers fails within seconds."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from crmbridge import Bridge
from crmbridge.errors import StorageUnavailable
from crmbridge.store import db
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from tests.dbutil import postgres_admin_url, temporary_postgres_database

from .oauth_env import OAuthEnv, new_bridge, new_sandbox

USER = "u1"
TOOL = "hubspot_owners_list"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with temporary_postgres_database() as url:
        yield url


def take_database_down(url: str) -> None:
    """What a Postgres outage looks like to us: open sessions die and new ones are refused."""
    name = make_url(url).database
    with psycopg.connect(postgres_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def connected(url: str, tmp_path: Path) -> Bridge:
    sandbox = Sandbox()
    token = sandbox.hubspot.create_portal(seed_value=7).private_app_token
    bridge = Bridge(
        database_url=url,
        data_dir=tmp_path,
        transport=sandbox.transport(),
        vault=Vault.from_string(Vault.generate_key()),
    )
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    bridge.connect_api_key(connection_name="hubspot", identifier=USER, api_key=token)
    return bridge


def assert_storage_unavailable(result: object) -> None:
    error = result.error  # type: ignore[attr-defined]
    assert result.ok is False  # type: ignore[attr-defined]
    assert error.code == "storage_unavailable", error
    assert error.retryable is True
    assert error.details["retry_after"] > 0
    assert "database" in error.message


def test_execute_tool_returns_a_retryable_error_when_postgres_is_down(pg_url: str, tmp_path: Path) -> None:
    bridge = connected(pg_url, tmp_path)
    try:
        toolset = bridge.toolset(identifier=USER, provider="hubspot")
        take_database_down(pg_url)
        # connect_api_key dropped the cached target: the call must read the account from the database.
        assert_storage_unavailable(bridge.execute_tool(identifier=USER, tool_name=TOOL, tool_input={}))
        assert_storage_unavailable(toolset.call_tool_sync(TOOL, {}))
        assert_storage_unavailable(bridge.run_sync(bridge.aexecute_tool(identifier=USER, tool_name=TOOL)))
        with pytest.raises(StorageUnavailable) as raised:
            bridge.list_connected_accounts()
        assert raised.value.http_status == 503 and raised.value.audience == "nobody"
    finally:
        bridge.close()


@pytest.mark.anyio
async def test_async_tool_calls_and_toolsets_return_the_error_too(pg_url: str, tmp_path: Path) -> None:
    bridge = connected(pg_url, tmp_path)
    try:
        toolset = bridge.toolset(identifier=USER, provider="hubspot")
        take_database_down(pg_url)
        assert_storage_unavailable(await bridge.aexecute_tool(identifier=USER, tool_name=TOOL))
        assert_storage_unavailable(await toolset.call_tool(TOOL, {}))
    finally:
        await bridge.aclose()


class SilentServer:
    """A TCP port that accepts connections and never says a word (a hung database or proxy)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.mark.timeout(20)  # without a connect timeout, opening waits for the kernel's TCP give-up (minutes)
def test_opening_a_database_that_never_answers_fails_within_the_connect_timeout(
    silent_server: SilentServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "CONNECT_TIMEOUT", 2)  # the default is a few seconds; the test need not wait
    url = f"postgresql://crmbridge:secret-pw@127.0.0.1:{silent_server.port}/crmbridge"
    with pytest.raises(StorageUnavailable) as raised:
        Bridge(database_url=url, data_dir=tmp_path, vault=Vault.from_string(Vault.generate_key()))
    assert silent_server.accepted, "the client never reached the port"
    message = str(raised.value)
    assert f"127.0.0.1:{silent_server.port}" in message and "secret-pw" not in message
    assert raised.value.retryable


@pytest.mark.anyio
async def test_an_error_whose_link_cannot_be_stored_is_still_returned(
    oauth_env: OAuthEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-authorisation link is a new OAuth state row: with the database gone the error comes back
    without its link instead of escaping the call."""
    env, bridge = oauth_env, oauth_env.bridge
    portal = await env.portal()
    await env.hubspot_connection(
        required=["crm.objects.companies.read"], optional=["crm.objects.contacts.read"]
    )
    await env.connect_hubspot("u1", portal)
    # The user's grant lacks the optional scope: re-consent can fix it, so the error wants a link.
    bridge.accounts.update("hubspot", "u1", granted_scopes=["crm.objects.companies.read"])

    def database_down(*args: object, **kwargs: object) -> None:
        raise StorageUnavailable("crmbridge's database (sqlite) is unreachable", retry_after=5)

    monkeypatch.setattr(bridge.store.oauth_states, "create", database_down)
    result = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": "1"}
    )
    assert result.error is not None and result.error.code == "insufficient_scope"
    assert "authorization_link" not in result.error.details


@pytest.mark.anyio
async def test_a_refresh_behind_a_frozen_worker_returns_a_retryable_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process froze inside the refresh lock (here: it holds SQLite's write lock): a call that needs
    a new token gets ``storage_unavailable`` after the lock timeout, and works once the lock is free."""
    monkeypatch.setattr(db, "LOCK_TIMEOUT", 0.3)
    sandbox = new_sandbox()
    async with sandbox.client() as client:
        env = OAuthEnv(sandbox, new_bridge(sandbox, tmp_path), client)
        try:
            portal = await env.portal()
            await env.hubspot_connection()
            await env.connect_hubspot("u1", portal)
            contact = (await env.contact_ids(portal))[0]
            call = {
                "identifier": "u1",
                "tool_name": "hubspot_contact_get",
                "tool_input": {"contact_id": contact},
            }
            assert (await env.bridge.aexecute_tool(**call)).ok
            await env.advance(31 * 60)  # the access token has expired: the next call must refresh
            frozen = sqlite3.connect(tmp_path / "bridge.db", isolation_level=None)
            frozen.execute("BEGIN IMMEDIATE")
            try:
                result = await env.bridge.aexecute_tool(**call)
            finally:
                frozen.rollback()
                frozen.close()
            assert result.error is not None and result.error.code == "storage_unavailable", result
            assert result.error.retryable and result.error.details["reason"] == "locked"
            assert (await env.bridge.aexecute_tool(**call)).ok
        finally:
            await env.close()

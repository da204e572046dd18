"""Secrets at rest: nothing readable in the database, nothing in reprs, rotation, and row binding."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from crmbridge.store import Store
from crmbridge.vault import Vault, VaultError

CLIENT_SECRET = "CLIENT-SECRET-d41d8cd98f"
ACCESS_TOKEN = "ACCESS-TOKEN-9e107d9d372b"
REFRESH_TOKEN = "REFRESH-TOKEN-e4d909c290d0"
API_KEY = "API-KEY-0cc175b9c0f1b6a8"
SECRETS = (CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, API_KEY)


def _populate(store: Store, tenant: str = "t1") -> tuple[str, str]:
    store.connections.save(tenant, "hubspot", "hubspot", {"client_id": "public-id"}, CLIENT_SECRET)
    oauth, _ = store.accounts.get_or_create(tenant, "hubspot", "oauth-user")
    store.accounts.update(
        tenant,
        oauth.id,
        status="ACTIVE",
        credentials={"access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN},
    )
    keyed, _ = store.accounts.get_or_create(tenant, "pipedrive", "key-user")
    store.accounts.update(tenant, keyed.id, status="ACTIVE", credentials={"api_key": API_KEY})
    store.accounts.get_or_create(tenant, "hubspot", "not-yet-connected")
    return oauth.id, keyed.id


def _raw_rows(store: Store) -> str:
    with store.engine.connect() as conn:
        rows = [
            *conn.execute(text("SELECT * FROM connections")).all(),
            *conn.execute(text("SELECT * FROM connected_accounts")).all(),
        ]
    return repr(rows)


def test_database_holds_no_plaintext_secrets(store: Store, backend: str) -> None:
    _populate(store)
    raw = _raw_rows(store)
    assert "public-id" in raw  # the plain SQL read does see the table contents ...
    for secret in SECRETS:
        assert secret not in raw  # ... but only ciphertext of the secrets
    if backend == "sqlite":
        database = make_url(str(store.engine.url)).database
        assert database is not None
        files = [Path(database), Path(database + "-wal")]
        blob = b"".join(p.read_bytes() for p in files if p.exists())
        assert b"public-id" in blob
        for secret in SECRETS:
            assert secret.encode() not in blob


def test_reprs_show_no_secrets(store: Store) -> None:
    oauth_id, _ = _populate(store)
    connection = store.connections.get("t1", "hubspot")
    account = store.accounts.get_by_id("t1", oauth_id)
    assert connection is not None and account is not None
    assert connection.client_secret == CLIENT_SECRET and account.credentials["refresh_token"] == REFRESH_TOKEN
    shown = (
        repr(connection) + str(connection) + repr(account) + str(account) + repr(store) + repr(store.vault)
    )
    with store.accounts.locked("t1", oauth_id) as locked:
        shown += repr(locked)
    for secret in SECRETS:
        assert secret not in shown
    assert "hubspot" in shown


def test_ciphertext_copied_to_another_row_does_not_decrypt(store: Store) -> None:
    oauth_id, keyed_id = _populate(store)
    victim, _ = store.accounts.get_or_create("t2", "hubspot", "attacker")
    with store.engine.begin() as conn:
        stolen = conn.execute(
            text("SELECT credentials_enc FROM connected_accounts WHERE id = :id"), {"id": oauth_id}
        ).scalar_one()
        for target in (keyed_id, victim.id):  # same tenant other row; other tenant
            conn.execute(
                text("UPDATE connected_accounts SET credentials_enc = :c WHERE id = :id"),
                {"c": stolen, "id": target},
            )
    with pytest.raises(VaultError, match="another"):
        store.accounts.get_by_id("t1", keyed_id)
    with pytest.raises(VaultError):
        store.accounts.get_by_id("t2", victim.id)
    intact = store.accounts.get_by_id("t1", oauth_id)
    assert intact is not None and intact.credentials["access_token"] == ACCESS_TOKEN


def test_rotate_keys_then_drop_the_old_key(db_url: str, key_line: str) -> None:
    new_line = Vault.generate_key()
    with Store.open(db_url, Vault.from_string(key_line)) as old_store:
        oauth_id, keyed_id = _populate(old_store, "t1")
        _populate(old_store, "t2")
        before = _raw_rows(old_store)

    with Store.open(db_url, Vault.from_string(f"{new_line},{key_line}")) as ring_store:
        # Per tenant: one client secret and two accounts with credentials (the pending one has none).
        assert ring_store.rotate_keys() == 6
        assert ring_store.rotate_keys() == 0
        after = _raw_rows(ring_store)
    old_id, new_id = key_line.split(":")[0], new_line.split(":")[0]
    assert f"v1.{old_id}." in before and f"v1.{old_id}." not in after
    assert after.count(f"v1.{new_id}.") == 6

    with Store.open(db_url, Vault.from_string(new_line)) as new_store:
        account = new_store.accounts.get_by_id("t1", oauth_id)
        keyed = new_store.accounts.get_by_id("t1", keyed_id)
        connection = new_store.connections.get("t2", "hubspot")
        assert account is not None and account.credentials["refresh_token"] == REFRESH_TOKEN
        assert account.credentials_version == 1  # rotation is not a credentials write
        assert keyed is not None and keyed.credentials == {"api_key": API_KEY}
        assert connection is not None and connection.client_secret == CLIENT_SECRET

    with Store.open(db_url, Vault.from_string(key_line)) as stale_store, pytest.raises(VaultError) as info:
        stale_store.connections.get("t1", "hubspot")
    assert new_id in str(info.value)
    assert new_line.split(":")[1] not in str(info.value)

"""Deleting accounts and connections on both backends: everything about an account goes, tenants stay apart."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crmbridge.errors import ConfigurationError
from crmbridge.store import AccountStatus, OAuthStateError, Store


def _active(store: Store, tenant: str, connection: str, identifier: str) -> str:
    account, _ = store.accounts.get_or_create(tenant, connection, identifier)
    store.accounts.update(
        tenant, account.id, status=AccountStatus.ACTIVE, credentials={"access_token": f"at-{identifier}"}
    )
    return account.id


def test_deleting_an_account_erases_its_events_and_oauth_states(store: Store) -> None:
    account_id = _active(store, "t1", "hubspot", "u1")
    kept_id = _active(store, "t1", "hubspot", "u2")
    state = store.oauth_states.create("t1", "hubspot", "u1")
    other_state = store.oauth_states.create("t1", "hubspot", "u2")

    assert store.accounts.delete("t1", account_id) is True
    assert store.accounts.get("t1", "hubspot", "u1") is None
    assert store.events.list("t1", account_id) == []
    with pytest.raises(OAuthStateError):  # a link issued before cannot bring the account back
        store.oauth_states.consume(state)
    assert store.oauth_states.consume(other_state) == ("t1", "hubspot", "u2")
    assert store.accounts.get_by_id("t1", kept_id) is not None
    assert len(store.events.list("t1", kept_id)) == 2
    assert store.accounts.delete("t1", account_id) is False


def test_deleting_is_scoped_by_tenant(store: Store) -> None:
    account_id = _active(store, "A", "hubspot", "u")
    assert store.accounts.delete("B", account_id) is False
    store.connections.save("A", "hubspot", "hubspot", {"auth_mode": "api_key"}, None)
    assert store.connections.delete("B", "hubspot") is False
    assert store.accounts.get_by_id("A", account_id) is not None
    assert store.connections.get("A", "hubspot") is not None


def test_erased_credentials_leave_no_ciphertext(store: Store) -> None:
    account_id = _active(store, "t1", "hubspot", "u")
    erased = store.accounts.update("t1", account_id, credentials={})
    assert erased.credentials == {} and erased.credentials_version == 2
    with store.engine.connect() as conn:
        sealed = conn.execute(
            text("SELECT credentials_enc FROM connected_accounts WHERE id = :id"), {"id": account_id}
        ).scalar_one()
    assert sealed is None


def test_a_connection_with_accounts_is_kept_unless_they_go_with_it(store: Store) -> None:
    store.connections.save("t1", "hubspot", "hubspot", {"auth_mode": "api_key"}, None)
    store.connections.save("t1", "empty", "hubspot", {"auth_mode": "api_key"}, None)
    first = _active(store, "t1", "hubspot", "u1")
    _active(store, "t1", "hubspot", "u2")
    other_tenant = _active(store, "t2", "hubspot", "u1")

    with pytest.raises(ConfigurationError, match=r"2 connected account\(s\) \(u1, u2\)") as refused:
        store.connections.delete("t1", "hubspot")
    assert refused.value.details["accounts"] == ["u1", "u2"]
    assert store.connections.get("t1", "hubspot") is not None and len(store.accounts.list("t1")) == 2

    assert store.connections.delete("t1", "empty") is True
    assert store.connections.delete("t1", "hubspot", with_accounts=True) is True
    assert [c.name for c in store.connections.list("t1")] == []
    assert store.accounts.list("t1") == [] and store.events.list("t1", first) == []
    assert store.accounts.get_by_id("t2", other_tenant) is not None

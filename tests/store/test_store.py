"""Store behaviour on both backends: migrations, connections, accounts, tenant isolation, OAuth states."""

from __future__ import annotations

import threading
from datetime import UTC

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from crmbridge.store import AccountNotFound, AccountStatus, OAuthStateError, Store
from crmbridge.store.db import alembic_config, create_store_engine, normalise_url
from crmbridge.store.models import Base
from crmbridge.vault import Vault
from tests.store.conftest import FakeClock

TABLES = {"connections", "connected_accounts", "oauth_states", "account_events", "alembic_version"}


def test_migrations_build_the_models_schema_on_a_fresh_database(db_url: str, vault: Vault) -> None:
    with Store.open(db_url, vault) as store:
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        with store.engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config(store.engine)).get_current_head()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
            # The migration and the ORM models describe the same schema.
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    # Opening again is a no-op, and the migration can be rolled back and replayed.
    with Store.open(db_url, vault) as store:
        cfg = alembic_config(store.engine)
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    with Store.open(db_url, vault) as store:
        assert set(inspect(store.engine).get_table_names()) >= TABLES


def test_connection_upsert_and_read(store: Store) -> None:
    config = {
        "client_id": "cid",
        "redirect_uri": "https://app.example/cb",
        "scopes": ["crm.objects.contacts.read"],
    }
    first = store.connections.save("t1", "hubspot", "hubspot", config, "client-secret-1")
    assert first.client_secret == "client-secret-1"
    assert first.auth_mode == "oauth"
    assert first.created_at.tzinfo is UTC
    second = store.connections.save("t1", "hubspot", "hubspot", {**config, "client_id": "cid2"}, None)
    assert second.id == first.id
    assert second.client_secret is None
    assert second.config["client_id"] == "cid2"
    store.connections.save("t1", "pipedrive", "pipedrive", {"auth_mode": "api_key"}, None)
    assert [c.name for c in store.connections.list("t1")] == ["hubspot", "pipedrive"]
    fetched = store.connections.get("t1", "pipedrive")
    assert fetched is not None and fetched.auth_mode == "api_key"
    assert store.connections.get("t1", "missing") is None


def test_secrets_are_refused_in_plaintext_config(store: Store) -> None:
    with pytest.raises(ValueError, match="client_secret"):
        store.connections.save("t1", "hubspot", "hubspot", {"client_secret": "oops"}, None)


def test_get_or_create_is_idempotent(store: Store) -> None:
    account, created = store.accounts.get_or_create("t1", "hubspot", "user-1")
    again, created_again = store.accounts.get_or_create("t1", "hubspot", "user-1")
    assert (created, created_again) == (True, False)
    assert again.id == account.id
    assert account.status is AccountStatus.PENDING
    assert account.credentials == {} and account.credentials_version == 0
    assert account.created_at.tzinfo is UTC


def test_get_or_create_under_20_threads_creates_one_account(store: Store) -> None:
    barrier = threading.Barrier(20)
    results: list[tuple[str, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            account, created = store.accounts.get_or_create("t1", "hubspot", "racy")
            results.append((account.id, created))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == 20
    assert len({account_id for account_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(store.accounts.list("t1")) == 1


def test_account_updates_record_status_changes(store: Store) -> None:
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    active = store.accounts.update(
        "t1",
        account.id,
        status="ACTIVE",
        credentials={"access_token": "at-1", "refresh_token": "rt-1", "expires_at": 1_700_000_000},
        granted_scopes=["crm.objects.contacts.read"],
        metadata={"portal_id": 42},
    )
    assert active.previous_status is AccountStatus.PENDING and active.status_changed
    assert active.credentials["access_token"] == "at-1" and active.credentials_version == 1
    merged = store.accounts.update("t1", account.id, metadata={"user": "a@b.c"})
    assert merged.metadata == {"portal_id": 42, "user": "a@b.c"}
    assert not merged.status_changed and merged.credentials_version == 1
    expired = store.accounts.update(
        "t1", account.id, status=AccountStatus.EXPIRED, status_reason="refresh failed"
    )
    assert expired.status_reason == "refresh failed"
    assert [(e.old_status, e.new_status, e.reason) for e in store.events.list("t1", account.id)] == [
        (None, AccountStatus.PENDING, "created"),
        (AccountStatus.PENDING, AccountStatus.ACTIVE, None),
        (AccountStatus.ACTIVE, AccountStatus.EXPIRED, "refresh failed"),
    ]
    with pytest.raises(ValueError):
        store.accounts.update("t1", account.id, status="BOGUS")
    fetched = store.accounts.get("t1", "hubspot", "u")
    assert fetched is not None and fetched.credentials["refresh_token"] == "rt-1"
    assert fetched.granted_scopes == ["crm.objects.contacts.read"]


def test_tenants_are_isolated(store: Store) -> None:
    store.connections.save("A", "hubspot", "hubspot", {"client_id": "a"}, "secret-of-A")
    account, _ = store.accounts.get_or_create("A", "hubspot", "shared-identifier")
    store.accounts.update("A", account.id, status="ACTIVE", credentials={"access_token": "token-of-A"})

    assert store.connections.get("B", "hubspot") is None
    assert store.connections.list("B") == []
    assert store.accounts.get("B", "hubspot", "shared-identifier") is None
    assert store.accounts.get_by_id("B", account.id) is None
    assert store.accounts.list("B") == []
    assert store.events.list("B", account.id) == []
    with pytest.raises(AccountNotFound):
        store.accounts.update("B", account.id, status="REVOKED")
    with pytest.raises(AccountNotFound), store.accounts.locked("B", account.id):
        pass

    # B's own objects of the same names live side by side with A's.
    store.connections.save("B", "hubspot", "hubspot", {"client_id": "b"}, "secret-of-B")
    b_account, created = store.accounts.get_or_create("B", "hubspot", "shared-identifier")
    assert created and b_account.id != account.id
    a_conn, b_conn = store.connections.get("A", "hubspot"), store.connections.get("B", "hubspot")
    assert a_conn is not None and b_conn is not None
    assert (a_conn.client_secret, b_conn.client_secret) == ("secret-of-A", "secret-of-B")
    a_account = store.accounts.get_by_id("A", account.id)
    assert a_account is not None and a_account.status is AccountStatus.ACTIVE


def test_the_public_account_status_is_the_store_enum() -> None:
    import crmbridge
    from crmbridge.core import AccountStatus as CoreStatus

    assert crmbridge.AccountStatus is CoreStatus is AccountStatus


def test_oauth_state_is_single_use(store: Store) -> None:
    state = store.oauth_states.create("t1", "hubspot", "u", ttl_seconds=600)
    assert len(state) >= 32
    assert store.oauth_states.consume(state) == ("t1", "hubspot", "u")
    with pytest.raises(OAuthStateError, match="already used") as info:
        store.oauth_states.consume(state)
    assert info.value.reason == "used"
    with pytest.raises(OAuthStateError, match="unknown"):
        store.oauth_states.consume("never-issued")


def test_oauth_state_expires(store: Store, clock: FakeClock) -> None:
    state = store.oauth_states.create("t1", "hubspot", "u", ttl_seconds=60)
    clock.advance(61)
    with pytest.raises(OAuthStateError, match="expired") as info:
        store.oauth_states.consume(state)
    assert info.value.reason == "expired"
    with pytest.raises(ValueError):
        store.oauth_states.create("t1", "hubspot", "u", ttl_seconds=0)


def test_oauth_state_has_one_winner_under_concurrency(store: Store) -> None:
    state = store.oauth_states.create("t1", "hubspot", "u", ttl_seconds=600)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def worker() -> None:
        barrier.wait(timeout=10)
        try:
            store.oauth_states.consume(state)
            outcomes.append("won")
        except OAuthStateError as exc:
            outcomes.append(exc.reason)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["used"] * 7 + ["won"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgres://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:////var/lib/crmbridge/crmbridge.db", "sqlite:////var/lib/crmbridge/crmbridge.db"),
    ],
)
def test_database_urls_people_paste_are_accepted(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_unsupported_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        normalise_url("mysql://root@localhost/app")
    with pytest.raises(ValueError, match="SQLite file"):
        create_store_engine("sqlite://")

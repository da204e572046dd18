"""Every lock wait is bounded: a worker frozen inside an account's refresh lock (SIGSTOP, a debugger) costs
the others a retryable ``storage_unavailable`` after the lock timeout, on both backends, and opening a
store whose schema is current takes no lock at all."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from crmbridge.errors import StorageUnavailable
from crmbridge.store import Store, db
from crmbridge.vault import Vault

#: Short, so the tests stay fast; the default is ``db.LOCK_TIMEOUT``.
LOCK_TIMEOUT = 0.3


def _psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def other_process_holds(backend: str, url: str, account_id: str | None = None) -> Iterator[None]:
    """Another process in the middle of a refresh: the account's row lock (Postgres) or the write lock
    (SQLite), taken on a connection of its own and held until the block ends."""
    if backend == "sqlite":
        conn = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    with psycopg.connect(_psycopg_url(url)) as pg:
        pg.execute("SELECT id FROM connected_accounts WHERE id = %s FOR UPDATE", (account_id,))
        yield
        pg.rollback()


def assert_lock_wait(error: StorageUnavailable) -> None:
    assert error.code == "storage_unavailable" and error.retryable
    assert error.details["reason"] == "locked"
    assert error.details["retry_after"] > 0
    assert "another worker" in error.message


def test_the_refresh_lock_held_by_another_process_gives_a_retryable_error(
    backend: str, db_url: str, vault: Vault
) -> None:
    with Store.open(db_url, vault, lock_timeout=LOCK_TIMEOUT) as store:
        account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
        with other_process_holds(backend, db_url, account.id):
            with pytest.raises(StorageUnavailable) as raised, store.accounts.locked("t1", account.id):
                pytest.fail("entered a lock another process holds")
            assert_lock_wait(raised.value)
            # Reads never wait for the lock.
            assert store.accounts.get_by_id("t1", account.id) is not None
        with store.accounts.locked("t1", account.id) as locked:  # free again once the holder is done
            locked.update(status="ACTIVE")


def test_the_refresh_lock_held_by_another_thread_gives_a_retryable_error(store: Store, vault: Vault) -> None:
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    impatient = Store(store.engine, vault, lock_timeout=LOCK_TIMEOUT)
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.accounts.locked("t1", account.id):
            inside.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(timeout=10)
        with pytest.raises(StorageUnavailable) as raised, impatient.accounts.locked("t1", account.id):
            pytest.fail("entered a lock another thread holds")
        assert_lock_wait(raised.value)
    finally:
        release.set()
        holder.join(timeout=30)


def test_opening_a_current_database_waits_for_no_lock(backend: str, db_url: str, vault: Vault) -> None:
    """The migration lock (SQLite's write lock, Postgres's advisory lock) is only taken to migrate."""
    Store.open(db_url, vault).close()
    held = other_process_holds(backend, db_url) if backend == "sqlite" else _migration_lock_held(db_url)
    with held, Store.open(db_url, vault, lock_timeout=LOCK_TIMEOUT) as store:
        assert store.accounts.list("t1") == []


@contextmanager
def _migration_lock_held(url: str) -> Iterator[None]:
    with psycopg.connect(_psycopg_url(url), autocommit=True) as pg:
        pg.execute("SELECT pg_advisory_lock(%s)", (db._PG_MIGRATION_LOCK,))
        yield


def test_postgres_sessions_carry_the_timeouts(backend: str, db_url: str, vault: Vault) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has only its busy timeout, checked by the lock tests")
    with Store.open(db_url, vault, lock_timeout=2.5) as store, store.engine.connect() as conn:
        shown = {
            name: conn.execute(text(f"SHOW {name}")).scalar_one()
            for name in ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")
        }
    assert shown == {
        "lock_timeout": "2500ms",
        "statement_timeout": f"{round(db.STATEMENT_TIMEOUT)}s",
        "idle_in_transaction_session_timeout": f"{round(db.IDLE_IN_TRANSACTION_TIMEOUT / 60)}min",
    }


def test_settings_in_the_url_win_over_the_defaults(backend: str, db_url: str, vault: Vault) -> None:
    if backend != "postgres":
        pytest.skip("Postgres session settings")
    url = make_url(db_url).update_query_dict({"options": "-c lock_timeout=1234"}).render_as_string(False)
    with Store.open(url, vault) as store, store.engine.connect() as conn:
        assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "1234ms"

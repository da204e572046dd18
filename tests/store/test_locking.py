"""``accounts.locked``: single-flight across threads and processes, on both backends."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from crmbridge.store import AccountStatus, Store
from tests.store.workers import increment, increment_in_process

THREAD_ROUNDS = 25
PROCESS_ROUNDS = 20


def test_two_threads_never_lose_an_update(store: Store) -> None:
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    threads = [
        threading.Thread(target=increment, args=(store, "t1", account.id, THREAD_ROUNDS)) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    final = store.accounts.get_by_id("t1", account.id)
    assert final is not None
    assert final.credentials["counter"] == 2 * THREAD_ROUNDS
    assert final.credentials_version == 2 * THREAD_ROUNDS


@pytest.mark.slow
@pytest.mark.timeout(180)  # two spawned processes import crmbridge before they start
def test_two_processes_never_lose_an_update(store: Store, db_url: str, key_line: str) -> None:
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    processes = [
        ctx.Process(
            target=increment_in_process, args=(db_url, key_line, "t1", account.id, PROCESS_ROUNDS, barrier)
        )
        for _ in range(2)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0]
    final = store.accounts.get_by_id("t1", account.id)
    assert final is not None
    assert final.credentials["counter"] == 2 * PROCESS_ROUNDS


def test_reads_fresh_state_and_commits_on_exit(store: Store) -> None:
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    store.accounts.update("t1", account.id, credentials={"access_token": "old"})
    with store.accounts.locked("t1", account.id) as locked:
        assert locked.account.credentials_version == 1
        updated = locked.update(status="ACTIVE", credentials={"access_token": "new"})
        assert updated.previous_status is AccountStatus.PENDING
        assert locked.account is updated
    final = store.accounts.get_by_id("t1", account.id)
    assert final is not None
    assert (final.status, final.credentials["access_token"], final.credentials_version) == (
        "ACTIVE",
        "new",
        2,
    )
    assert [e.new_status for e in store.events.list("t1", account.id)][-1] is AccountStatus.ACTIVE
    with pytest.raises(RuntimeError, match="released"):
        locked.update(status="ERROR")


def test_an_exception_rolls_the_update_back(store: Store) -> None:
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    with pytest.raises(KeyError), store.accounts.locked("t1", account.id) as locked:
        locked.update(status="ACTIVE", credentials={"access_token": "lost"})
        raise KeyError("refresh blew up")
    final = store.accounts.get_by_id("t1", account.id)
    assert final is not None
    assert (final.status, final.credentials, final.credentials_version) == ("PENDING", {}, 0)


def test_misuse_inside_the_lock_fails_fast_instead_of_deadlocking(store: Store) -> None:
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    with store.accounts.locked("t1", account.id):
        with pytest.raises(RuntimeError, match="update"):
            store.accounts.update("t1", account.id, status="ACTIVE")
        with pytest.raises(RuntimeError, match="re-entrant"), store.accounts.locked("t1", account.id):
            pass
        # Reads stay possible while the lock is held.
        assert store.accounts.get_by_id("t1", account.id) is not None


def test_on_sqlite_every_repository_refuses_writes_inside_the_lock(store: Store, backend: str) -> None:
    """On SQLite the lock is the database write lock: a second write on the thread would wait on itself."""
    account, _ = store.accounts.get_or_create("t1", "hubspot", "u")
    with store.accounts.locked("t1", account.id):
        if backend == "sqlite":
            with pytest.raises(RuntimeError, match="handle"):
                store.oauth_states.create("t1", "hubspot", "u")
            with pytest.raises(RuntimeError, match="handle"):
                store.connections.save("t1", "hubspot", "hubspot", {}, None)
        else:  # Postgres locks only the account row
            store.oauth_states.create("t1", "hubspot", "u")
            assert store.connections.save("t1", "hubspot", "hubspot", {}, None).name == "hubspot"

"""The DBOS runner: named workflows, the workflow id as idempotency key, durable steps and sleeps,
recovery after the process's DBOS goes away, and the singleton rules."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmbridge.durable import DBOSRunner, DurableContext, launch_dbos, system_database_url
from crmbridge.errors import ConfigurationError
from tests.dbutil import require_postgres
from tests.durable.dbosutil import TEST_POLLING, release_shared


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class Counter:
    """A workflow whose step counts its runs and whose sleep is durable."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.finished: list[str] = []

    async def touch(self, label: str) -> str:
        self.runs.append(label)
        return label.upper()

    async def workflow(self, ctx: DurableContext, label: str, pause: float) -> str:
        first = await ctx.step("touch", self.touch, label)
        await ctx.sleep(pause)
        second = await ctx.step("touch", self.touch, label + "-again")
        self.finished.append(ctx.workflow_id)
        return first + second


def test_a_workflow_runs_once_per_id(dbos_runner: DBOSRunner) -> None:
    counter = Counter()
    dbos_runner.register("tests.counter", counter.workflow)
    dbos_runner.start("tests.counter", "counter-once-1", "a", 0.01)
    dbos_runner.start("tests.counter", "counter-once-1", "a", 0.01)  # the same id: no second run
    wait_until(lambda: dbos_runner.status("counter-once-1") == "SUCCESS")
    dbos_runner.start("tests.counter", "counter-once-1", "a", 0.01)  # nor after it finished
    time.sleep(0.05)
    assert counter.runs == ["a", "a-again"]
    assert counter.finished == ["counter-once-1"]
    assert dbos_runner.status("no-such-workflow") is None


def test_an_unknown_workflow_name_is_a_clear_error(dbos_runner: DBOSRunner) -> None:
    with pytest.raises(ConfigurationError, match=r"No durable workflow named 'tests.nope'"):
        dbos_runner.start("tests.nope", "x-1")


def test_launch_refuses_a_second_dbos_and_attach_uses_the_hosts(dbos_runner: DBOSRunner) -> None:
    with pytest.raises(ConfigurationError, match="singleton"):
        launch_dbos("sqlite:///unused.sqlite")
    attached = DBOSRunner.attach()
    counter = Counter()
    attached.register("tests.counter", counter.workflow)
    attached.start("tests.counter", "counter-attached-1", "b", 0)
    wait_until(lambda: attached.status("counter-attached-1") == "SUCCESS")
    attached.close()  # leaves the host's DBOS running
    assert dbos_runner.status("counter-attached-1") == "SUCCESS"


def test_system_database_url_sits_beside_the_store() -> None:
    assert system_database_url("sqlite:////data/crmbridge.db") == "sqlite:////data/crmbridge.dbos.sqlite"
    assert system_database_url("postgresql+psycopg://u:p@db:5432/crm") == "postgresql://u:p@db:5432/crm_dbos"
    with pytest.raises(ConfigurationError):
        system_database_url("sqlite://")


@pytest.fixture
def own_dbos() -> Iterator[None]:
    """This test launches its own DBOS: the shared one steps aside."""
    release_shared()
    yield


def _crash_and_recover(url: str) -> None:
    counter = Counter()
    runner = launch_dbos(url, "crmbridge-tests", polling_interval=TEST_POLLING)
    try:
        runner.register("tests.counter", counter.workflow)
        runner.start("tests.counter", "counter-crash-1", "c", 0.3)
        wait_until(lambda: counter.runs == ["c"])
    finally:
        runner.close()  # mid-sleep: the workflow stays pending in the system database
    assert counter.finished == []
    started = time.perf_counter()
    runner = launch_dbos(url, "crmbridge-tests", polling_interval=TEST_POLLING)
    try:
        runner.register("tests.counter", counter.workflow)  # after launch: recovery waits for it
        wait_until(lambda: counter.finished == ["counter-crash-1"])
        # The first step is not run again; the sleep resumed rather than restarted.
        assert counter.runs == ["c", "c-again"]
        assert time.perf_counter() - started < 5
    finally:
        runner.close()


def test_a_pending_workflow_resumes_after_a_relaunch_on_sqlite(own_dbos: None, tmp_path: Path) -> None:
    _crash_and_recover(f"sqlite:///{tmp_path / 'system.sqlite'}")


def test_a_sqlite_system_database_runs_in_wal_mode(own_dbos: None, tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    path = tmp_path / "system.sqlite"
    _crash_and_recover(f"sqlite:///{path}")
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_pending_workflow_resumes_after_a_relaunch_on_postgres(own_dbos: None) -> None:
    import psycopg
    from psycopg import sql

    admin = require_postgres()
    name = f"crmbridge_test_dbos_{int(time.time() * 1000) % 10**9}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        base = admin.rsplit("/", 1)[0]
        _crash_and_recover(f"{base}/{name}")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

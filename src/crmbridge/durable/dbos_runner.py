"""DBOS Transact as the durable-work engine: one process-wide instance the host owns.

DBOS is a singleton per process, so crmbridge never creates one behind its user's back: the service
calls :func:`launch_dbos` at start-up and :meth:`DBOSRunner.close` at shutdown, and an application that
already runs DBOS wraps it with :meth:`DBOSRunner.attach` (import this module before ``DBOS.launch()`` so
recovery finds crmbridge's entry workflow). Every crmbridge workflow runs through one registered DBOS
workflow, ``crmbridge.durable.run(name, args)``, which looks the named workflow up in this process.

Workflows are async and started from the runner's own event loop, so one waiting out a backoff costs a
timer, not a thread; after a crash DBOS recovers them on its own loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Callable, Coroutine
from contextlib import closing
from typing import Any, TypeVar

import dbos._dbos as _dbos_module
from dbos import DBOS, DBOSConfig, SetWorkflowID
from dbos._core import StepOptions
from sqlalchemy.engine import make_url

from ..errors import ConfigurationError
from ..syncloop import LoopThread
from .runner import Workflow, WorkflowRegistry

__all__ = ["DBOSRunner", "launch_dbos", "system_database_url"]

log = logging.getLogger("crmbridge.durable")

T = TypeVar("T")

#: Environment variable naming this process among the service's workers (DBOS's ``executor_id``).
EXECUTOR_ID_ENV = "CRMBRIDGE_EXECUTOR_ID"
#: Seconds a recovered workflow waits for the host to register its body after launch.
REGISTRATION_WAIT = 30.0

# One registry per process, like DBOS itself.
_REGISTRY = WorkflowRegistry()


class _Context:
    """:class:`~.runner.DurableContext` over DBOS's step and sleep."""

    def __init__(self, workflow_id: str) -> None:
        self._workflow_id = workflow_id

    @property
    def workflow_id(self) -> str:
        return self._workflow_id

    async def step(self, name: str, func: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        options: StepOptions = {"name": name}
        return await DBOS.run_step_async(options, func, *args)

    async def sleep(self, seconds: float) -> None:
        await DBOS.sleep_async(seconds)


@DBOS.workflow(name="crmbridge.durable.run")
async def _run(name: str, args: list[Any]) -> Any:
    """The one DBOS workflow: dispatches to the crmbridge workflow registered as ``name``."""
    workflow = await _REGISTRY.wait_for(name, REGISTRATION_WAIT)
    return await workflow(_Context(DBOS.workflow_id or ""), *args)


def system_database_url(store_url: str) -> str:
    """A DBOS system database beside the store's: ``x.db`` → ``x.dbos.sqlite`` (SQLite allows one writer
    at a time, so the two do not share a file); Postgres database ``crm`` → ``crm_dbos`` on the same
    server (DBOS creates it on first launch when the role may)."""
    url = make_url(store_url)
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if not path or path == ":memory:":
            raise ConfigurationError("Durable work needs a SQLite file, not an in-memory database.")
        stem = path[:-3] if path.endswith(".db") else path
        return f"sqlite:///{stem}.dbos.sqlite"
    return url.set(drivername="postgresql", database=f"{url.database}_dbos").render_as_string(
        hide_password=False
    )


class DBOSRunner:
    """A :class:`~.runner.DurableRunner` on the process's DBOS instance.

    ``owns_dbos``: whether :meth:`close` destroys DBOS too (``launch_dbos``) or leaves the host's
    instance running (``attach``).
    """

    def __init__(self, *, owns_dbos: bool) -> None:
        self._owns = owns_dbos
        self._loop = LoopThread()
        self._closed = False

    @classmethod
    def attach(cls) -> DBOSRunner:
        """Use the DBOS instance the host application created and launched."""
        if _dbos_module._dbos_global_instance is None:
            raise ConfigurationError(
                "No DBOS instance exists in this process: call launch_dbos(...) instead."
            )
        return cls(owns_dbos=False)

    def __repr__(self) -> str:
        return f"DBOSRunner(owns_dbos={self._owns}, workflows={_REGISTRY.names()})"

    def register(self, name: str, workflow: Workflow) -> None:
        _REGISTRY.register(name, workflow)

    async def _start(self, name: str, workflow_id: str, args: list[Any]) -> None:
        with SetWorkflowID(workflow_id):
            await DBOS.start_workflow_async(_run, name, args)

    def start(self, name: str, workflow_id: str, *args: Any) -> None:
        self._check(name)
        self._loop.run(self._start(name, workflow_id, list(args)))

    async def astart(self, name: str, workflow_id: str, *args: Any) -> None:
        self._check(name)
        await asyncio.to_thread(self._loop.run, self._start(name, workflow_id, list(args)))

    def status(self, workflow_id: str) -> str | None:
        found = DBOS.get_workflow_status(workflow_id)
        return None if found is None else str(found.status)

    def _check(self, name: str) -> None:
        if self._closed:
            raise ConfigurationError("This durable runner is closed.")
        if _REGISTRY.get(name) is None:
            raise ConfigurationError(
                f"No durable workflow named {name!r} (known: {', '.join(_REGISTRY.names()) or 'none'}).",
                allowed=_REGISTRY.names(),
            )

    def close(self) -> None:
        """Stop this process's workflows where they are (they stay pending and resume on the next
        launch) and, when this runner launched DBOS, destroy it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._loop.close(_cancel_others())
        if self._owns:
            DBOS.destroy()


async def _cancel_others() -> None:
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def launch_dbos(
    database_url: str,
    app_name: str = "crmbridge",
    *,
    executor_id: str | None = None,
    application_version: str | None = None,
    polling_interval: float = 1.0,
    log_level: str = "WARNING",
) -> DBOSRunner:
    """Create and launch the process's DBOS on ``database_url`` (its system database: a SQLite file
    for one process, Postgres for many) and return a runner that owns it.

    Launching recovers the workflows this executor left pending. Several workers on one Postgres
    database each need a stable ``executor_id`` (default ``$CRMBRIDGE_EXECUTOR_ID``, else ``"local"``),
    so a restarted worker resumes its own work and no other's. ``polling_interval``: seconds between
    DBOS's checks for notifications (lower it in tests).
    """
    if _dbos_module._dbos_global_instance is not None:
        raise ConfigurationError(
            "DBOS is already created in this process (it is a singleton): use DBOSRunner.attach()."
        )
    config: DBOSConfig = {
        "name": app_name,
        "system_database_url": database_url,
        "log_level": log_level,
        "executor_id": executor_id or os.environ.get(EXECUTOR_ID_ENV) or "local",
        "notification_listener_polling_interval_sec": polling_interval,
    }
    if application_version is not None:
        config["application_version"] = application_version
    _sqlite_in_wal_mode(database_url)
    DBOS(config=config)
    try:
        DBOS.launch()
    except BaseException:
        DBOS.destroy()
        raise
    return DBOSRunner(owns_dbos=True)


def _sqlite_in_wal_mode(database_url: str) -> None:
    """Put a SQLite system database in WAL mode (it stays so: the mode is kept in the file) before DBOS
    opens it. DBOS leaves SQLite in rollback-journal mode, where every checkpoint is a commit that syncs
    the journal and locks readers out; every workflow checkpoints several times, so that journal, not
    the CRM, was what capped how fast a backlog drained."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    with closing(sqlite3.connect(url.database, timeout=30)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")

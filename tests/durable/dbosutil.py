"""One DBOS for the tests of a process, shared because DBOS is a process-wide singleton.

Launching costs tens of milliseconds (the import, once, about half a second), so tests share one
instance on a SQLite system database; a test that needs its own (a restart, Postgres) calls
:func:`release_shared` first, and the next :func:`shared_runner` launches a fresh one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmbridge.durable import DBOSRunner, launch_dbos

#: Seconds between DBOS's checks for notifications in tests (its default is a second).
TEST_POLLING = 0.01

_shared: DBOSRunner | None = None
_dir: tempfile.TemporaryDirectory[str] | None = None


def shared_runner() -> DBOSRunner:
    global _shared, _dir
    if _shared is None:
        _dir = tempfile.TemporaryDirectory(prefix="crmbridge-dbos-")
        url = f"sqlite:///{Path(_dir.name) / 'system.sqlite'}"
        _shared = launch_dbos(url, "crmbridge-tests", polling_interval=TEST_POLLING)
    return _shared


def release_shared() -> None:
    global _shared, _dir
    if _shared is not None:
        _shared.close()
        _shared = None
    if _dir is not None:
        _dir.cleanup()
        _dir = None


@pytest.fixture
def dbos_runner() -> DBOSRunner:
    return shared_runner()


@pytest.fixture(scope="session", autouse=True)
def _release_dbos_at_end() -> Iterator[None]:
    yield
    release_shared()

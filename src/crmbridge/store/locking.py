"""In-process half of single-flight: one thread per account waits on a cheap lock, not on the database.

The database lock (``FOR UPDATE`` on Postgres, ``BEGIN IMMEDIATE`` on SQLite) is what serialises
processes; this keyed lock only keeps threads of one process from piling up on pool connections and on
SQLite's busy handler. Locks are shared by every ``Store`` on the same database in the process.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

__all__ = ["KeyedLocks", "account_locks"]


class KeyedLocks:
    """A lock per key, created on demand and dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: Hashable, timeout: float | None = None) -> Iterator[None]:
        """Hold the lock of ``key``; ``TimeoutError`` when it is not free within ``timeout`` seconds."""
        with self._guard:
            lock, users = self._locks.get(key, (None, 0))
            if lock is None:
                lock = threading.Lock()
            self._locks[key] = (lock, users + 1)
        try:
            if not lock.acquire(timeout=-1 if timeout is None else timeout):
                raise TimeoutError(f"lock {key!r} not free within {timeout} s")
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


account_locks = KeyedLocks()

"""What every repository shares: the engine, the clock, and one transaction per call.

Repositories open their transactions here rather than on the engine, so SQLite's rules hold for all of
them: a write starts with ``BEGIN IMMEDIATE`` (no lock upgrade half-way), and a thread holding an account
lock (``AccountRepository.locked``, which owns SQLite's write lock) may not open a second write
transaction, which would wait on itself. A database that is down, hung or locked too long surfaces here as
a retryable ``StorageUnavailable`` (see ``availability``), whichever repository asked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from . import db
from .availability import StorageLabel, translated
from .db import WRITE_OPTION

__all__ = ["Clock", "SessionFactory"]

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SessionFactory:
    """Transactions on one database, the store's clock, and the account locks this thread holds."""

    def __init__(
        self, engine: Engine, clock: Clock | None = None, *, lock_timeout: float | None = None
    ) -> None:
        self.engine = engine
        self.now: Clock = clock or _utcnow
        self.sqlite = engine.dialect.name == "sqlite"
        #: The database URL without its password: names the store in reprs and keys process-wide locks.
        self.database = engine.url.render_as_string(hide_password=True)
        #: Seconds any lock may be waited for, in the database or in this process.
        self.lock_timeout = db.LOCK_TIMEOUT if lock_timeout is None else lock_timeout
        self.label = StorageLabel(engine.dialect.name, self.database, self.lock_timeout)
        self._held = threading.local()

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction, committed on success and rolled back on any exception."""
        if write and self.sqlite and self.held_accounts():
            raise RuntimeError("inside accounts.locked on SQLite, write only through the handle's update()")
        with translated(self.label), Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={WRITE_OPTION: write})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def held_accounts(self) -> set[tuple[str, str]]:
        """``(tenant_id, account_id)`` of every account lock the current thread holds (mutable)."""
        held: set[tuple[str, str]] | None = getattr(self._held, "accounts", None)
        if held is None:
            held = self._held.accounts = set()
        return held

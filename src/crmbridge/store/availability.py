"""What a database failure means to a caller: a retryable ``StorageUnavailable``, never a driver exception.

Only failures to reach the database or to get an answer in time are translated: refused or dropped
connections, connect and statement timeouts, locks held longer than the lock timeout. An integrity error
or a bad query is left alone, because it means a conflict to handle or a bug to see.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa

from ..errors import StorageUnavailable, scrub

__all__ = ["StorageLabel", "is_unavailable", "lock_wait_error", "translated"]

log = logging.getLogger("crmbridge.store")

_LOCK_NOT_AVAILABLE = "55P03"  # Postgres: lock_timeout expired
_QUERY_CANCELED = "57014"  # Postgres: statement_timeout expired
_SQLITE_LOCKED = ("database is locked", "database table is locked")
#: Seconds to suggest before trying again: a lock may be freed any moment; an outage takes longer.
RETRY_LOCKED, RETRY_DOWN = 1.0, 5.0


class StorageLabel:
    """How a store names its database: ``backend`` for everyone, ``url`` (no password) for its developer."""

    __slots__ = ("backend", "lock_timeout", "url")

    def __init__(self, backend: str, url: str, lock_timeout: float) -> None:
        self.backend, self.url, self.lock_timeout = backend, url, lock_timeout


def is_unavailable(exc: BaseException) -> bool:
    """True for failures of reaching or waiting on the database (as opposed to conflicts and bugs)."""
    if isinstance(exc, sa.TimeoutError | sa.OperationalError | sa.InterfaceError):
        return True  # sa.TimeoutError: no pooled connection came free in time
    return isinstance(exc, sa.DBAPIError) and exc.connection_invalidated


def _cause(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return scrub(lines[0] if lines else type(original).__name__)


def _is_lock_wait(exc: BaseException) -> bool:
    original = getattr(exc, "orig", None)
    if getattr(original, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
        return True
    return any(marker in str(original) for marker in _SQLITE_LOCKED)


def lock_wait_error(label: StorageLabel, what: str = "a lock") -> StorageUnavailable:
    """Another worker held ``what`` longer than the lock timeout (a slow token refresh, a frozen process)."""
    return StorageUnavailable(
        f"crmbridge's database ({label.backend}) is busy: another worker held {what} for more than "
        f"{label.lock_timeout:g} s. Nothing was sent to the CRM; try again shortly.",
        retry_after=RETRY_LOCKED,
        storage=label.backend,
        reason="locked",
    )


def _error(exc: BaseException, label: StorageLabel, *, opening: bool) -> StorageUnavailable:
    if _is_lock_wait(exc):
        return lock_wait_error(label)
    original = getattr(exc, "orig", None)
    timed_out = getattr(original, "sqlstate", None) == _QUERY_CANCELED
    problem = "did not answer in time" if timed_out else "is unreachable or refused the request"
    if opening:  # the developer opening the store needs to know which database and why
        message = f"crmbridge's database {label.url} {problem}: {_cause(exc)}"
    else:
        message = f"crmbridge's database ({label.backend}) {problem}. Nothing was sent to the CRM; try again shortly."
    return StorageUnavailable(
        message,
        retry_after=RETRY_DOWN,
        storage=label.backend,
        reason="timeout" if timed_out else "unreachable",
    )


@contextmanager
def translated(label: StorageLabel, *, opening: bool = False) -> Iterator[None]:
    """Turn the database's availability failures inside the block into ``StorageUnavailable``."""
    try:
        yield
    except sa.SQLAlchemyError as exc:
        if not is_unavailable(exc):
            raise
        error = _error(exc, label, opening=opening)
        if not opening:  # a call gets a short message: the log says which database and why
            log.warning("database %s unavailable (%s): %s", label.url, error.details["reason"], _cause(exc))
        raise error from exc

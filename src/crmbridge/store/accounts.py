"""Connected accounts: one end user's authorisation on a connection, and its single-flight lock.

Every write locks the row first (``FOR UPDATE`` on Postgres; SQLite already holds the write lock from
``BEGIN IMMEDIATE``), so the old status it compares against is the committed one and a status change
records exactly one event even when workers race. ``update`` and the ``locked`` handle share that path.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .availability import lock_wait_error
from .codec import Codec
from .events import status_event
from .locking import account_locks
from .models import AccountEventRow, AccountRow, OAuthStateRow
from .records import AccountNotFound, AccountRecord
from .sessions import Clock, SessionFactory
from .status import AccountStatus

__all__ = ["AccountRepository", "LockedAccount", "erase_account_rows"]


@dataclass(frozen=True)
class _Changes:
    """What to change; ``None`` leaves a field alone."""

    status: AccountStatus | str | None = None
    credentials: Mapping[str, Any] | None = None
    granted_scopes: Sequence[str] | None = None
    metadata: Mapping[str, Any] | None = None
    status_reason: str | None = None


def _lock_row(s: Session, tenant_id: str, account_id: str) -> AccountRow:
    row = s.scalars(
        select(AccountRow)
        .where(AccountRow.tenant_id == tenant_id, AccountRow.id == account_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise AccountNotFound(f"no connected account {account_id!r} for this tenant", account_id=account_id)
    return row


def _apply(s: Session, row: AccountRow, changes: _Changes, codec: Codec, now: datetime) -> AccountRecord:
    """Write ``changes`` to a locked row; the record's ``previous_status`` is the status before."""
    old = AccountStatus(row.status)
    new = old if changes.status is None else AccountStatus(changes.status)
    if changes.credentials is not None:
        # An empty dict erases: no ciphertext is left behind, not even one of nothing.
        sealed = (
            codec.seal_credentials(row.tenant_id, row.id, changes.credentials)
            if changes.credentials
            else None
        )
        row.credentials_enc = sealed
        row.credentials_version += 1
    if changes.granted_scopes is not None:
        row.granted_scopes = list(changes.granted_scopes)
    if changes.metadata is not None:
        row.account_metadata = {**row.account_metadata, **changes.metadata}
    if new != old:
        row.status = new.value
        row.status_reason = changes.status_reason
        s.add(status_event(row, old, new, changes.status_reason, now))
    elif changes.status_reason is not None:
        row.status_reason = changes.status_reason
    row.updated_at = now
    s.flush()
    return codec.account(row, previous_status=old)


def erase_account_rows(s: Session, row: AccountRow) -> None:
    """Delete a (locked) account row, its events and its OAuth states in the caller's transaction."""
    s.execute(
        delete(AccountEventRow).where(
            AccountEventRow.tenant_id == row.tenant_id, AccountEventRow.account_id == row.id
        )
    )
    s.execute(
        delete(OAuthStateRow).where(
            OAuthStateRow.tenant_id == row.tenant_id,
            OAuthStateRow.connection_name == row.connection_name,
            OAuthStateRow.identifier == row.identifier,
        )
    )
    s.delete(row)
    s.flush()


def _by_key(tenant_id: str, connection_name: str, identifier: str) -> Select[AccountRow]:
    return select(AccountRow).where(
        AccountRow.tenant_id == tenant_id,
        AccountRow.connection_name == connection_name,
        AccountRow.identifier == identifier,
    )


class LockedAccount:
    """The account inside ``accounts.locked``: read after the lock was taken, updated in its transaction."""

    def __init__(self, session: Session, row: AccountRow, codec: Codec, now: Clock) -> None:
        self._session: Session | None = session
        self._row = row
        self._codec = codec
        self._now = now
        self._account = codec.account(row)

    @property
    def account(self) -> AccountRecord:
        """The latest state: as read under the lock, then as left by :meth:`update`."""
        return self._account

    def update(
        self,
        *,
        status: AccountStatus | str | None = None,
        credentials: Mapping[str, Any] | None = None,
        granted_scopes: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        status_reason: str | None = None,
    ) -> AccountRecord:
        """Same meaning as ``AccountRepository.update``; committed when the ``with`` block exits cleanly."""
        if self._session is None:
            raise RuntimeError("the lock was released: update the account inside the with block")
        changes = _Changes(status, credentials, granted_scopes, metadata, status_reason)
        self._account = _apply(self._session, self._row, changes, self._codec, self._now())
        return self._account

    def release(self) -> None:
        self._session = None

    def __repr__(self) -> str:
        return f"LockedAccount({self._account!r})"


class AccountRepository:
    """Connected accounts of every tenant, keyed by ``(tenant, connection name, identifier)``."""

    def __init__(self, sessions: SessionFactory, codec: Codec) -> None:
        self._sessions = sessions
        self._codec = codec

    @contextmanager
    def _in_process_lock(self, tenant_id: str, account_id: str) -> Iterator[None]:
        key = (self._sessions.database, tenant_id, account_id)
        with ExitStack() as stack:
            try:
                stack.enter_context(account_locks.hold(key, timeout=self._sessions.lock_timeout))
            except TimeoutError:
                raise lock_wait_error(self._sessions.label, "this account's refresh lock") from None
            yield

    def get_or_create(
        self, tenant_id: str, connection_name: str, identifier: str
    ) -> tuple[AccountRecord, bool]:
        """The account, creating it ``PENDING`` if new; ``True`` only for the one caller that created it."""
        existing = self.get(tenant_id, connection_name, identifier)
        if existing is not None:
            return existing, False
        try:
            with self._sessions.transaction(write=True) as s:
                row = s.scalars(_by_key(tenant_id, connection_name, identifier)).one_or_none()
                if row is not None:
                    return self._codec.account(row), False
                now = self._sessions.now()
                row = AccountRow(
                    id=str(uuid.uuid4()),
                    tenant_id=tenant_id,
                    connection_name=connection_name,
                    identifier=identifier,
                    status=AccountStatus.PENDING.value,
                    credentials_enc=None,
                    credentials_version=0,
                    granted_scopes=[],
                    account_metadata={},
                    status_reason=None,
                    created_at=now,
                    updated_at=now,
                )
                s.add(row)
                s.add(status_event(row, None, AccountStatus.PENDING, "created", now))
                s.flush()
                return self._codec.account(row), True
        except IntegrityError:
            # Another process inserted the same (tenant, connection, identifier) first: theirs is ours.
            again = self.get(tenant_id, connection_name, identifier)
            if again is None:
                raise
            return again, False

    def get(self, tenant_id: str, connection_name: str, identifier: str) -> AccountRecord | None:
        with self._sessions.transaction() as s:
            row = s.scalars(_by_key(tenant_id, connection_name, identifier)).one_or_none()
            return None if row is None else self._codec.account(row)

    def get_by_id(self, tenant_id: str, account_id: str) -> AccountRecord | None:
        with self._sessions.transaction() as s:
            row = s.scalars(
                select(AccountRow).where(AccountRow.tenant_id == tenant_id, AccountRow.id == account_id)
            ).one_or_none()
            return None if row is None else self._codec.account(row)

    def list(self, tenant_id: str, connection_name: str | None = None) -> list[AccountRecord]:
        query = select(AccountRow).where(AccountRow.tenant_id == tenant_id)
        if connection_name is not None:
            query = query.where(AccountRow.connection_name == connection_name)
        query = query.order_by(AccountRow.connection_name, AccountRow.identifier)
        with self._sessions.transaction() as s:
            return [self._codec.account(r) for r in s.scalars(query)]

    def update(
        self,
        tenant_id: str,
        account_id: str,
        *,
        status: AccountStatus | str | None = None,
        credentials: Mapping[str, Any] | None = None,
        granted_scopes: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        status_reason: str | None = None,
    ) -> AccountRecord:
        """Change an account; ``None`` leaves a field alone. ``credentials`` replaces the whole dict (and
        bumps ``credentials_version``), ``metadata`` is merged. A status change records an event and sets
        ``status_reason`` (cleared when not given); the result's ``previous_status`` says what it was.
        """
        if (tenant_id, account_id) in self._sessions.held_accounts():
            raise RuntimeError("this thread holds accounts.locked for the account: use the handle's update()")
        with self._sessions.transaction(write=True) as s:
            row = _lock_row(s, tenant_id, account_id)
            changes = _Changes(status, credentials, granted_scopes, metadata, status_reason)
            return _apply(s, row, changes, self._codec, self._sessions.now())

    def delete(self, tenant_id: str, account_id: str) -> bool:
        """Erase an account with everything stored about it: its credentials, its status history and its
        OAuth states (so a consent link issued before cannot bring it back). ``False`` when there is none.
        """
        if (tenant_id, account_id) in self._sessions.held_accounts():
            raise RuntimeError("this thread holds accounts.locked for the account: delete it after the block")
        with self._sessions.transaction(write=True) as s:
            row = s.scalars(
                select(AccountRow)
                .where(AccountRow.tenant_id == tenant_id, AccountRow.id == account_id)
                .with_for_update()
            ).one_or_none()
            if row is None:
                return False
            erase_account_rows(s, row)
            return True

    @contextmanager
    def locked(self, tenant_id: str, account_id: str) -> Iterator[LockedAccount]:
        """Single-flight section for one account (token refresh) across threads and processes.

        Yields a :class:`LockedAccount` whose ``account`` was read after the lock was taken; its
        ``update()`` commits when the block exits, and an exception rolls it back. On SQLite the lock is
        the database write lock, so keep the block short (one token request, not a whole tool call).
        Waiting for a lock another thread or process holds (Postgres ``lock_timeout``, SQLite's busy
        timeout) ends after the store's lock timeout with a retryable ``StorageUnavailable``.
        """
        key = (tenant_id, account_id)
        held = self._sessions.held_accounts()
        if key in held or (self._sessions.sqlite and held):
            raise RuntimeError(
                "accounts.locked is not re-entrant (and on SQLite only one may be held per thread)"
            )
        with (
            self._in_process_lock(tenant_id, account_id),
            self._sessions.transaction(write=True) as s,
        ):
            row = _lock_row(s, tenant_id, account_id)
            handle = LockedAccount(s, row, self._codec, self._sessions.now)
            held.add(key)
            try:
                yield handle
            finally:
                held.discard(key)
                handle.release()

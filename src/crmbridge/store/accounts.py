"""Account writes shared by ``Store.update_account`` and the ``locked_account`` handle.

Both paths lock the row first (``FOR UPDATE`` on Postgres; SQLite already holds the write lock from
``BEGIN IMMEDIATE``), so the old status they compare against is the committed one and a status change
records exactly one event even when workers race.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmbridge.store.codec import Codec
from crmbridge.store.models import AccountEvent, AccountStatus, ConnectedAccount
from crmbridge.store.records import AccountNotFound, AccountRecord

__all__ = ["AccountChanges", "LockedAccount", "apply_changes", "lock_account_row", "new_event"]


@dataclass(frozen=True)
class AccountChanges:
    """What to change; ``None`` leaves a field alone."""

    status: AccountStatus | str | None = None
    credentials: Mapping[str, Any] | None = None
    granted_scopes: Sequence[str] | None = None
    metadata: Mapping[str, Any] | None = None
    status_reason: str | None = None


def lock_account_row(s: Session, tenant_id: str, account_id: str) -> ConnectedAccount:
    row = s.scalars(
        select(ConnectedAccount)
        .where(ConnectedAccount.tenant_id == tenant_id, ConnectedAccount.id == account_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise AccountNotFound(f"no connected account {account_id!r} for this tenant", account_id=account_id)
    return row


def new_event(
    row: ConnectedAccount, old: AccountStatus | None, new: AccountStatus, reason: str | None, now: datetime
) -> AccountEvent:
    return AccountEvent(
        tenant_id=row.tenant_id,
        account_id=row.id,
        old_status=None if old is None else old.value,
        new_status=new.value,
        reason=reason,
        created_at=now,
    )


def apply_changes(
    s: Session, row: ConnectedAccount, changes: AccountChanges, codec: Codec, now: datetime
) -> AccountRecord:
    """Write ``changes`` to a locked row; the record's ``previous_status`` is the status before."""
    old = AccountStatus(row.status)
    new = old if changes.status is None else AccountStatus(changes.status)
    if changes.credentials is not None:
        row.credentials_enc = codec.seal_credentials(row.tenant_id, row.id, changes.credentials)
        row.credentials_version += 1
    if changes.granted_scopes is not None:
        row.granted_scopes = list(changes.granted_scopes)
    if changes.metadata is not None:
        row.account_metadata = {**row.account_metadata, **changes.metadata}
    if new != old:
        row.status = new.value
        row.status_reason = changes.status_reason
        s.add(new_event(row, old, new, changes.status_reason, now))
    elif changes.status_reason is not None:
        row.status_reason = changes.status_reason
    row.updated_at = now
    s.flush()
    return codec.account(row, previous_status=old)


class LockedAccount:
    """The account inside ``Store.locked_account``: read after the lock was taken, updated in its transaction."""

    def __init__(
        self, session: Session, row: ConnectedAccount, codec: Codec, now: Callable[[], datetime]
    ) -> None:
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
        """Same meaning as ``Store.update_account``; committed when the ``with`` block exits cleanly."""
        if self._session is None:
            raise RuntimeError("the lock was released: update the account inside the with block")
        changes = AccountChanges(status, credentials, granted_scopes, metadata, status_reason)
        self._account = apply_changes(self._session, self._row, changes, self._codec, self._now())
        return self._account

    def release(self) -> None:
        self._session = None

    def __repr__(self) -> str:
        return f"LockedAccount({self._account!r})"

"""Account events: the status history of each account, written in the transaction that changes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .codec import Codec
from .models import AccountEventRow, AccountRow
from .records import AccountEventRecord
from .sessions import SessionFactory
from .status import AccountStatus

__all__ = ["AccountEventRepository", "status_event"]


def status_event(
    row: AccountRow, old: AccountStatus | None, new: AccountStatus, reason: str | None, now: datetime
) -> AccountEventRow:
    """The event row for a status change of ``row``; the caller adds it to the same session."""
    return AccountEventRow(
        tenant_id=row.tenant_id,
        account_id=row.id,
        old_status=None if old is None else old.value,
        new_status=new.value,
        reason=reason,
        created_at=now,
    )


class AccountEventRepository:
    """Reads account events; :class:`~.accounts.AccountRepository` writes them with each status change."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def list(self, tenant_id: str, account_id: str) -> list[AccountEventRecord]:
        """Status history of an account, oldest first."""
        with self._sessions.transaction() as s:
            rows = s.scalars(
                select(AccountEventRow)
                .where(AccountEventRow.tenant_id == tenant_id, AccountEventRow.account_id == account_id)
                .order_by(AccountEventRow.id)
            )
            return [Codec.event(r) for r in rows]

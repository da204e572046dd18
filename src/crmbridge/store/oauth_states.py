"""OAuth states: the random, single-use ``state`` of an authorisation link, until its callback spends it.

This is the one lookup without the tenant: the callback only knows the state, and the state row names the
tenant.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update

from .models import OAuthStateRow
from .records import OAuthStateError
from .sessions import SessionFactory

__all__ = ["OAuthStateRepository"]

_STATE_GRACE = timedelta(hours=1)  # expired states linger this long so a late callback hears "expired"


class OAuthStateRepository:
    """Issues OAuth states (any tenant's) and spends them exactly once."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def create(self, tenant_id: str, connection_name: str, identifier: str, ttl_seconds: float = 600) -> str:
        """A random single-use ``state`` for an authorisation link; long-expired ones are purged here."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        state_id = secrets.token_urlsafe(32)
        now = self._sessions.now()
        with self._sessions.transaction(write=True) as s:
            s.execute(delete(OAuthStateRow).where(OAuthStateRow.expires_at < now - _STATE_GRACE))
            s.add(
                OAuthStateRow(
                    id=state_id,
                    tenant_id=tenant_id,
                    connection_name=connection_name,
                    identifier=identifier,
                    created_at=now,
                    expires_at=now + timedelta(seconds=ttl_seconds),
                    used_at=None,
                )
            )
        return state_id

    def owner(self, state_id: str) -> tuple[str, str, str] | None:
        """``(tenant_id, connection_name, identifier)`` a state was issued for, without spending it: a
        multi-tenant callback reads the tenant here, then completes through that tenant's view (which
        checks the signature and spends the state)."""
        with self._sessions.transaction() as s:
            row = s.get(OAuthStateRow, state_id)
            return None if row is None else (row.tenant_id, row.connection_name, row.identifier)

    def consume(
        self, state_id: str, check: Callable[[str, str, str], None] | None = None
    ) -> tuple[str, str, str]:
        """``(tenant_id, connection_name, identifier)`` of a valid state, which is then spent.

        ``check(tenant_id, connection_name, identifier)`` runs first and may raise (a bad signature, the
        wrong tenant): then nothing is spent, so a forged callback cannot burn a user's real link. The
        conditional UPDATE makes spending atomic: of two concurrent callbacks with one state, one wins.
        Raises :class:`OAuthStateError` when the state is unknown, expired or already used.
        """
        now = self._sessions.now()
        with self._sessions.transaction(write=True) as s:
            row = s.get(OAuthStateRow, state_id)
            if row is None:
                raise OAuthStateError("unknown")
            owner = (row.tenant_id, row.connection_name, row.identifier)
            if check is not None:
                check(*owner)
            spent = cast(
                "CursorResult[Any]",
                s.execute(
                    update(OAuthStateRow)
                    .where(
                        OAuthStateRow.id == state_id,
                        OAuthStateRow.used_at.is_(None),
                        OAuthStateRow.expires_at > now,
                    )
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                ),
            )
            if spent.rowcount == 1:
                return owner
            s.refresh(row)
            raise OAuthStateError("used" if row.used_at is not None else "expired")

"""Connections: a tenant's configured use of a provider, its client secret sealed by the vault."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .accounts import erase_account_rows
from .codec import Codec
from .models import AccountRow, ConnectionRow
from .records import ConnectionInUse, ConnectionRecord
from .sessions import SessionFactory

__all__ = ["ConnectionRepository"]

# Secrets belong in ``client_secret`` / ``credentials`` (encrypted), never in the plaintext config.
_SECRET_CONFIG_KEYS = frozenset({"client_secret", "access_token", "refresh_token", "api_key", "password"})


class ConnectionRepository:
    """Connections of every tenant, unique by ``(tenant, name)``."""

    def __init__(self, sessions: SessionFactory, codec: Codec) -> None:
        self._sessions = sessions
        self._codec = codec

    def save(
        self,
        tenant_id: str,
        name: str,
        provider: str,
        config: Mapping[str, Any],
        client_secret: str | None,
    ) -> ConnectionRecord:
        """Create or replace the tenant's connection ``name`` (``client_secret=None`` stores none)."""
        leaked = _SECRET_CONFIG_KEYS & set(config)
        if leaked:
            raise ValueError(f"secrets do not belong in config (found {sorted(leaked)}): pass client_secret")
        for attempt in (1, 2):
            try:
                with self._sessions.transaction(write=True) as s:
                    row = s.scalars(
                        select(ConnectionRow)
                        .where(ConnectionRow.tenant_id == tenant_id, ConnectionRow.name == name)
                        .with_for_update()
                    ).one_or_none()
                    now = self._sessions.now()
                    if row is None:
                        row = ConnectionRow(
                            id=str(uuid.uuid4()), tenant_id=tenant_id, name=name, created_at=now
                        )
                        s.add(row)
                    row.provider = provider
                    row.config = dict(config)
                    row.updated_at = now
                    row.client_secret_enc = self._codec.seal_client_secret(tenant_id, row.id, client_secret)
                    s.flush()
                    return self._codec.connection(row)
            except IntegrityError:
                if attempt == 2:  # a concurrent first insert can collide once; twice is a real error
                    raise
        raise AssertionError("unreachable")

    def get(self, tenant_id: str, name: str) -> ConnectionRecord | None:
        with self._sessions.transaction() as s:
            row = s.scalars(
                select(ConnectionRow).where(ConnectionRow.tenant_id == tenant_id, ConnectionRow.name == name)
            ).one_or_none()
            return None if row is None else self._codec.connection(row)

    def list(self, tenant_id: str) -> list[ConnectionRecord]:
        with self._sessions.transaction() as s:
            rows = s.scalars(
                select(ConnectionRow).where(ConnectionRow.tenant_id == tenant_id).order_by(ConnectionRow.name)
            )
            return [self._codec.connection(r) for r in rows]

    def delete(self, tenant_id: str, name: str, *, with_accounts: bool = False) -> bool:
        """Remove the tenant's connection ``name``; ``False`` when there is none.

        Its connected accounts make this raise :class:`ConnectionInUse`, unless ``with_accounts``: then
        they are erased in the same transaction, each with its events and OAuth states. Revoking their
        grants at the CRM is the caller's job, before (the store makes no HTTP calls).
        """
        with self._sessions.transaction(write=True) as s:
            row = s.scalars(
                select(ConnectionRow)
                .where(ConnectionRow.tenant_id == tenant_id, ConnectionRow.name == name)
                .with_for_update()
            ).one_or_none()
            if row is None:
                return False
            accounts = s.scalars(
                select(AccountRow)
                .where(AccountRow.tenant_id == tenant_id, AccountRow.connection_name == name)
                .order_by(AccountRow.identifier)
                .with_for_update()
            ).all()
            if accounts and not with_accounts:
                raise ConnectionInUse(name, [a.identifier for a in accounts])
            for account in accounts:
                erase_account_rows(s, account)
            s.delete(row)
            return True

    def tenants(self) -> tuple[str, ...]:
        """Every tenant that has a connection: what a process-wide refresher sweeps."""
        with self._sessions.transaction() as s:
            ids = s.scalars(select(ConnectionRow.tenant_id).distinct().order_by(ConnectionRow.tenant_id))
            return tuple(ids)

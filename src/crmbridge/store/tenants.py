"""Tenants and their API keys: a key is kept as the SHA-256 of its secret, looked up by its public id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .service_rows import ApiKeyRow, IdempotencyRow, TenantRow
from .sessions import SessionFactory

__all__ = ["ApiKeyRecord", "ApiKeyRepository", "TenantExists", "TenantRecord", "TenantRepository"]


class TenantExists(ValueError):
    """A tenant of that name exists already."""


@dataclass(frozen=True)
class TenantRecord:
    id: str
    created_at: datetime


@dataclass(frozen=True)
class ApiKeyRecord:
    """An API key as stored: its public id, what it may do, and (out of ``repr``) its secret's hash."""

    id: str
    tenant_id: str
    name: str | None
    scopes: tuple[str, ...]
    identifier: str | None
    created_at: datetime
    revoked_at: datetime | None
    secret_hash: str = field(repr=False)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _tenant(row: TenantRow) -> TenantRecord:
    return TenantRecord(id=row.id, created_at=row.created_at)


def _key(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        scopes=tuple(row.scopes),
        identifier=row.identifier,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        secret_hash=row.secret_hash,
    )


class TenantRepository:
    """Tenants by name; a tenant's id is the name it was created with."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def create(self, tenant_id: str) -> TenantRecord:
        try:
            with self._sessions.transaction(write=True) as s:
                row = TenantRow(id=tenant_id, created_at=self._sessions.now())
                s.add(row)
                s.flush()
                return _tenant(row)
        except IntegrityError as exc:
            raise TenantExists(tenant_id) from exc

    def get(self, tenant_id: str) -> TenantRecord | None:
        with self._sessions.transaction() as s:
            row = s.get(TenantRow, tenant_id)
            return None if row is None else _tenant(row)

    def list(self) -> list[TenantRecord]:
        with self._sessions.transaction() as s:
            return [_tenant(r) for r in s.scalars(select(TenantRow).order_by(TenantRow.id))]

    def delete(self, tenant_id: str) -> bool:
        """Remove the tenant with its API keys and kept answers (its connections are the caller's)."""
        with self._sessions.transaction(write=True) as s:
            row = s.get(TenantRow, tenant_id)
            if row is None:
                return False
            s.execute(delete(ApiKeyRow).where(ApiKeyRow.tenant_id == tenant_id))
            s.execute(delete(IdempotencyRow).where(IdempotencyRow.tenant_id == tenant_id))
            s.delete(row)
            return True


class ApiKeyRepository:
    """API keys of every tenant, found by public id; revoking keeps the row (so the id stays known)."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def create(
        self,
        key_id: str,
        tenant_id: str,
        *,
        secret_hash: str,
        scopes: Sequence[str],
        name: str | None = None,
        identifier: str | None = None,
    ) -> ApiKeyRecord:
        with self._sessions.transaction(write=True) as s:
            row = ApiKeyRow(
                id=key_id,
                tenant_id=tenant_id,
                name=name,
                secret_hash=secret_hash,
                scopes=list(scopes),
                identifier=identifier,
                created_at=self._sessions.now(),
                revoked_at=None,
            )
            s.add(row)
            s.flush()
            return _key(row)

    def get(self, key_id: str) -> ApiKeyRecord | None:
        with self._sessions.transaction() as s:
            row = s.get(ApiKeyRow, key_id)
            return None if row is None else _key(row)

    def list(self, tenant_id: str | None = None) -> list[ApiKeyRecord]:
        query = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
        if tenant_id is not None:
            query = query.where(ApiKeyRow.tenant_id == tenant_id)
        with self._sessions.transaction() as s:
            return [_key(r) for r in s.scalars(query)]

    def revoke(self, key_id: str, tenant_id: str | None = None) -> ApiKeyRecord | None:
        """Mark the key revoked (idempotent); ``None`` when there is no such key (in that tenant)."""
        with self._sessions.transaction(write=True) as s:
            row = s.get(ApiKeyRow, key_id, with_for_update=True)
            if row is None or (tenant_id is not None and row.tenant_id != tenant_id):
                return None
            if row.revoked_at is None:
                row.revoked_at = self._sessions.now()
            s.flush()
            return _key(row)

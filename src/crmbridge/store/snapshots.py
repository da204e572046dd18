"""Schema snapshots and bindings of connected accounts: what discovery found, version by version, and
the bindings authored against it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from .discovery_rows import BindingRow, SchemaSnapshotRow
from .sessions import SessionFactory

__all__ = ["BindingRecord", "SnapshotRecord", "SnapshotRepository"]


@dataclass(frozen=True)
class SnapshotRecord:
    connection_name: str
    identifier: str
    version: int
    provider: str
    snapshot: dict[str, Any]
    changes: dict[str, Any]
    discovered_at: datetime


@dataclass(frozen=True)
class BindingRecord:
    connection_name: str
    identifier: str
    name: str
    agent_id: str | None
    definition: dict[str, Any]
    snapshot_version: int
    status: str
    problems: list[str]
    updated_at: datetime


def _snapshot(row: SchemaSnapshotRow) -> SnapshotRecord:
    return SnapshotRecord(row.connection_name, row.identifier, row.version, row.provider, row.snapshot,
                          row.changes, row.discovered_at)  # fmt: skip


def _binding(row: BindingRow) -> BindingRecord:
    return BindingRecord(row.connection_name, row.identifier, row.name, row.agent_id, row.definition,
                         row.snapshot_version, row.status, list(row.problems), row.updated_at)  # fmt: skip


class SnapshotRepository:
    """Per tenant and account (connection name + identifier)."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def add(
        self, tenant_id: str, connection_name: str, identifier: str, *, provider: str,
        snapshot: dict[str, Any], changes: dict[str, Any],
    ) -> SnapshotRecord:  # fmt: skip
        """Store the next version (one more than the latest)."""
        with self._sessions.transaction(write=True) as s:
            latest = s.scalar(
                select(func.max(SchemaSnapshotRow.version)).where(
                    SchemaSnapshotRow.tenant_id == tenant_id,
                    SchemaSnapshotRow.connection_name == connection_name,
                    SchemaSnapshotRow.identifier == identifier,
                )
            )
            row = SchemaSnapshotRow(
                tenant_id=tenant_id, connection_name=connection_name, identifier=identifier,
                version=(latest or 0) + 1, provider=provider, snapshot=snapshot, changes=changes,
                discovered_at=self._sessions.now(),
            )  # fmt: skip
            s.add(row)
            s.flush()
            return _snapshot(row)

    def get(
        self, tenant_id: str, connection_name: str, identifier: str, version: int | None = None
    ) -> SnapshotRecord | None:
        """One version, or the latest (``None``)."""
        with self._sessions.transaction() as s:
            query = select(SchemaSnapshotRow).where(
                SchemaSnapshotRow.tenant_id == tenant_id,
                SchemaSnapshotRow.connection_name == connection_name,
                SchemaSnapshotRow.identifier == identifier,
            )
            if version is not None:
                query = query.where(SchemaSnapshotRow.version == version)
            row = s.scalars(query.order_by(SchemaSnapshotRow.version.desc()).limit(1)).first()
            return None if row is None else _snapshot(row)

    def save_binding(
        self, tenant_id: str, connection_name: str, identifier: str, *, name: str, agent_id: str | None,
        definition: dict[str, Any], snapshot_version: int,
    ) -> BindingRecord:  # fmt: skip
        """Insert or replace the account's binding of this name (status back to ``ok``)."""
        now = self._sessions.now()
        with self._sessions.transaction(write=True) as s:
            row = s.scalars(self._binding_query(tenant_id, connection_name, identifier).where(
                BindingRow.name == name)).first()  # fmt: skip
            if row is None:
                row = BindingRow(tenant_id=tenant_id, connection_name=connection_name, identifier=identifier,
                                 name=name, created_at=now)  # fmt: skip
                s.add(row)
            row.agent_id, row.definition, row.snapshot_version = agent_id, definition, snapshot_version
            row.status, row.problems, row.reason, row.updated_at = "ok", [], None, now
            s.flush()
            return _binding(row)

    def bindings(self, tenant_id: str, connection_name: str, identifier: str) -> list[BindingRecord]:
        with self._sessions.transaction() as s:
            query = self._binding_query(tenant_id, connection_name, identifier).order_by(BindingRow.name)
            return [_binding(r) for r in s.scalars(query)]

    def agent_bindings(self, tenant_id: str, agent_id: str) -> list[BindingRecord]:
        """The bindings installed on one agent, over every account of the tenant."""
        with self._sessions.transaction() as s:
            query = select(BindingRow).where(
                BindingRow.tenant_id == tenant_id, BindingRow.agent_id == agent_id
            )
            rows = s.scalars(
                query.order_by(BindingRow.name, BindingRow.connection_name, BindingRow.identifier)
            )
            return [_binding(r) for r in rows]

    def delete_binding(self, tenant_id: str, connection_name: str, identifier: str, name: str) -> bool:
        with self._sessions.transaction(write=True) as s:
            done = s.execute(
                delete(BindingRow).where(
                    BindingRow.tenant_id == tenant_id,
                    BindingRow.connection_name == connection_name,
                    BindingRow.identifier == identifier,
                    BindingRow.name == name,
                )
            )
            return cast(CursorResult[Any], done).rowcount == 1

    def mark_binding(
        self, tenant_id: str, connection_name: str, identifier: str, name: str, *, status: str,
        problems: list[str],
    ) -> None:  # fmt: skip
        with self._sessions.transaction(write=True) as s:
            row = s.scalars(self._binding_query(tenant_id, connection_name, identifier).where(
                BindingRow.name == name)).first()  # fmt: skip
            if row is not None:
                row.status, row.problems, row.updated_at = status, problems, self._sessions.now()

    @staticmethod
    def _binding_query(tenant_id: str, connection_name: str, identifier: str) -> Any:
        return select(BindingRow).where(
            BindingRow.tenant_id == tenant_id,
            BindingRow.connection_name == connection_name,
            BindingRow.identifier == identifier,
        )

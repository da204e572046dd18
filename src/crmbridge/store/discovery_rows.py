"""Tables of discovery and bindings: schema snapshots (versioned per account) and saved bindings.

Imported by ``models`` so one metadata holds every table; migration ``v0005_discovery`` creates them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

__all__ = ["BindingRow", "SchemaSnapshotRow"]


class SchemaSnapshotRow(Base):
    """One discovery of one account; ``version`` counts up per account, ``changes`` is what differed from
    the version before (empty for the first)."""

    __tablename__ = "schema_snapshots"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id", "connection_name", "identifier", "version", name="uq_schema_snapshots_version"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]]
    changes: Mapped[dict[str, Any]]
    discovered_at: Mapped[datetime]


class BindingRow(Base):
    """A validated binding of one account, by name; ``status`` is ``ok`` or ``drifted`` (``problems``
    say why) once a re-discovery removed or changed what it uses."""

    __tablename__ = "bindings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connection_name", "identifier", "name", name="uq_bindings_name"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[str | None] = mapped_column(String(128))
    definition: Mapped[dict[str, Any]]
    snapshot_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    problems: Mapped[list[str]]
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

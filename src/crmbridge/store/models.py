"""ORM tables. Every row carries ``tenant_id``; secret columns hold vault tokens, never plaintext.

Classes end in ``Row`` so they are never mistaken for the records the store hands out
(``ConnectionRecord``) or the public API's types (``crmbridge.Connection``).

The Alembic migrations in ``migrations/versions`` must describe exactly these tables (a test compares
them), so change both together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .status import AccountStatus

__all__ = [
    "AccountEventRow",
    "AccountRow",
    "Base",
    "ConnectionRow",
    "OAuthStateRow",
    "UTCDateTime",
]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores naive text, so the zone is re-attached)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_STATUSES = ", ".join(f"'{s.value}'" for s in AccountStatus)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class ConnectionRow(Base):
    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]]
    client_secret_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AccountRow(Base):
    __tablename__ = "connected_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connection_name", "identifier"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    credentials_enc: Mapped[str | None] = mapped_column(Text)
    credentials_version: Mapped[int] = mapped_column(Integer)
    granted_scopes: Mapped[list[str]]
    # "metadata" is reserved on declarative classes, hence the attribute name.
    account_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON())
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OAuthStateRow(Base):
    __tablename__ = "oauth_states"
    __table_args__ = (Index("ix_oauth_states_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AccountEventRow(Base):
    __tablename__ = "account_events"
    __table_args__ = (Index("ix_account_events_tenant_id_account_id", "tenant_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    account_id: Mapped[str] = mapped_column(String(36))
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


# The other aggregates' tables live in modules of their own; importing them here puts them on
# ``Base.metadata``, which the migrations are compared with. (They import ``Base`` from this module.)
from . import conversation_rows, discovery_rows, service_rows, skill_rows, webhook_rows  # noqa: E402, F401

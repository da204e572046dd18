"""ORM tables of interaction logging: each connection's writeback setting, and the interaction a finished
conversation produced (one per conversation, created in the transaction that ends it). The interaction
row is also the write ledger: ``write_started_at`` is set before the CRM is asked to create the record
and ``crm_record_id`` once it answered, so a retry knows when a re-check is needed. Migration 0006."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

__all__ = ["INTERACTION_STATUSES", "InteractionRow", "WritebackSettingRow"]

#: ``queued`` until written (``logged``), refused for good (``failed``), or not exported at all:
#: ``skipped`` (no contact matched under ``onNoMatch: skip``) and ``disabled`` (logging was off).
INTERACTION_STATUSES = ("queued", "logged", "skipped", "failed", "disabled")
_STATUSES = ", ".join(f"'{s}'" for s in INTERACTION_STATUSES)


class WritebackSettingRow(Base):
    __tablename__ = "writeback_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "connection_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(128))
    mode: Mapped[str] = mapped_column(String(32))
    on_no_match: Mapped[str] = mapped_column(String(16))
    enabled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class InteractionRow(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("conversation_id"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        Index("ix_interactions_tenant_id_connection_name_status", "tenant_id", "connection_name", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[str] = mapped_column(String(36))
    connection_name: Mapped[str | None] = mapped_column(String(128))
    identifier: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(32))
    on_no_match: Mapped[str] = mapped_column(String(16))
    #: The scrubbed end payload (transcript, summary, outcome, times): never a raw transcript.
    content: Mapped[dict[str, Any]]
    reason: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[str | None] = mapped_column(String(64))
    match_rule: Mapped[str | None] = mapped_column(String(32))
    crm_record_id: Mapped[str | None] = mapped_column(String(64))
    write_started_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer)
    ended_at: Mapped[datetime]
    updated_at: Mapped[datetime]

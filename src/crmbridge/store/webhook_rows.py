"""ORM tables of webhooks: each tenant's endpoint (its signing secret sealed by the vault), the
deliveries made to it, and every attempt of each delivery. Described identically by migration 0003."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

__all__ = ["DELIVERY_STATUSES", "WebhookAttemptRow", "WebhookDeliveryRow", "WebhookEndpointRow"]

#: ``pending`` until a 2xx answer (``delivered``) or the retry window closes (``failed``).
DELIVERY_STATUSES = ("pending", "delivered", "failed")
_STATUSES = ", ".join(f"'{s}'" for s in DELIVERY_STATUSES)


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]]
    secret_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        Index("ix_webhook_deliveries_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class WebhookAttemptRow(Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    delivery_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)

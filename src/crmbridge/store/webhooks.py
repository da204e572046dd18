"""Webhooks of every tenant: the endpoint (one per tenant, its signing secret sealed by the vault), its
deliveries and each delivery's attempts. Every method takes the tenant and filters by it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from .codec import Codec
from .sessions import SessionFactory
from .webhook_rows import WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow

__all__ = [
    "AttemptRecord",
    "DeliveryRecord",
    "WebhookEndpointRecord",
    "WebhookRepository",
]

Outcome = Literal["delivered", "retry", "failed"]


@dataclass(frozen=True)
class WebhookEndpointRecord:
    """A tenant's webhook endpoint; ``secret`` is the decrypted signing secret (kept out of ``repr``)."""

    id: str
    tenant_id: str
    url: str
    events: tuple[str, ...]
    secret: str = field(repr=False)
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AttemptRecord:
    """One POST of a delivery: the receiver's status code, or the error that prevented an answer."""

    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class DeliveryRecord:
    id: str
    tenant_id: str
    event: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None
    attempt_log: tuple[AttemptRecord, ...] = ()


def _endpoint(codec: Codec, row: WebhookEndpointRow) -> WebhookEndpointRecord:
    return WebhookEndpointRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        url=row.url,
        events=tuple(row.events),
        secret=codec.open_webhook_secret(row.tenant_id, row.id, row.secret_enc),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _delivery(row: WebhookDeliveryRow, attempts: Sequence[WebhookAttemptRow] = ()) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        event=row.event,
        payload=dict(row.payload),
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        finished_at=row.finished_at,
        attempt_log=tuple(
            AttemptRecord(a.number, a.at, a.status_code, a.error, a.duration_ms) for a in attempts
        ),
    )


class WebhookRepository:
    def __init__(self, sessions: SessionFactory, codec: Codec) -> None:
        self._sessions = sessions
        self._codec = codec

    def now(self) -> datetime:
        return self._sessions.now()

    # -- the endpoint --------------------------------------------------------------------------

    def save_endpoint(
        self, tenant_id: str, url: str, events: Sequence[str], new_secret: Callable[[], str], *, rotate: bool
    ) -> tuple[WebhookEndpointRecord, bool]:
        """Create or replace the tenant's endpoint; a new endpoint (or ``rotate``) gets ``new_secret()``,
        otherwise the secret is kept. Returns the endpoint and whether its secret is new."""
        for attempt in (1, 2):
            try:
                with self._sessions.transaction(write=True) as s:
                    row = s.scalars(
                        select(WebhookEndpointRow)
                        .where(WebhookEndpointRow.tenant_id == tenant_id)
                        .with_for_update()
                    ).one_or_none()
                    now = self._sessions.now()
                    issued = row is None or rotate
                    if row is None:
                        row = WebhookEndpointRow(id=str(uuid.uuid4()), tenant_id=tenant_id, created_at=now)
                        s.add(row)
                    row.url = url
                    row.events = list(events)
                    row.updated_at = now
                    if issued:
                        row.secret_enc = self._codec.seal_webhook_secret(tenant_id, row.id, new_secret())
                    s.flush()
                    return _endpoint(self._codec, row), issued
            except IntegrityError:  # two first saves raced; the second now finds the row
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get_endpoint(self, tenant_id: str) -> WebhookEndpointRecord | None:
        with self._sessions.transaction() as s:
            row = s.scalars(
                select(WebhookEndpointRow).where(WebhookEndpointRow.tenant_id == tenant_id)
            ).one_or_none()
            return None if row is None else _endpoint(self._codec, row)

    def delete_endpoint(self, tenant_id: str) -> bool:
        with self._sessions.transaction(write=True) as s:
            result = s.execute(delete(WebhookEndpointRow).where(WebhookEndpointRow.tenant_id == tenant_id))
            return bool(getattr(result, "rowcount", 0))

    # -- deliveries ----------------------------------------------------------------------------

    def create_delivery(
        self, tenant_id: str, delivery_id: str, event: str, payload: dict[str, Any]
    ) -> tuple[DeliveryRecord, bool]:
        """Insert a pending delivery, or return the one with this id (an idempotent emit)."""
        try:
            with self._sessions.transaction(write=True) as s:
                existing = s.get(WebhookDeliveryRow, delivery_id)
                if existing is not None and existing.tenant_id == tenant_id:
                    return _delivery(existing), False
                if existing is not None:
                    raise ValueError("delivery id already used by another tenant")
                row = WebhookDeliveryRow(
                    id=delivery_id,
                    tenant_id=tenant_id,
                    event=event,
                    payload=payload,
                    status="pending",
                    attempts=0,
                    created_at=self._sessions.now(),
                )
                s.add(row)
                s.flush()
                return _delivery(row), True
        except IntegrityError:  # the same id inserted concurrently
            found = self.get_delivery(tenant_id, delivery_id)
            if found is None:
                raise
            return found, False

    def get_delivery(self, tenant_id: str, delivery_id: str) -> DeliveryRecord | None:
        with self._sessions.transaction() as s:
            row = s.get(WebhookDeliveryRow, delivery_id)
            if row is None or row.tenant_id != tenant_id:
                return None
            attempts = s.scalars(
                select(WebhookAttemptRow)
                .where(WebhookAttemptRow.delivery_id == delivery_id)
                .order_by(WebhookAttemptRow.number, WebhookAttemptRow.id)
            ).all()
            return _delivery(row, attempts)

    def record_attempt(
        self,
        tenant_id: str,
        delivery_id: str,
        *,
        at: datetime,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
        outcome: Outcome,
        next_attempt_at: datetime | None,
    ) -> int:
        """Log one attempt and move the delivery on; returns the attempt's number."""
        with self._sessions.transaction(write=True) as s:
            row = s.get(WebhookDeliveryRow, delivery_id, with_for_update=True)
            if row is None or row.tenant_id != tenant_id:
                raise LookupError(f"no delivery {delivery_id!r}")
            row.attempts += 1
            s.add(
                WebhookAttemptRow(
                    tenant_id=tenant_id,
                    delivery_id=delivery_id,
                    number=row.attempts,
                    at=at,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            row.last_error = (
                error if error is not None else (None if outcome == "delivered" else f"HTTP {status_code}")
            )
            row.status = "pending" if outcome == "retry" else outcome
            row.next_attempt_at = next_attempt_at if outcome == "retry" else None
            row.finished_at = None if outcome == "retry" else at
            return row.attempts

    def finish(self, tenant_id: str, delivery_id: str, status: Outcome, reason: str) -> None:
        """End a delivery without an attempt (its endpoint was removed or unsubscribed)."""
        with self._sessions.transaction(write=True) as s:
            row = s.get(WebhookDeliveryRow, delivery_id, with_for_update=True)
            if row is None or row.tenant_id != tenant_id:
                return
            row.status, row.last_error = status, reason
            row.next_attempt_at, row.finished_at = None, self._sessions.now()

    def list_deliveries(
        self, tenant_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> list[DeliveryRecord]:
        """Newest first, the page after ``before`` (the last ``(created_at, id)`` seen), with attempts."""
        with self._sessions.transaction() as s:
            query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.tenant_id == tenant_id)
            if before is not None:
                created, last_id = before
                query = query.where(
                    or_(
                        WebhookDeliveryRow.created_at < created,
                        and_(WebhookDeliveryRow.created_at == created, WebhookDeliveryRow.id < last_id),
                    )
                )
            rows = s.scalars(
                query.order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id.desc()).limit(
                    limit
                )
            ).all()
            attempts: dict[str, list[WebhookAttemptRow]] = {r.id: [] for r in rows}
            if rows:
                for a in s.scalars(
                    select(WebhookAttemptRow)
                    .where(
                        WebhookAttemptRow.tenant_id == tenant_id, WebhookAttemptRow.delivery_id.in_(attempts)
                    )
                    .order_by(WebhookAttemptRow.number, WebhookAttemptRow.id)
                ):
                    attempts[a.delivery_id].append(a)
            return [_delivery(r, attempts[r.id]) for r in rows]

    def pending(self, limit: int = 1000) -> list[tuple[str, str]]:
        """``(tenant_id, delivery_id)`` of deliveries not finished yet, oldest first (all tenants)."""
        with self._sessions.transaction() as s:
            return [
                (t, i)
                for t, i in s.execute(
                    select(WebhookDeliveryRow.tenant_id, WebhookDeliveryRow.id)
                    .where(WebhookDeliveryRow.status == "pending")
                    .order_by(WebhookDeliveryRow.created_at)
                    .limit(limit)
                )
            ]

    def counts(self, tenant_id: str) -> dict[str, int]:
        with self._sessions.transaction() as s:
            return {
                status: n
                for status, n in s.execute(
                    select(WebhookDeliveryRow.status, func.count())
                    .where(WebhookDeliveryRow.tenant_id == tenant_id)
                    .group_by(WebhookDeliveryRow.status)
                )
            }

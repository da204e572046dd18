"""Answers kept for ``Idempotency-Key`` replays, shared by every worker through the database.

The first request with a key claims it by inserting its row (the unique ``(tenant, key)`` decides races
between workers); it then runs and stores its answer, sealed by the vault. A later request with the same
key and the same fingerprint gets that answer back; with another fingerprint it is a mismatch; while the
first is still running it is told so. A claim whose request failed without an answer is released, so
the client may try again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .codec import Codec, aad_for
from .service_rows import IdempotencyRow
from .sessions import SessionFactory

__all__ = ["IdempotencyRepository", "KeptAnswer"]

_TABLE = "idempotency_keys"


@dataclass(frozen=True)
class KeptAnswer:
    """What a claim found: ``claimed`` (run it), ``replay`` (answer kept), ``mismatch`` or ``running``."""

    outcome: Literal["claimed", "replay", "mismatch", "running"]
    status: int | None = None
    body: str | None = field(default=None, repr=False)


class IdempotencyRepository:
    def __init__(self, sessions: SessionFactory, codec: Codec) -> None:
        self._sessions = sessions
        self._codec = codec

    def claim(self, tenant_id: str, key: str, fingerprint: str, ttl: timedelta) -> KeptAnswer:
        """Claim ``key`` for a request with ``fingerprint``, or say what an earlier request left."""
        now = self._sessions.now()
        for _ in (1, 2):
            try:
                with self._sessions.transaction(write=True) as s:
                    row = s.scalars(
                        select(IdempotencyRow)
                        .where(IdempotencyRow.tenant_id == tenant_id, IdempotencyRow.key == key)
                        .with_for_update()
                    ).one_or_none()
                    if row is not None and row.expires_at <= now:
                        s.delete(row)
                        s.flush()
                        row = None
                    if row is None:
                        s.add(
                            IdempotencyRow(
                                tenant_id=tenant_id,
                                key=key,
                                fingerprint=fingerprint,
                                created_at=now,
                                expires_at=now + ttl,
                            )
                        )
                        s.flush()
                        return KeptAnswer("claimed")
                    if row.fingerprint != fingerprint:
                        return KeptAnswer("mismatch")
                    if row.response_status is None or row.response_enc is None:
                        return KeptAnswer("running")
                    body = self._codec.vault.decrypt(row.response_enc, aad=aad_for(tenant_id, _TABLE, key))
                    return KeptAnswer("replay", row.response_status, body)
            except IntegrityError:
                continue  # another worker inserted the same key between our read and insert: read again
        return KeptAnswer("running")

    def finish(self, tenant_id: str, key: str, status: int, body: str) -> None:
        """Keep the answer of the request that claimed ``key``."""
        sealed = self._codec.vault.encrypt(body, aad=aad_for(tenant_id, _TABLE, key))
        with self._sessions.transaction(write=True) as s:
            row = s.scalars(
                select(IdempotencyRow).where(IdempotencyRow.tenant_id == tenant_id, IdempotencyRow.key == key)
            ).one_or_none()
            if row is not None:
                row.response_status = status
                row.response_enc = sealed

    def release(self, tenant_id: str, key: str) -> None:
        """Forget an unanswered claim (the request failed before it had an answer worth keeping)."""
        with self._sessions.transaction(write=True) as s:
            s.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.tenant_id == tenant_id,
                    IdempotencyRow.key == key,
                    IdempotencyRow.response_status.is_(None),
                )
            )

    def purge_expired(self) -> int:
        with self._sessions.transaction(write=True) as s:
            result = s.execute(
                delete(IdempotencyRow).where(IdempotencyRow.expires_at <= self._sessions.now())
            )
            return int(getattr(result, "rowcount", 0) or 0)

"""Writeback settings and interactions of every tenant; every method takes the tenant and filters by it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .conversation_rows import InteractionRow, WritebackSettingRow
from .sessions import SessionFactory
from .skill_rows import ConversationRow

__all__ = ["InteractionRecord", "InteractionRepository", "WritebackSetting"]


@dataclass(frozen=True)
class WritebackSetting:
    mode: str = "off"
    on_no_match: str = "skip"
    enabled_at: datetime | None = None


@dataclass(frozen=True)
class InteractionRecord:
    id: str
    tenant_id: str
    conversation_id: str
    connection_name: str | None
    identifier: str | None
    status: str
    mode: str
    on_no_match: str
    content: dict[str, Any]
    reason: str | None
    contact_id: str | None
    match_rule: str | None
    crm_record_id: str | None
    write_started_at: datetime | None
    attempts: int
    ended_at: datetime
    updated_at: datetime


def _record(r: InteractionRow) -> InteractionRecord:
    return InteractionRecord(
        r.id, r.tenant_id, r.conversation_id, r.connection_name, r.identifier, r.status, r.mode,
        r.on_no_match, dict(r.content), r.reason, r.contact_id, r.match_rule, r.crm_record_id,
        r.write_started_at, r.attempts, r.ended_at, r.updated_at,
    )  # fmt: skip


class InteractionRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def now(self) -> datetime:
        return self._sessions.now()

    # -- settings ------------------------------------------------------------------------------

    def setting(self, tenant_id: str, connection_name: str) -> WritebackSetting:
        with self._sessions.transaction() as s:
            row = s.scalars(
                select(WritebackSettingRow).where(
                    WritebackSettingRow.tenant_id == tenant_id,
                    WritebackSettingRow.connection_name == connection_name,
                )
            ).one_or_none()
            return (
                WritebackSetting()
                if row is None
                else WritebackSetting(row.mode, row.on_no_match, row.enabled_at)
            )

    def save_setting(
        self, tenant_id: str, connection_name: str, mode: str, on_no_match: str | None
    ) -> WritebackSetting:
        """``enabled_at`` is when logging was last switched on (``None`` while off)."""
        for attempt in (1, 2):
            try:
                with self._sessions.transaction(write=True) as s:
                    row = s.scalars(
                        select(WritebackSettingRow)
                        .where(
                            WritebackSettingRow.tenant_id == tenant_id,
                            WritebackSettingRow.connection_name == connection_name,
                        )
                        .with_for_update()
                    ).one_or_none()
                    now = self._sessions.now()
                    if row is None:
                        row = WritebackSettingRow(
                            id=str(uuid.uuid4()), tenant_id=tenant_id, connection_name=connection_name,
                            mode="off", on_no_match="skip", enabled_at=None,
                        )  # fmt: skip
                        s.add(row)
                    if mode == "off":
                        row.enabled_at = None
                    elif row.mode == "off" or row.enabled_at is None:
                        row.enabled_at = now
                    row.mode = mode
                    if on_no_match is not None:
                        row.on_no_match = on_no_match
                    row.updated_at = now
                    s.flush()
                    return WritebackSetting(row.mode, row.on_no_match, row.enabled_at)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def stats(self, tenant_id: str, connection_name: str) -> dict[str, int]:
        with self._sessions.transaction() as s:
            rows = s.execute(
                select(InteractionRow.status, InteractionRow.reason, func.count())
                .where(
                    InteractionRow.tenant_id == tenant_id, InteractionRow.connection_name == connection_name
                )
                .group_by(InteractionRow.status, InteractionRow.reason)
            ).all()
        out = {"logged": 0, "skippedNoMatch": 0, "failed": 0, "pending": 0}
        for status, _reason, count in rows:
            key = {"logged": "logged", "skipped": "skippedNoMatch", "failed": "failed", "queued": "pending"}
            if status in key:
                out[key[status]] += int(count)
        return out

    # -- interactions --------------------------------------------------------------------------

    def create(self, tenant_id: str, conversation_id: str, **fields: Any) -> tuple[InteractionRecord, bool]:
        """The conversation's interaction, created once: a second end returns the first (``False``)."""
        now = self._sessions.now()
        row = InteractionRow(
            id="ix_" + uuid.uuid4().hex, tenant_id=tenant_id, conversation_id=conversation_id,
            attempts=0, updated_at=now, write_started_at=None, crm_record_id=None, **fields,
        )  # fmt: skip
        try:
            with self._sessions.transaction(write=True) as s:
                s.add(row)
            return _record(row), True
        except IntegrityError:
            found = self.of_conversation(tenant_id, conversation_id)
            if found is None:
                raise
            return found, False

    def of_conversation(self, tenant_id: str, conversation_id: str) -> InteractionRecord | None:
        with self._sessions.transaction() as s:
            row = s.scalars(
                select(InteractionRow).where(
                    InteractionRow.tenant_id == tenant_id, InteractionRow.conversation_id == conversation_id
                )
            ).one_or_none()
            return None if row is None else _record(row)

    def get(self, tenant_id: str, interaction_id: str) -> InteractionRecord | None:
        with self._sessions.transaction() as s:
            row = s.get(InteractionRow, interaction_id)
            return _record(row) if row is not None and row.tenant_id == tenant_id else None

    def update(self, tenant_id: str, interaction_id: str, **fields: Any) -> InteractionRecord | None:
        with self._sessions.transaction(write=True) as s:
            row = s.get(InteractionRow, interaction_id, with_for_update=True)
            if row is None or row.tenant_id != tenant_id:
                return None
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_at = self._sessions.now()
            s.flush()
            return _record(row)

    def failed(
        self, tenant_id: str, connection_name: str, identifier: str | None = None
    ) -> list[tuple[str, str]]:
        """The failed interactions of an integration (of one of its accounts when ``identifier``)."""
        query = select(InteractionRow.tenant_id, InteractionRow.id).where(
            InteractionRow.tenant_id == tenant_id,
            InteractionRow.connection_name == connection_name,
            InteractionRow.status == "failed",
        )
        if identifier is not None:
            query = query.where(InteractionRow.identifier == identifier)
        with self._sessions.transaction() as s:
            return [(t, i) for t, i in s.execute(query).all()]

    def requeue(self, tenant_id: str, interaction_id: str) -> bool:
        """``failed`` → ``queued`` (reason and attempts cleared), only if it is still failed: of two
        concurrent retries exactly one wins, so one workflow writes it."""
        with self._sessions.transaction(write=True) as s:
            row = s.get(InteractionRow, interaction_id, with_for_update=True)
            if row is None or row.tenant_id != tenant_id or row.status != "failed":
                return False
            row.status, row.reason, row.attempts = "queued", None, 0
            row.updated_at = self._sessions.now()
            return True

    def recent(self, tenant_id: str, connection_name: str, limit: int = 20) -> list[InteractionRecord]:
        """The integration's latest interactions, newest first (the dashboard's list)."""
        with self._sessions.transaction() as s:
            rows = s.scalars(
                select(InteractionRow)
                .where(
                    InteractionRow.tenant_id == tenant_id, InteractionRow.connection_name == connection_name
                )
                .order_by(InteractionRow.ended_at.desc(), InteractionRow.id)
                .limit(limit)
            ).all()
            return [_record(r) for r in rows]

    def annotate_conversation(self, tenant_id: str, conversation_id: str, **extra: str) -> None:
        """Add what the start call said beyond the caller (``direction``, ``started_at``) to the
        conversation's caller record, where ending reads it."""
        with self._sessions.transaction(write=True) as s:
            row = s.get(ConversationRow, conversation_id, with_for_update=True)
            if row is not None and row.tenant_id == tenant_id:
                row.caller = {**row.caller, **extra}

    def queued(self) -> list[tuple[str, str]]:
        """``(tenant, interaction id)`` of every interaction still to be written (start-up resume)."""
        with self._sessions.transaction() as s:
            rows = s.execute(
                select(InteractionRow.tenant_id, InteractionRow.id).where(InteractionRow.status == "queued")
            ).all()
            return [(t, i) for t, i in rows]

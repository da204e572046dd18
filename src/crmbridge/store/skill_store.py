"""The agent-platform repository: agents, installed skills, pack installs and targets, conversations,
confirmation tokens and write lanes. Every method takes the tenant and filters by it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, delete, select, text, update
from sqlalchemy.exc import IntegrityError

from .sessions import SessionFactory
from .skill_rows import (
    AgentRow,
    ConfirmationRow,
    ConversationRow,
    PackInstallRow,
    PackTargetRow,
    SkillRow,
    WriteLaneRow,
)

__all__ = [
    "AgentRecord",
    "ConversationRecord",
    "Redemption",
    "SkillRecord",
    "SkillRepository",
]

Redemption = Literal["ok", "unknown", "used", "expired", "mismatch"]


@dataclass(frozen=True, slots=True)
class AgentRecord:
    id: str
    name: str
    auto_install: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SkillRecord:
    id: str
    agent_id: str
    name: str
    connection_name: str
    identifier: str
    provider: str
    template: str
    definition: dict[str, Any]
    fingerprint: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: str
    agent_id: str
    channel: str
    caller: dict[str, Any]
    verified_contact_id: str | None
    verified_method: str | None
    created_at: datetime


def _agent(r: AgentRow) -> AgentRecord:
    return AgentRecord(r.id, r.name, r.auto_install, r.created_at)


def _skill(r: SkillRow) -> SkillRecord:
    return SkillRecord(
        r.id, r.agent_id, r.name, r.connection_name, r.identifier, r.provider, r.template,
        dict(r.definition), r.fingerprint, r.created_at, r.updated_at,
    )  # fmt: skip


def _conversation(r: ConversationRow) -> ConversationRecord:
    return ConversationRecord(
        r.id, r.agent_id, r.channel, dict(r.caller), r.verified_contact_id, r.verified_method, r.created_at
    )


class SkillRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    # -- agents --------------------------------------------------------------------------------

    def create_agent(self, tenant_id: str, name: str, *, auto_install: bool = True) -> AgentRecord:
        row = AgentRow(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            name=name,
            auto_install=auto_install,
            created_at=self._sessions.now(),
        )
        with self._sessions.transaction(write=True) as s:
            s.add(row)
        return _agent(row)

    def agents(self, tenant_id: str) -> list[AgentRecord]:
        with self._sessions.transaction() as s:
            rows = s.scalars(
                select(AgentRow)
                .where(AgentRow.tenant_id == tenant_id)
                .order_by(AgentRow.created_at, AgentRow.id)
            )
            return [_agent(r) for r in rows]

    def agent(self, tenant_id: str, agent_id: str) -> AgentRecord | None:
        with self._sessions.transaction() as s:
            row = s.get(AgentRow, agent_id)
            return _agent(row) if row is not None and row.tenant_id == tenant_id else None

    def set_auto_install(self, tenant_id: str, agent_id: str, auto_install: bool) -> bool:
        with self._sessions.transaction(write=True) as s:
            done = s.execute(
                update(AgentRow)
                .where(AgentRow.tenant_id == tenant_id, AgentRow.id == agent_id)
                .values(auto_install=auto_install)
            )
            return cast(CursorResult[Any], done).rowcount == 1

    def delete_agent(self, tenant_id: str, agent_id: str) -> bool:
        """The agent with its skills, install records and conversations."""
        with self._sessions.transaction(write=True) as s:
            for table in (SkillRow, PackInstallRow, ConversationRow):
                s.execute(delete(table).where(table.tenant_id == tenant_id, table.agent_id == agent_id))
            done = s.execute(delete(AgentRow).where(AgentRow.tenant_id == tenant_id, AgentRow.id == agent_id))
            return cast(CursorResult[Any], done).rowcount == 1

    # -- skills --------------------------------------------------------------------------------

    def skills(self, tenant_id: str, agent_id: str) -> list[SkillRecord]:
        with self._sessions.transaction() as s:
            rows = s.scalars(
                select(SkillRow)
                .where(SkillRow.tenant_id == tenant_id, SkillRow.agent_id == agent_id)
                .order_by(SkillRow.created_at, SkillRow.name)
            )
            return [_skill(r) for r in rows]

    def skill(self, tenant_id: str, agent_id: str, name: str) -> SkillRecord | None:
        with self._sessions.transaction() as s:
            row = s.scalars(
                select(SkillRow).where(
                    SkillRow.tenant_id == tenant_id, SkillRow.agent_id == agent_id, SkillRow.name == name
                )
            ).first()
            return None if row is None else _skill(row)

    def add_skill(
        self,
        tenant_id: str,
        agent_id: str,
        name: str,
        *,
        connection_name: str,
        identifier: str,
        provider: str,
        template: str,
        definition: dict[str, Any],
        fingerprint: str,
    ) -> tuple[SkillRecord, bool]:
        """Insert the skill, or return the one already there: ``(record, created)``. The unique key
        decides a race between threads or workers; the loser reads the winner's row."""
        existing = self.skill(tenant_id, agent_id, name)
        if existing is not None:
            return existing, False
        now = self._sessions.now()
        row = SkillRow(
            id=str(uuid.uuid4()), tenant_id=tenant_id, agent_id=agent_id, name=name,
            connection_name=connection_name, identifier=identifier, provider=provider, template=template,
            definition=definition, fingerprint=fingerprint, created_at=now, updated_at=now,
        )  # fmt: skip
        try:
            with self._sessions.transaction(write=True) as s:
                s.add(row)
        except IntegrityError:
            raced = self.skill(tenant_id, agent_id, name)
            if raced is None:  # the winner's row was deleted in between: nothing to return but an error
                raise
            return raced, False
        return _skill(row), True

    def recompile_skill(
        self, tenant_id: str, skill_id: str, definition: dict[str, Any], fingerprint: str
    ) -> SkillRecord | None:
        """Store a new compilation unless another install stored the same one first."""
        with self._sessions.transaction(write=True) as s:
            row = s.get(SkillRow, skill_id)
            if row is None or row.tenant_id != tenant_id:
                return None
            row.definition, row.fingerprint, row.updated_at = definition, fingerprint, self._sessions.now()
            return _skill(row)

    def delete_skill(self, tenant_id: str, agent_id: str, name: str) -> bool:
        with self._sessions.transaction(write=True) as s:
            done = s.execute(
                delete(SkillRow).where(
                    SkillRow.tenant_id == tenant_id, SkillRow.agent_id == agent_id, SkillRow.name == name
                )
            )
            return cast(CursorResult[Any], done).rowcount == 1

    # -- pack installs and targets -------------------------------------------------------------

    def record_install(
        self,
        tenant_id: str,
        agent_id: str,
        connection_name: str,
        identifier: str,
        trigger: str,
        result: dict[str, Any],
    ) -> None:
        with self._sessions.transaction(write=True) as s:
            s.add(
                PackInstallRow(
                    tenant_id=tenant_id, agent_id=agent_id, connection_name=connection_name,
                    identifier=identifier, trigger=trigger, result=result, created_at=self._sessions.now(),
                )
            )  # fmt: skip

    def installs(self, tenant_id: str, agent_id: str) -> list[dict[str, Any]]:
        with self._sessions.transaction() as s:
            rows = s.scalars(
                select(PackInstallRow)
                .where(PackInstallRow.tenant_id == tenant_id, PackInstallRow.agent_id == agent_id)
                .order_by(PackInstallRow.id)
            )
            return [
                {"connection_name": r.connection_name, "identifier": r.identifier, "trigger": r.trigger,
                 "at": r.created_at.isoformat(), **r.result}
                for r in rows
            ]  # fmt: skip

    def set_targets(
        self, tenant_id: str, connection_name: str, identifier: str, agent_ids: Sequence[str]
    ) -> None:
        """The agents the next connect of this account installs its pack on (replaces any earlier choice)."""
        with self._sessions.transaction(write=True) as s:
            s.execute(
                delete(PackTargetRow).where(
                    PackTargetRow.tenant_id == tenant_id,
                    PackTargetRow.connection_name == connection_name,
                    PackTargetRow.identifier == identifier,
                )
            )
            s.add(
                PackTargetRow(
                    id=str(uuid.uuid4()), tenant_id=tenant_id, connection_name=connection_name,
                    identifier=identifier, agent_ids=list(agent_ids), created_at=self._sessions.now(),
                )
            )  # fmt: skip

    def targets(self, tenant_id: str, connection_name: str, identifier: str) -> list[str] | None:
        with self._sessions.transaction() as s:
            row = s.scalars(
                select(PackTargetRow).where(
                    PackTargetRow.tenant_id == tenant_id,
                    PackTargetRow.connection_name == connection_name,
                    PackTargetRow.identifier == identifier,
                )
            ).first()
            return None if row is None else list(row.agent_ids)

    # -- conversations -------------------------------------------------------------------------

    def create_conversation(
        self, tenant_id: str, agent_id: str, channel: str, caller: dict[str, Any]
    ) -> ConversationRecord:
        row = ConversationRow(
            id=str(uuid.uuid4()), tenant_id=tenant_id, agent_id=agent_id, channel=channel, caller=caller,
            verified_contact_id=None, verified_method=None, verified_at=None, created_at=self._sessions.now(),
        )  # fmt: skip
        with self._sessions.transaction(write=True) as s:
            s.add(row)
        return _conversation(row)

    def conversation(self, tenant_id: str, conversation_id: str) -> ConversationRecord | None:
        with self._sessions.transaction() as s:
            row = s.get(ConversationRow, conversation_id)
            return _conversation(row) if row is not None and row.tenant_id == tenant_id else None

    def verify_conversation(
        self, tenant_id: str, conversation_id: str, contact_id: str, method: str
    ) -> ConversationRecord | None:
        with self._sessions.transaction(write=True) as s:
            row = s.get(ConversationRow, conversation_id)
            if row is None or row.tenant_id != tenant_id:
                return None
            row.verified_contact_id, row.verified_method = contact_id, method
            row.verified_at = self._sessions.now()
            return _conversation(row)

    # -- confirmations -------------------------------------------------------------------------

    def issue_confirmation(
        self,
        tenant_id: str,
        agent_id: str,
        skill: str,
        token_hash: str,
        binding: str,
        summary: str,
        ttl: float,
    ) -> datetime:
        now = self._sessions.now()
        expires = now + timedelta(seconds=ttl)
        with self._sessions.transaction(write=True) as s:
            s.add(
                ConfirmationRow(
                    token_hash=token_hash, tenant_id=tenant_id, agent_id=agent_id, skill=skill, binding=binding,
                    summary=summary, created_at=now, expires_at=expires, used_at=None,
                )
            )  # fmt: skip
        return expires

    def redeem_confirmation(self, tenant_id: str, token_hash: str, binding: str) -> Redemption:
        """Mark the token used if it is live and bound to ``binding``: one conditional UPDATE, so two
        workers redeeming it at once cannot both succeed."""
        now = self._sessions.now()
        with self._sessions.transaction(write=True) as s:
            done = s.execute(
                update(ConfirmationRow)
                .where(
                    ConfirmationRow.token_hash == token_hash,
                    ConfirmationRow.tenant_id == tenant_id,
                    ConfirmationRow.binding == binding,
                    ConfirmationRow.used_at.is_(None),
                    ConfirmationRow.expires_at > now,
                )
                .values(used_at=now)
            )
            if cast(CursorResult[Any], done).rowcount == 1:
                return "ok"
            row = s.get(ConfirmationRow, token_hash)
        if row is None or row.tenant_id != tenant_id:
            return "unknown"
        if row.used_at is not None:
            return "used"
        if row.expires_at <= now:
            return "expired"
        return "mismatch"

    def purge_confirmations(self, tenant_id: str) -> int:
        with self._sessions.transaction(write=True) as s:
            done = s.execute(
                delete(ConfirmationRow).where(
                    ConfirmationRow.tenant_id == tenant_id, ConfirmationRow.expires_at <= self._sessions.now()
                )
            )
            return cast(CursorResult[Any], done).rowcount

    # -- write lanes ---------------------------------------------------------------------------

    @contextmanager
    def hold_lane(self, tenant_id: str, lane: str, timeout: float) -> Iterator[None]:
        """Hold the lane's row lock for the body (Postgres: ``SELECT … FOR UPDATE`` with a lock timeout,
        so workers take turns). SQLite serves one process, whose in-process lock is enough: no-op."""
        if self._sessions.sqlite:
            yield
            return
        try:
            with self._sessions.transaction(write=True) as s:
                s.add(WriteLaneRow(tenant_id=tenant_id, lane=lane))
        except IntegrityError:
            pass  # the lane's row exists already
        with self._sessions.transaction(write=True) as s:
            s.execute(text(f"SET LOCAL lock_timeout = '{max(1, int(timeout * 1000))}ms'"))
            s.execute(
                select(WriteLaneRow)
                .where(WriteLaneRow.tenant_id == tenant_id, WriteLaneRow.lane == lane)
                .with_for_update()
            ).first()
            yield

"""Tables of the agent-platform features: agents, their installed skills, pack installs, conversations,
confirmation tokens and the write lanes. Migration ``v0004_skills`` describes exactly these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

__all__ = [
    "AgentRow",
    "ConfirmationRow",
    "ConversationRow",
    "PackInstallRow",
    "PackTargetRow",
    "SkillRow",
    "WriteLaneRow",
]


class AgentRow(Base):
    __tablename__ = "agents"
    __table_args__ = (Index("ix_agents_tenant_id", "tenant_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    #: ``False``: connecting an integration does not install its pack on this agent.
    auto_install: Mapped[bool] = mapped_column(Boolean())
    created_at: Mapped[datetime]


class SkillRow(Base):
    """A skill compiled for one account and installed on one agent; the unique key makes installs
    idempotent across threads and workers."""

    __tablename__ = "agent_skills"
    __table_args__ = (UniqueConstraint("tenant_id", "agent_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(64))
    template: Mapped[str] = mapped_column(String(128))
    definition: Mapped[dict[str, Any]]
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PackInstallRow(Base):
    """What one pack install did (by hand, on connect, on agent creation): the recorded result."""

    __tablename__ = "pack_installs"
    __table_args__ = (Index("ix_pack_installs_tenant_id_agent_id", "tenant_id", "agent_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[str] = mapped_column(String(36))
    connection_name: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(255))
    trigger: Mapped[str] = mapped_column(String(32))
    result: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class PackTargetRow(Base):
    """The agents a connect named (``agentIds``), read when the account turns ACTIVE, maybe on another
    worker (the OAuth callback)."""

    __tablename__ = "pack_targets"
    __table_args__ = (UniqueConstraint("tenant_id", "connection_name", "identifier"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    connection_name: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(255))
    agent_ids: Mapped[list[str]]
    created_at: Mapped[datetime]


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_tenant_id_agent_id", "tenant_id", "agent_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(16))
    caller: Mapped[dict[str, Any]]
    verified_contact_id: Mapped[str | None] = mapped_column(String(64))
    verified_method: Mapped[str | None] = mapped_column(String(32))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ConfirmationRow(Base):
    """A confirmation token (stored as its SHA-256), bound to one exact write; ``used_at`` makes it
    single use across workers (a conditional UPDATE)."""

    __tablename__ = "skill_confirmations"
    __table_args__ = (Index("ix_skill_confirmations_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[str] = mapped_column(String(36))
    skill: Mapped[str] = mapped_column(String(128))
    binding: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WriteLaneRow(Base):
    """One row per serial lane (a CRM account); Postgres workers hold it ``FOR UPDATE`` while a gated
    write runs."""

    __tablename__ = "write_lanes"

    tenant_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    lane: Mapped[str] = mapped_column(String(400), primary_key=True)

"""Agents, installed skills, pack installs and targets, conversations, confirmations, write lanes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("auto_install", sa.Boolean(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
    )
    op.create_index("ix_agents_tenant_id", "agents", ["tenant_id"])
    op.create_table(
        "agent_skills",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("connection_name", sa.String(128), nullable=False),
        sa.Column("identifier", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("template", sa.String(128), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_agent_skills"),
        sa.UniqueConstraint("tenant_id", "agent_id", "name", name="uq_agent_skills_tenant_id_agent_id_name"),
    )
    op.create_table(
        "pack_installs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("connection_name", sa.String(128), nullable=False),
        sa.Column("identifier", sa.String(255), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_pack_installs"),
    )
    op.create_index("ix_pack_installs_tenant_id_agent_id", "pack_installs", ["tenant_id", "agent_id"])
    op.create_table(
        "pack_targets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("connection_name", sa.String(128), nullable=False),
        sa.Column("identifier", sa.String(255), nullable=False),
        sa.Column("agent_ids", sa.JSON(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_pack_targets"),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_name",
            "identifier",
            name="uq_pack_targets_tenant_id_connection_name_identifier",
        ),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("caller", sa.JSON(), nullable=False),
        sa.Column("verified_contact_id", sa.String(64), nullable=True),
        sa.Column("verified_method", sa.String(32), nullable=True),
        _when("verified_at", nullable=True),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
    )
    op.create_index("ix_conversations_tenant_id_agent_id", "conversations", ["tenant_id", "agent_id"])
    op.create_table(
        "skill_confirmations",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("skill", sa.String(128), nullable=False),
        sa.Column("binding", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_skill_confirmations"),
    )
    op.create_index("ix_skill_confirmations_expires_at", "skill_confirmations", ["expires_at"])
    op.create_table(
        "write_lanes",
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("lane", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "lane", name="pk_write_lanes"),
    )


def downgrade() -> None:
    op.drop_table("write_lanes")
    op.drop_index("ix_skill_confirmations_expires_at", table_name="skill_confirmations")
    op.drop_table("skill_confirmations")
    op.drop_index("ix_conversations_tenant_id_agent_id", table_name="conversations")
    op.drop_table("conversations")
    op.drop_table("pack_targets")
    op.drop_index("ix_pack_installs_tenant_id_agent_id", table_name="pack_installs")
    op.drop_table("pack_installs")
    op.drop_table("agent_skills")
    op.drop_index("ix_agents_tenant_id", table_name="agents")
    op.drop_table("agents")

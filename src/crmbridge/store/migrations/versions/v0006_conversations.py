"""Interaction logging: writeback settings per connection, and one interaction per ended conversation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "'queued', 'logged', 'skipped', 'failed', 'disabled'"


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "writeback_settings",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("connection_name", sa.String(128), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("on_no_match", sa.String(16), nullable=False),
        _when("enabled_at", nullable=True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_writeback_settings"),
        sa.UniqueConstraint(
            "tenant_id", "connection_name", name="uq_writeback_settings_tenant_id_connection_name"
        ),
    )
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("conversation_id", sa.String(36), nullable=False),
        sa.Column("connection_name", sa.String(128), nullable=True),
        sa.Column("identifier", sa.String(255), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("on_no_match", sa.String(16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.String(64), nullable=True),
        sa.Column("match_rule", sa.String(32), nullable=True),
        sa.Column("crm_record_id", sa.String(64), nullable=True),
        _when("write_started_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("ended_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_interactions"),
        sa.UniqueConstraint("conversation_id", name="uq_interactions_conversation_id"),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name="ck_interactions_status"),
    )
    op.create_index(
        "ix_interactions_tenant_id_connection_name_status",
        "interactions",
        ["tenant_id", "connection_name", "status"],
    )


def downgrade() -> None:
    op.drop_index("ix_interactions_tenant_id_connection_name_status", table_name="interactions")
    op.drop_table("interactions")
    op.drop_table("writeback_settings")

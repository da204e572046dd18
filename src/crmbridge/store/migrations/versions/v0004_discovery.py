"""Schema snapshots (versioned per account) and bindings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def _account() -> list[sa.Column[str]]:
    return [
        sa.Column("tenant_id", sa.String(128), nullable=False),
        sa.Column("connection_name", sa.String(128), nullable=False),
        sa.Column("identifier", sa.String(255), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "schema_snapshots",
        _id(),
        *_account(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schema_snapshots"),
        sa.UniqueConstraint(
            "tenant_id", "connection_name", "identifier", "version",
            name="uq_schema_snapshots_version",
        ),
    )  # fmt: skip
    op.create_table(
        "bindings",
        _id(),
        *_account(),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(128), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("snapshot_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bindings"),
        sa.UniqueConstraint(
            "tenant_id", "connection_name", "identifier", "name",
            name="uq_bindings_name",
        ),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("bindings")
    op.drop_table("schema_snapshots")

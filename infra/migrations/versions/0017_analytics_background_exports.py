"""Analytics: background exports with their status, progress and expiry; one queued or
running export per person and kind (decision 44).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 00:40:00.000000
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_OPEN = "status IN ('queued', 'running')"


def upgrade() -> None:
    op.create_table(
        "analytics_exports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("vendor_facts", "platform_facts", name="analytics_export_kind",
                                  native_enum=False, length=40), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("status", sa.Enum("queued", "running", "done", "failed",
                                    name="analytics_export_status", native_enum=False,
                                    length=40), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                  nullable=False),
        sa.Column("started_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                  nullable=True),
        sa.Column("finished_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                  nullable=True),
        sa.Column("expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                  nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_exports")),
    )
    with op.batch_alter_table("analytics_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_exports_requested_by"), ["requested_by"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_analytics_exports_expires_at"), ["expires_at"],
                              unique=False)
        batch_op.create_index("uq_analytics_export_open", ["requested_by", "kind"], unique=True,
                              postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))


def downgrade() -> None:
    with op.batch_alter_table("analytics_exports", schema=None) as batch_op:
        batch_op.drop_index("uq_analytics_export_open", postgresql_where=sa.text(_OPEN),
                            sqlite_where=sa.text(_OPEN))
        batch_op.drop_index(batch_op.f("ix_analytics_exports_expires_at"))
        batch_op.drop_index(batch_op.f("ix_analytics_exports_requested_by"))
    op.drop_table("analytics_exports")

"""Several booths side by side for one vendor: how many an application asks for (at least,
at most) and the other booths of a placed vendor's block (issue 13, decision 63).

Revision ID: 0028
Revises: 0020
Create Date: 2026-12-07 03:45:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0024"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("market_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booths_min", sa.Integer(), nullable=False,
                                      server_default="1"))
        batch_op.add_column(sa.Column("booths_max", sa.Integer(), nullable=False,
                                      server_default="1"))
    op.create_table(
        "assignment_block_booths",
        sa.Column("id", _ID, nullable=False),
        sa.Column("market_day_id", _ID, nullable=False),
        sa.Column("assignment_id", _ID, nullable=False),
        sa.Column("booth_id", _ID, nullable=False),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["market_day_id"], ["market_days.id"],
            name=op.f("fk_assignment_block_booths_market_day_id_market_days"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["booth_assignments.id"],
            name=op.f("fk_assignment_block_booths_assignment_id_booth_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booth_id"], ["booths.id"],
            name=op.f("fk_assignment_block_booths_booth_id_booths"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_block_booths")),
        sa.UniqueConstraint("market_day_id", "booth_id", name="uq_assignment_block_booth"),
    )
    with op.batch_alter_table("assignment_block_booths", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_block_booths_market_day_id"), ["market_day_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_block_booths_assignment_id"), ["assignment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment_block_booths", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_block_booths_assignment_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_block_booths_market_day_id"))
    op.drop_table("assignment_block_booths")
    with op.batch_alter_table("market_applications", schema=None) as batch_op:
        batch_op.drop_column("booths_max")
        batch_op.drop_column("booths_min")

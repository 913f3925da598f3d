"""A regular may hold several booths for a season (issue 13, decision 80): the one-booth-
per-regular constraint goes; one regular per booth and season stays (``uq_regular_booth``),
and a plain index keeps a regular's booths quick to find.

Revision ID: 0033
Revises: 0030
Create Date: 2026-12-07 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("regular_booths", schema=None) as batch_op:
        batch_op.drop_constraint("uq_regular_vendor", type_="unique")
        batch_op.create_index(
            "ix_regular_booths_vendor", ["market_id", "season", "vendor_id"], unique=False
        )


def downgrade() -> None:
    # One booth per regular again: each regular keeps its first grant (lowest id).
    op.execute(sa.text(
        "DELETE FROM regular_booths WHERE id NOT IN ("
        " SELECT MIN(id) FROM regular_booths GROUP BY market_id, season, vendor_id)"
    ))
    with op.batch_alter_table("regular_booths", schema=None) as batch_op:
        batch_op.drop_index("ix_regular_booths_vendor")
        batch_op.create_unique_constraint(
            "uq_regular_vendor", ["market_id", "season", "vendor_id"]
        )

"""Sales facts found by buyer and month: the public body's monthly totals (decision 79).

``shop.analytics.public_body`` sums an institution's facts (``buyer_key = 'i<id>'``) per
month; without an index that read every fact of the period (~400 ms per query at a
million facts), with it and the summed columns included ~20 ms.

Revision ID: 0032
Revises: 0033
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0032"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On PostgreSQL the columns the totals read ride along: an index-only scan.
    op.create_index("ix_sales_fact_buyer_month", "analytics_sales_facts",
                    ["buyer_key", "business_month"],
                    postgresql_include=["channel", "current", "counted_as", "vendor_id",
                                        "order_ref", "net_amount"])


def downgrade() -> None:
    op.drop_index("ix_sales_fact_buyer_month", table_name="analytics_sales_facts")

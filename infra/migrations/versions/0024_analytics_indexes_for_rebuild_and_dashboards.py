"""Analytics: indexes for the month-by-month rebuild and the vendor dashboard (decision 53).

The rebuild and check read the facts a month at a time (``business_month``); the vendor
dashboard reads its daily vendor and product summaries by vendor and day range.

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-07 03:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sales_fact_month", "analytics_sales_facts",
                    ["business_month", "kind", "order_ref"])
    op.create_index("ix_daily_vendor_sales_vendor_day", "analytics_daily_vendor_sales",
                    ["vendor_id", "day"])
    op.create_index("ix_daily_product_sales_vendor_day", "analytics_daily_product_sales",
                    ["vendor_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_daily_product_sales_vendor_day", "analytics_daily_product_sales")
    op.drop_index("ix_daily_vendor_sales_vendor_day", "analytics_daily_vendor_sales")
    op.drop_index("ix_sales_fact_month", "analytics_sales_facts")

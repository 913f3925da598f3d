"""Analytics summaries keyed by their own dimensions, and an additive order count (decision
78): every summary table loses its surrogate ``id`` (and its sequence), its unique key becomes
the primary key (vendor first where a vendor's dashboard reads it, replacing the extra
``(vendor_id, day)`` indexes); sales facts get ``opens_order`` (1 on an order's first line)
and the platform summaries ``orders``, both filled in here from the orders and the facts.

Downgrade gives the summaries their old shape back *empty* (they are sums of the facts):
run ``jangteo analytics rebuild`` after it.

Revision ID: 0031
Revises: 0032
Create Date: 2026-12-07 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0032"
branch_labels = None
depends_on = None

_MEASURES = ("sales_amount", "refund_amount", "net_amount", "quantity", "receipts")
#: table → (old unique constraint, old secondary index or None, new primary key columns)
_SUMMARIES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "analytics_daily_vendor_sales": (
        "uq_daily_vendor_sales", "ix_daily_vendor_sales_vendor_day",
        ("vendor_id", "day", "channel")),
    "analytics_monthly_vendor_sales": (
        "uq_monthly_vendor_sales", None, ("vendor_id", "month", "channel")),
    "analytics_daily_product_sales": (
        "uq_daily_product_sales", "ix_daily_product_sales_vendor_day",
        ("vendor_id", "day", "product_id")),
    "analytics_monthly_product_sales": (
        "uq_monthly_product_sales", None, ("vendor_id", "month", "product_id")),
    "analytics_daily_platform_sales": (
        "uq_daily_platform_sales", None, ("day", "channel", "enterprise_type", "district")),
    "analytics_monthly_platform_sales": (
        "uq_monthly_platform_sales", None, ("month", "channel", "enterprise_type", "district")),
    "analytics_monthly_mutual_trade": (
        "uq_monthly_mutual_trade", None, ("month", "vendor_id", "buyer_vendor_id", "channel")),
    "analytics_daily_vendor_buyers": (
        "uq_daily_vendor_buyers", "ix_daily_vendor_buyers_vendor_day",
        ("vendor_id", "day", "buyer_key")),
    "analytics_first_purchases": ("uq_first_purchase", None, ("vendor_id", "buyer_key")),
}
_PLATFORM = {"analytics_daily_platform_sales": ("day", "business_date"),
             "analytics_monthly_platform_sales": ("month", "business_month")}


def upgrade() -> None:
    with op.batch_alter_table("analytics_sales_facts") as batch:
        batch.add_column(sa.Column("opens_order", sa.SmallInteger(), server_default="0",
                                   nullable=False))
    for table in _PLATFORM:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("orders", sa.BigInteger(), server_default="0",
                                       nullable=False))
    for table, (unique, index, key) in _SUMMARIES.items():
        with op.batch_alter_table(table) as batch:
            if index is not None:
                batch.drop_index(index)
            batch.drop_constraint(unique, type_="unique")
            batch.drop_column("id")
            batch.create_primary_key(f"pk_{table}", list(key))
    # An order's first line (lowest id over all its vendor orders) opens it; a demo line is
    # an order of its own.
    op.execute(
        "UPDATE analytics_sales_facts SET opens_order = 1 WHERE kind = 'sale' AND ("
        "(source = 'order_line' AND CAST(source_id AS BIGINT) IN ("
        " SELECT min(ol.id) FROM order_lines ol"
        " JOIN vendor_orders vo ON vo.id = ol.vendor_order_id GROUP BY vo.order_id))"
        " OR source = 'demo_line')")
    for table, (period, fact_period) in _PLATFORM.items():
        op.execute(
            f"UPDATE {table} SET orders = s.n FROM ("  # noqa: S608 (constant names)
            f"SELECT {fact_period} AS p, channel, enterprise_type, district, count(*) AS n"
            " FROM analytics_sales_facts WHERE opens_order = 1 AND current"
            " GROUP BY 1, 2, 3, 4) AS s"
            f" WHERE {table}.{period} = s.p AND {table}.channel = s.channel"
            f" AND {table}.enterprise_type = s.enterprise_type AND {table}.district = s.district")


def _old_table(table: str, unique: str, index: str | None, key: tuple[str, ...],
               columns: list[sa.Column[object]]) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint(*sorted(key, key=_old_order(table).index), name=unique),
    )
    if index is not None:
        op.create_index(index, table, ["vendor_id", "day"])


def _old_order(table: str) -> list[str]:
    """The old unique key's column order."""
    return {
        "analytics_daily_vendor_sales": ["day", "vendor_id", "channel"],
        "analytics_monthly_vendor_sales": ["month", "vendor_id", "channel"],
        "analytics_daily_product_sales": ["day", "product_id", "vendor_id"],
        "analytics_monthly_product_sales": ["month", "product_id", "vendor_id"],
        "analytics_daily_platform_sales": ["day", "channel", "enterprise_type", "district"],
        "analytics_monthly_platform_sales": ["month", "channel", "enterprise_type", "district"],
        "analytics_monthly_mutual_trade": ["month", "vendor_id", "buyer_vendor_id", "channel"],
        "analytics_daily_vendor_buyers": ["day", "vendor_id", "buyer_key"],
        "analytics_first_purchases": ["vendor_id", "buyer_key"],
    }[table]


def _columns(table: str) -> list[sa.Column[object]]:
    width = {"channel": 20, "enterprise_type": 40, "district": 40, "buyer_key": 64}
    dimensions: list[sa.Column[object]] = [
        sa.Column(name, sa.Date() if name in {"day", "month"} else
                  sa.String(width[name]) if name in width else sa.Integer(), nullable=False)
        for name in _old_order(table)]
    if table == "analytics_first_purchases":
        return [*dimensions, sa.Column("first_day", sa.Date(), nullable=False)]
    measures: list[sa.Column[object]] = [
        sa.Column(m, sa.BigInteger(), nullable=False) for m in _MEASURES]
    return [*dimensions, *measures]


def downgrade() -> None:
    for table, (unique, index, key) in _SUMMARIES.items():
        op.drop_table(table)
        _old_table(table, unique, index, key, _columns(table))
    with op.batch_alter_table("analytics_sales_facts") as batch:
        batch.drop_column("opens_order")

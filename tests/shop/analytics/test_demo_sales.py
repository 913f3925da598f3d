"""The demo year of sales (``jangteo demo``): bulk facts whose summaries are the rebuild's, so
``rebuild --check`` finds nothing, every dashboard has rows, and a second load adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from shop.analytics import demo, rollups
from shop.analytics.dashboard import Period
from shop.analytics.market_report import market_report
from shop.analytics.models import Channel, FactKind, MarketDaySummary, SalesFact
from shop.analytics.platform_report import platform_report
from shop.analytics.vendor_report import vendor_report
from tests.shop.analytics.conftest import AnalyticsWorld, Factory

TODAY = dt.date(2025, 11, 20)
NOW = dt.datetime(2025, 11, 20, 3, tzinfo=dt.UTC)


async def test_a_demo_year_fills_every_dashboard_and_checks_clean(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    held = [demo.DemoMarketDay(900 + n, 7, TODAY - dt.timedelta(days=7 * (n + 1)))
            for n in range(4)]
    async with session_factory() as session:
        said = await demo.load(session, today=TODAY, market_days=held, lines=600)
        assert "판매 사실" in said and "장날 4일" in said
        assert await rollups.check_range(session) == []
        facts = (await session.execute(
            select(SalesFact.business_date, SalesFact.channel, SalesFact.kind))).all()
        assert min(d for d, _, _ in facts) >= TODAY - dt.timedelta(days=365)
        assert max(d for d, _, _ in facts) < TODAY
        assert {c for _, c, _ in facts} == set(Channel)
        refunds = sum(1 for _, _, k in facts if k == "refund")
        assert 0 < refunds < 60  # about 3 % of 600 lines

        year = Period(TODAY - dt.timedelta(days=365), TODAY - dt.timedelta(days=1))
        vendor = await vendor_report(session, world.vendors[0].id, year, now=NOW)
        assert all(table.rows for table in vendor.tables[:3])
        platform = await platform_report(session, year, now=NOW)
        assert all(table.rows for table in platform.tables)
        market = await market_report(session, {7: "데모 장터"}, year, now=NOW)
        assert len(market.days) == 4 and market.days[0].booked >= 3

        assert await demo.load(session, today=TODAY, market_days=held) == (
            "판매 분석 데모 데이터가 이미 있습니다.")
        assert await session.scalar(select(func.count()).select_from(MarketDaySummary)) == 4


def test_facts_in_time_order_are_the_same_facts_ordered_by_their_time() -> None:
    """The benchmark seeds in time order (decision 103): the same lines, refunds and amounts
    and the same number of sales on each day as the shuffled rows (only which line falls on
    which day differs), each row no earlier than the one before, a refund after its sale."""
    vendors = [demo.DemoVendor(i, "social", "마포구") for i in range(1, 6)]
    products = [demo.DemoProduct(100 + i, 1 + i % 5, "food", 3_000 + i * 1_000)
                for i in range(20)]
    first, last = dt.date(2025, 1, 1), dt.date(2025, 3, 31)

    def rows(ordered: bool) -> list[dict[str, Any]]:
        return list(demo.sales_fact_rows(vendors, products, first, last, lines=2_000,
                                         refund_rate=0.2, in_time_order=ordered))

    def lines(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted((r["source"], r["source_id"], r["kind"], r["net_amount"], r["channel"])
                      for r in found)

    def sale_days(found: list[dict[str, Any]]) -> Counter[dt.date]:
        return Counter(r["business_date"] for r in found if r["kind"] is not FactKind.REFUND)

    shuffled, ordered = rows(False), rows(True)
    times = [row["occurred_at"] for row in ordered]
    assert times == sorted(times) and times != [row["occurred_at"] for row in shuffled]
    assert {row["kind"] for row in ordered} >= {FactKind.SALE, FactKind.REFUND}
    assert lines(ordered) == lines(shuffled)
    assert sale_days(ordered) == sale_days(shuffled)
    sold = {}
    for row in ordered:
        # (A sale on the last day is refunded that day, at any hour: not checked.)
        if row["kind"] is FactKind.REFUND and row["business_date"] < last:
            assert sold[row["source_id"]] < row["occurred_at"]
        else:
            sold[row["source_id"]] = row["occurred_at"]

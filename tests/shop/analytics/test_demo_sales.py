"""The demo year of sales (``jangteo demo``): bulk facts whose summaries are the rebuild's, so
``rebuild --check`` finds nothing, every dashboard has rows, and a second load adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from shop.analytics import demo, rollups
from shop.analytics.dashboard import Period
from shop.analytics.market_report import market_report
from shop.analytics.models import Channel, MarketDaySummary, SalesFact
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

"""``rebuild --facts`` also reads again the sales of other domains: booth sales reports
(``markets.days.fact_source``) and paid institutional orders (``shop.procurement.fact_source``),
registered by ``infra.bootstrap``. Their events arriving late afterwards add nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from infra.bootstrap import registry
from markets.days import sales
from shop.analytics import facts, rollups
from shop.analytics.models import MarketDaySummary
from shop.analytics.regenerate import regenerate_facts
from shop.procurement import invoicing
from tests.markets.market_world import add_days, add_market, booked, detached, vendor_with_owner
from tests.shop.analytics.conftest import Factory, Relay, daily_net
from tests.shop.procurement.test_payment_enters_the_ledger import _invoiced
from tests.shop.procurement.world import make_world


def test_bootstrap_registers_the_booth_and_procurement_sources() -> None:
    assert registry().fact_sources == (
        "orders", "refunds", "booth_reports", "procurement_payments")


async def test_booth_reports_and_paid_purchase_orders_are_written_again(
    session_factory: Factory, relay: Relay
) -> None:
    async with session_factory() as session:
        market = await add_market(session, "동진시장")
        [day, *_] = await add_days(session, market, dt.date(2025, 5, 1), dt.date(2025, 5, 31))
        vendor, owner = await vendor_with_owner(session)
        await booked(session, market, vendor, 2025)
        await session.commit()
        day_id, market_day, vendor_id, opens = day.id, day.day, vendor.id, day.opens_at
        detached(session, owner)
    async with session_factory() as session:  # revision 1, then its correction
        await sales.report_booth_sales(session, day_id, vendor_id, owner, amount=184_000,
                                       sales_count=23, now=opens + dt.timedelta(hours=1))
    async with session_factory() as session:
        await sales.report_booth_sales(session, day_id, vendor_id, owner, amount=190_000,
                                       sales_count=24, now=opens + dt.timedelta(days=1))
    async with session_factory() as session:
        world = await make_world(session)
        order_id, _number = await _invoiced(session, world)
        await invoicing.record_payment(session, world.accountant, order_id, amount=3_630_000,
                                       bank_reference="KB-1", paid_on=dt.date(2025, 3, 20))
        institutional_vendor = world.vendor.id

    async with session_factory() as session:  # no event reached analytics
        assert await regenerate_facts(session) == 2
    async with session_factory() as session:
        assert await daily_net(session, vendor_id, "booth_market") == {market_day: 190_000}
        assert await daily_net(session, institutional_vendor, "institutional") == {
            dt.date(2025, 3, 20): 3_630_000}
        summary = await session.scalar(select(MarketDaySummary))
        assert summary is not None
        assert (summary.market_day_id, summary.reported_sales, summary.receipts) == (
            day_id, 190_000, 24)
        written = {rollup.name: await rollups.stored(session, rollup)
                   for rollup in rollups.ROLLUPS}
        assert await regenerate_facts(session) == 0

    # The events come after all: revision 1 is kept as an older revision, nothing counts twice.
    assert await relay.deliver() == 1
    async with session_factory() as session:
        assert {rollup.name: await rollups.stored(session, rollup)
                for rollup in rollups.ROLLUPS} == written
        assert await rollups.check_range(session) == []
        booth = await facts.facts_of(session, "booth_report")
        assert sorted((f.revision, f.current) for f in booth) == [(1, False), (2, True)]

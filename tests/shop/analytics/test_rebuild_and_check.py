"""The summaries can always be regenerated from the facts: ``rebuild`` refills them month by
month and gives the rows the worker wrote, ``rebuild --check`` finds any row that differs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.settings import Settings
from shop.analytics import buyers, facts, health, market_days, rollups
from shop.analytics.models import (
    Channel,
    DailyVendorSales,
    FactKind,
    FirstPurchase,
    MarketDaySummary,
    MonthlyPlatformSales,
    MonthlyVendorSales,
)
from shop.orders.models import OrderRefund
from tests.fixtures.apps import scrape
from tests.fixtures.outbox import seoul
from tests.infra.test_cli import jangteo
from tests.shop.analytics.conftest import (
    AnalyticsWorld,
    Factory,
    Relay,
    consume_all,
    daily_net,
    envelope,
)
from tests.shop.analytics.test_booth_and_institutional_facts import paid_order, report
from tests.shop.analytics.test_market_days import the_day
from tests.shop.settlement.world import Line, cancel, place_order, refund


async def _everything(world: AnalyticsWorld, factory: Factory, relay: Relay) -> None:
    """Every acceptance case at once: sales, a refund, a cancellation, the Seoul midnight,
    redelivery, booth revisions out of order, an institutional order."""
    first, second = world.vendors[0], world.vendors[1]
    async with factory() as session:
        order = await place_order(
            session,
            [Line(first, world.variants[0], "food", 10_000, 1),
             Line(first, world.second, "food", 20_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 1), 14))
        vendor_order = order.vendor_orders[0]
        await refund(session, vendor_order, at=seoul(dt.date(2025, 5, 2)),
                     lines=[(vendor_order.lines[0], 1)])
        later = await place_order(session, [Line(second, world.variants[1], "food", 15_000, 1)],
                                  placed_at=seoul(dt.date(2025, 5, 3)))
        await cancel(session, later.vendor_orders[0], at=seoul(dt.date(2025, 5, 4)))
        for at in (dt.datetime(2025, 3, 31, 15, tzinfo=dt.UTC),
                   dt.datetime(2025, 3, 31, 14, 59, 59, tzinfo=dt.UTC)):
            await place_order(session, [Line(first, world.variants[0], "food", 10_000, 1)],
                              placed_at=at)
        await session.commit()
    await relay.deliver(times=3)
    booth_at = seoul(dt.date(2025, 5, 11), 18)
    await consume_all(factory, [
        report(first.id, 2, 150_000, 10, at=booth_at), report(first.id, 1, 120_000, 8, at=booth_at),
        envelope("procurement.order_paid", paid_order(world.vendors[2].id), booth_at),
        *the_day(),  # a market day: attendance and booth reports (test_market_days)
    ])


async def _snapshot(session: AsyncSession) -> dict[str, Any]:
    return {**{rollup.name: await rollups.stored(session, rollup) for rollup in rollups.ROLLUPS},
            "analytics_market_days": await market_days.stored(session),
            "analytics_first_purchases": await buyers.stored(session)}


async def test_rebuild_gives_back_what_the_worker_wrote_and_check_finds_any_difference(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay
) -> None:
    await _everything(world, session_factory, relay)
    async with session_factory() as session:
        assert await rollups.check_range(session) == []
        written = await _snapshot(session)
        # Every summary has rows but mutual trade (no buyer is an enterprise here; see
        # test_buyers_and_dashboards).
        assert all(rows for name, rows in written.items()
                   if name != "analytics_monthly_mutual_trade")
    async with session_factory() as session:
        months = await rollups.rebuild(session)
    assert [month for month, _rows in months] == [
        dt.date(2025, 3, 1), dt.date(2025, 4, 1), dt.date(2025, 5, 1)]
    async with session_factory() as session:
        assert await _snapshot(session) == written
        assert await rollups.check_range(session) == []
        # One session or three (PostgreSQL; SQLite always one): the same rows.
        await rollups.rebuild(session, sessions=1)
    async with session_factory() as session:
        assert await _snapshot(session) == written  # twice gives the same
        await rollups.rebuild(session, sessions=3)
    async with session_factory() as session:
        assert await _snapshot(session) == written
        with pytest.raises(ValueError, match="sessions"):
            await rollups.rebuild(session, sessions=0)

        # A summary row drifts in April and in May; a row no fact explains appears in June.
        await session.execute(
            update(DailyVendorSales).values(net_amount=DailyVendorSales.net_amount + 1))
        session.add(MonthlyPlatformSales(month=dt.date(2025, 6, 1), channel="online",
                                         enterprise_type="village", district="마포구",
                                         sales_amount=5, refund_amount=0, net_amount=5,
                                         quantity=1, receipts=0))
        await session.commit()
        differences = await rollups.check_range(session)
        assert {d.table for d in differences} == {
            "analytics_daily_vendor_sales", "analytics_monthly_platform_sales"}
        assert {d.key[0] for d in differences} >= {dt.date(2025, 4, 1), dt.date(2025, 6, 1)}
    async with session_factory() as session:
        await rollups.rebuild(session, dt.date(2025, 5, 20), dt.date(2025, 6, 3))  # May, June
    async with session_factory() as session:
        assert await rollups.check_range(session, dt.date(2025, 5, 1), dt.date(2025, 6, 30)) == []
        left = await rollups.check_range(session)
        assert left and {d.key[0].month for d in left} == {3, 4}
        await rollups.rebuild(session)
    async with session_factory() as session:
        assert await rollups.check_range(session) == []
        assert await _snapshot(session) == written


@pytest.mark.slow
async def test_the_commands_rebuild_and_check(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay, settings: Settings
) -> None:
    await _everything(world, session_factory, relay)
    done = jangteo(settings, "analytics", "rebuild")
    assert done.returncode == 0, done.stderr
    assert "2025-05: 요약" in done.stdout and "3개월을 다시 채웠습니다" in done.stdout
    checked = jangteo(settings, "analytics", "rebuild", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "일치합니다" in checked.stdout

    async with session_factory() as session:
        day = await session.scalar(select(DailyVendorSales).limit(1))
        assert day is not None
        day.net_amount += 1
        await session.commit()
    checked = jangteo(settings, "analytics", "rebuild", "--check")
    assert checked.returncode == 1
    assert "analytics_daily_vendor_sales" in checked.stdout
    assert jangteo(settings, "analytics", "rebuild", "--sessions", "0").returncode == 2
    again = jangteo(settings, "analytics", "rebuild", "--from", "2025-03-01", "--to", "2025-05-31",
                    "--sessions", "1")
    assert again.returncode == 0, again.stderr
    assert jangteo(settings, "analytics", "rebuild", "--check").returncode == 0

    # The new summaries are checked and refilled too.
    async with session_factory() as session:
        await session.execute(update(MarketDaySummary).values(present=MarketDaySummary.present + 1))
        await session.execute(update(FirstPurchase).values(first_day=dt.date(2024, 1, 1)))
        await session.commit()
    checked = jangteo(settings, "analytics", "rebuild", "--check")
    assert checked.returncode == 1
    assert "analytics_market_days" in checked.stdout
    assert "analytics_first_purchases" in checked.stdout
    assert jangteo(settings, "analytics", "rebuild").returncode == 0
    assert jangteo(settings, "analytics", "rebuild", "--check").returncode == 0


async def test_the_nightly_check_is_recorded_and_shown_in_metrics(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay, client: Any
) -> None:
    await _everything(world, session_factory, relay)
    async with session_factory() as session:
        clean = await health.run_check(session, now=dt.datetime(2025, 6, 1, 19, 45, tzinfo=dt.UTC))
    assert clean.differences == 0
    scraped = await scrape(client)
    assert "jangteo_analytics_check_differences 0.0" in scraped
    assert "jangteo_analytics_check_last_run_timestamp_seconds 1.7488" in scraped
    async with session_factory() as session:
        await session.execute(update(MarketDaySummary).values(booked=MarketDaySummary.booked + 1))
        await session.commit()
        drifted = await health.run_check(session, now=dt.datetime(2025, 6, 2, 19, 45,
                                                                  tzinfo=dt.UTC))
    assert drifted.differences == 1 and "analytics_market_days" in drifted.detail
    assert "jangteo_analytics_check_differences 1.0" in await scrape(client)


def test_the_nightly_check_is_a_scheduled_job_and_metrics_read_it() -> None:
    from infra.bootstrap import METRIC_PROBES
    from workers import periodic

    assert periodic.check_analytics in periodic.JOBS
    assert health.export_metrics in METRIC_PROBES


async def test_rebuild_facts_writes_the_facts_of_orders_whose_events_never_came(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay, settings: Settings
) -> None:
    """Orders paid and refunds processed whose events were lost: ``rebuild --facts`` writes
    their facts from the order tables (05-01 net 30,000, 05-02 −10,000; the cancelled order
    +15,000 on 05-03 and −15,000 on 05-04); the events arriving afterwards add nothing."""
    from shop.analytics.regenerate import regenerate_facts

    first, second = world.vendors[0], world.vendors[1]
    async with session_factory() as session:
        order = await place_order(
            session, [Line(first, world.variants[0], "food", 10_000, 1),
                      Line(first, world.second, "food", 20_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 1), 14))
        vendor_order = order.vendor_orders[0]
        row = await refund(session, vendor_order, at=seoul(dt.date(2025, 5, 2)),
                           lines=[(vendor_order.lines[0], 1)])
        assert row is not None
        row.created_at = seoul(dt.date(2025, 5, 2))  # the refund was processed then
        later = await place_order(session, [Line(second, world.variants[1], "food", 15_000, 1)],
                                  placed_at=seoul(dt.date(2025, 5, 3)))
        await cancel(session, later.vendor_orders[0], at=seoul(dt.date(2025, 5, 4)))
        for made in (await session.scalars(select(OrderRefund).where(
                OrderRefund.vendor_order_id == later.vendor_orders[0].id))).all():
            made.created_at = seoul(dt.date(2025, 5, 4))
        await session.commit()
    async with session_factory() as session:
        assert await regenerate_facts(session, dt.date(2025, 5, 1), dt.date(2025, 5, 31)) == 5
        assert await daily_net(session, first.id) == {
            dt.date(2025, 5, 1): 30_000, dt.date(2025, 5, 2): -10_000}
        assert await daily_net(session, second.id) == {
            dt.date(2025, 5, 3): 15_000, dt.date(2025, 5, 4): -15_000}
        kinds = {f.kind for f in await facts.facts_of(session, "refund_line")}
        assert kinds == {FactKind.REFUND, FactKind.CANCELLATION}
    assert await relay.deliver(times=2) == 0  # the late events: every fact is there
    done = jangteo(settings, "analytics", "rebuild", "--facts")
    assert done.returncode == 0, done.stderr
    assert "판매 사실 0건을 다시 썼습니다" in done.stdout
    assert jangteo(settings, "analytics", "rebuild", "--check").returncode == 0


async def test_a_month_with_an_amount_beyond_32_bits_rebuilds_exactly(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    """A month's facts are copied with 32-bit measures when they fit (decision 98); a
    3,000,000,000-won institutional line does not, and its month is copied again with 64-bit
    amounts: the rebuild gives back what the worker wrote, to the won."""
    vendor = world.vendors[0]
    at = seoul(dt.date(2025, 7, 2), 11)
    async with session_factory() as session:
        for n, amount in enumerate((3_000_000_000, 10_000)):
            assert await facts.write(session, facts._fact(
                source="institutional_line", source_id=f"wide-{n}", kind=FactKind.INSTITUTIONAL,
                channel=Channel.INSTITUTIONAL, event_id=f"wide-{n}", occurred_at=at,
                vendor=(vendor.id, vendor.enterprise_type.value, vendor.district.value),
                net_amount=amount, product_id=world.variants[0].product_id, quantity=1,
                order_ref=f"wide-{n}", buyer_key="i1"))
        await session.commit()
        written = await _snapshot(session)
    async with session_factory() as session:
        await rollups.rebuild(session)
    async with session_factory() as session:
        assert await rollups.check_range(session) == []
        assert await _snapshot(session) == written
        row = await session.scalar(select(MonthlyVendorSales.net_amount).where(
            MonthlyVendorSales.vendor_id == vendor.id))
        assert row == 3_000_010_000

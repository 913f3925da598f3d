"""Closing settlement weeks: a statement per vendor whose opening balance is the previous
closing balance and whose lines add up to the movement; weeks close once and in order;
late entries land on the next statement; the periodic job and the CLI close the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from infra.settings import Settings
from shop.settlement import ledger, services, statements
from shop.settlement.models import SettlementStatement, SettlementWeek, TransactionKind
from tests.fixtures.outbox import seoul
from tests.shop.settlement.conftest import WEEK1, World
from tests.shop.settlement.world import Line, Relay, place_order, refund

Factory = async_sessionmaker[AsyncSession]
WEEK2 = WEEK1 + dt.timedelta(days=7)
WEEK3 = WEEK2 + dt.timedelta(days=7)
LATER = seoul(WEEK3 + dt.timedelta(days=14))


async def _two_weeks_of_trade(world: World, factory: Factory) -> None:
    """Week 1: a food order (10,000 × 2 + 3,000 delivery) for vendor 0 and a household order
    for vendor 1 placed on Sunday 23:30 in Seoul. Week 2: vendor 0 refunds one unit."""
    async with factory() as session:
        cookie = await place_order(
            session, [Line(world.vendors[0], world.variants[0], "food", 10_000, 2)],
            placed_at=seoul(WEEK1, 10), delivery_fees={world.vendors[0].id: 3_000})
        await place_order(
            session, [Line(world.vendors[1], world.variants[1], "household", 5_000, 1)],
            placed_at=seoul(WEEK1 + dt.timedelta(days=6), 23, 30))
        (vendor_order,) = cookie.vendor_orders
        await refund(session, vendor_order, at=seoul(WEEK2, 9), lines=[(vendor_order.lines[0], 1)])
        await session.commit()
    await Relay(factory).deliver()


async def _statement(session: AsyncSession, week: dt.date, vendor_id: int) -> SettlementStatement:
    row = await session.scalar(select(SettlementStatement).where(
        SettlementStatement.week_start == week, SettlementStatement.vendor_id == vendor_id))
    assert row is not None, (week, vendor_id)
    return row


async def test_closing_a_week_closes_earlier_ones_first_and_carries_balances(
    world: World, session_factory: Factory
) -> None:
    await _two_weeks_of_trade(world, session_factory)
    async with session_factory() as session:
        closed = await services.close_week(session, WEEK2 + dt.timedelta(days=3), now=LATER,
                                           closed_by="test")
    assert [(c.week.week_start, c.created, len(c.statements)) for c in closed] == [
        (WEEK1, True, 2), (WEEK2, True, 2)]
    cookie_vendor, tea_vendor = world.vendors[0].id, world.vendors[1].id
    async with session_factory() as session:
        first = await _statement(session, WEEK1, cookie_vendor)
        # 23,000 sold, 5% of 20,000 = 1,000 commission.
        assert (first.opening_balance, first.sales, first.commission, first.closing_balance) == (
            0, 23_000, 1_000, 22_000)
        second = await _statement(session, WEEK2, cookie_vendor)
        assert (second.opening_balance, second.refunds, second.commission_refunded,
                second.closing_balance) == (22_000, 10_000, 500, 12_500)
        lines = await statements.lines_of(session, second.id)
        assert [(ln.kind, ln.amount) for ln in lines] == [(TransactionKind.REFUND, -9_500)]
        # Sunday 23:30 in Seoul belongs to week 1.
        tea1 = await _statement(session, WEEK1, tea_vendor)
        assert (tea1.sales, tea1.commission, tea1.closing_balance) == (5_000, 400, 4_600)
        # No trade in week 2: the balance is carried on a statement without lines.
        tea2 = await _statement(session, WEEK2, tea_vendor)
        assert (tea2.opening_balance, tea2.closing_balance) == (4_600, 4_600)
        assert await statements.lines_of(session, tea2.id) == []
        assert await ledger.vendor_balance(session, cookie_vendor) == second.closing_balance

    async with session_factory() as session:
        again = await services.close_week(session, WEEK2, now=LATER)
    assert [(c.week.week_start, c.created, len(c.statements)) for c in again] == [
        (WEEK2, False, 2)]
    async with session_factory() as session:
        with pytest.raises(Conflict) as refused:
            await services.close_week(session, WEEK1 - dt.timedelta(days=7), now=LATER)
        assert refused.value.code == "later_week_closed"


async def test_a_week_still_running_cannot_be_closed(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        with pytest.raises(Conflict) as refused:
            await services.close_week(session, WEEK1, now=seoul(WEEK1 + dt.timedelta(days=6), 23))
    assert refused.value.code == "week_not_ended" and refused.value.field == "week"
    async with session_factory() as session:
        assert await session.scalar(select(SettlementWeek.id)) is None


async def test_an_entry_arriving_after_its_week_closed_lands_on_the_next_statement(
    world: World, session_factory: Factory
) -> None:
    relay = Relay(session_factory)
    async with session_factory() as session:
        await place_order(session, [Line(world.vendors[0], world.variants[0], "food", 10_000, 1)],
                          placed_at=seoul(WEEK1, 9))
        await session.commit()
    await relay.deliver()
    async with session_factory() as session:
        await services.close_week(session, WEEK1, now=LATER)
    # An order of week 1 whose event reached the ledger only after the close.
    async with session_factory() as session:
        await place_order(session, [Line(world.vendors[0], world.variants[0], "food", 4_000, 1)],
                          placed_at=seoul(WEEK1, 22))
        await session.commit()
    await relay.deliver()
    async with session_factory() as session:
        await services.close_week(session, WEEK2, now=LATER)
        first = await _statement(session, WEEK1, world.vendors[0].id)
        second = await _statement(session, WEEK2, world.vendors[0].id)
        late = await statements.lines_of(session, second.id)
    assert first.closing_balance == 9_500  # not rewritten
    assert [(ln.sales, ln.occurred_at.date()) for ln in late] == [(4_000, WEEK1)]
    assert second.closing_balance == 9_500 + 3_800


async def test_the_periodic_close_waits_an_hour_after_sunday_midnight(
    world: World, session_factory: Factory
) -> None:
    await _two_weeks_of_trade(world, session_factory)
    monday = WEEK2  # Monday 00:30 Seoul: week 1 ended half an hour ago
    async with session_factory() as session:
        early = await services.close_due_weeks(session, now=seoul(monday, 0, 30))
    # Only the week before (no trade, nothing to state) could close then.
    assert [(c.week.week_start, c.statements) for c in early] == [
        (WEEK1 - dt.timedelta(days=7), [])]
    async with session_factory() as session:
        closed = await services.close_due_weeks(session, now=seoul(monday, 1, 20))
    assert [(c.week.week_start, len(c.statements)) for c in closed] == [(WEEK1, 2)]
    async with session_factory() as session:
        assert await services.close_due_weeks(session, now=seoul(monday, 2, 20)) == []


@pytest.mark.slow
async def test_cli_close_week_closes_the_week_of_the_given_day(
    world: World, session_factory: Factory, settings: Settings
) -> None:
    from tests.infra.test_cli import jangteo

    await _two_weeks_of_trade(world, session_factory)
    done = jangteo(settings, "settlement", "close-week", "--week", "2025-03-05")
    assert done.returncode == 0, done.stderr
    assert "2025.03.03(월) ~ 03.09(일): 마감했습니다 (정산서 2건)" in done.stdout
    again = jangteo(settings, "settlement", "close-week", "--week", "2025-03-05")
    assert "이미 마감되어 있습니다" in again.stdout
    bad = jangteo(settings, "settlement", "close-week", "--week", "2025-13-01")
    assert bad.returncode != 0 and "--week" in bad.stderr
    async with session_factory() as session:
        weeks = (await session.scalars(select(SettlementWeek.week_start))).all()
    assert list(weeks) == [WEEK1]

"""Loans not back in time become overdue with one strike on the vendor; missing equipment is
a strike too; the sweeper can run any number of times without adding more."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from infra.outbox import OutboxEvent
from markets.days.models import MarketDay, MarketDayStatus
from markets.lending import booking, desk, queries, sweeper
from markets.lending.models import (
    EquipmentUnit,
    LendingStrike,
    LoanStatus,
    MaintenanceKind,
    StrikeReason,
    UnitReservation,
)
from markets.lending.rules import UnitReport
from tests.markets.lending.conftest import NOW, World, add_market_day, build_world, kst


def _close(world: World) -> dt.datetime:
    return kst(world.day.day, 16)


async def _checked_out(session: AsyncSession, world: World) -> int:
    loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
    await desk.check_out(session, world.organizer, loan.id, now=kst(world.day.day, 10, 5))
    return loan.id


async def _strikes(session: AsyncSession) -> list[tuple[int, int, StrikeReason]]:
    rows = await session.execute(
        select(LendingStrike.vendor_id, LendingStrike.loan_id, LendingStrike.reason)
        .order_by(LendingStrike.id))
    return list(rows.all())


async def test_the_sweeper_marks_overdue_after_the_grace_with_one_strike_however_often_it_runs(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = await _checked_out(session, world)
        within_grace = await sweeper.sweep(session, now=_close(world) + dt.timedelta(minutes=59))
        assert within_grace.overdue == 0
        assert (await queries.loan_for(session, world.owner, loan_id)).status is (
            LoanStatus.CHECKED_OUT)

        first = await sweeper.sweep(session, now=_close(world) + dt.timedelta(minutes=61))
        second = await sweeper.sweep(session, now=_close(world) + dt.timedelta(hours=5))
        assert (first.overdue, second.overdue) == (1, 0)
        loan = await queries.loan_for(session, world.owner, loan_id)
        assert loan.status is LoanStatus.OVERDUE
        assert await _strikes(session) == [(world.vendor.id, loan_id, StrikeReason.LATE_RETURN)]
        assert await queries.strike_count(session, world.vendor.id) == 1
        view = await queries.loan_view(session, loan)
        assert view.history[-1][0].actor_user_id is None
        assert "반납 기한" in view.history[-1][0].reason

        returned = await desk.check_in(session, world.organizer, loan_id,
                                           now=_close(world) + dt.timedelta(hours=20))
        assert returned.status is LoanStatus.RETURNED
        assert len(await _strikes(session)) == 1  # the return does not strike twice
        names = (await session.scalars(select(OutboxEvent.name))).all()
        assert names.count("lending.strike_given") == 1 and "loan.overdue" in names


async def test_an_overdue_loan_keeps_its_units_and_next_bookings_move_to_others(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=2)
    async with session_factory() as session:
        tomorrow = (await add_market_day(session, world.market,
                                         world.day.day + dt.timedelta(1))).id
        await session.commit()
        loan_id = await _checked_out(session, world)
        (tent,) = (await session.scalars(
            select(UnitReservation.unit_id).join(EquipmentUnit)
            .where(UnitReservation.loan_id == loan_id, EquipmentUnit.item_id == world.tent.id)
        )).all()
        nxt = await booking.book_loan(session, world.other_owner, world.booking(
            vendor_id=world.other_vendor.id, market_day_id=tomorrow), now=NOW)
        nxt_id = nxt.id
        held_next = (await session.scalars(
            select(UnitReservation.unit_id).join(EquipmentUnit)
            .where(UnitReservation.loan_id == nxt_id, EquipmentUnit.item_id == world.tent.id)
        )).all()
        await sweeper.sweep(session, now=_close(world) + dt.timedelta(hours=2))
        moved = (await session.scalars(
            select(UnitReservation.unit_id).join(EquipmentUnit)
            .where(UnitReservation.loan_id == nxt_id, UnitReservation.active.is_(True),
                   EquipmentUnit.item_id == world.tent.id)
        )).all()
        assert tent not in moved and len(moved) == 1
        assert held_next  # it held a tent before, and it still holds one after
        open_hold = await session.scalar(select(UnitReservation).where(
            UnitReservation.loan_id == loan_id, UnitReservation.unit_id == tent))
        assert open_hold is not None and open_hold.ends_at is None
        # Anyone else finds no tent tomorrow: one is still out late, the other is booked.
        with pytest.raises(Conflict) as refused:
            await booking.book_loan(session, world.owner, world.booking(
                market_day_id=tomorrow), now=_close(world) + dt.timedelta(hours=2))
        assert refused.value.code == "not_enough_units"


async def test_a_late_return_without_the_sweeper_is_still_a_strike_and_missing_units_another(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = await _checked_out(session, world)
        chair = (await session.scalars(
            select(UnitReservation.unit_id).join(EquipmentUnit)
            .where(UnitReservation.loan_id == loan_id, EquipmentUnit.item_id == world.chair.id)
        )).first()
        assert chair is not None
        await desk.check_in(session, world.organizer, loan_id,
                                [UnitReport(chair, "missing", "의자 1개 안 돌아옴")],
                                now=_close(world) + dt.timedelta(hours=3))
        assert sorted(r for _, _, r in await _strikes(session)) == [
            StrikeReason.LATE_RETURN, StrikeReason.MISSING_EQUIPMENT]
        (record,) = await queries.open_maintenance(session, world.market.id)
        assert (record.unit_id, record.kind) == (chair, MaintenanceKind.MISSING)


async def test_a_return_within_the_grace_is_no_strike(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = await _checked_out(session, world)
        loan = await desk.check_in(session, world.organizer, loan_id,
                                       now=_close(world) + dt.timedelta(minutes=30))
        assert loan.status is LoanStatus.RETURNED
        assert await _strikes(session) == []


async def test_loans_never_picked_up_lapse_and_loans_of_a_cancelled_day_are_released(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=3)
    async with session_factory() as session:
        rainy = await add_market_day(session, world.market, world.day.day + dt.timedelta(7))
        await session.commit()
        rainy_id = rainy.id
        unpicked = (await booking.book_loan(session, world.owner, world.booking(), now=NOW)).id
        washed_out = (await booking.book_loan(session, world.owner, world.booking(
            market_day_id=rainy_id), now=NOW)).id
        day = await session.get(MarketDay, rainy_id)
        assert day is not None
        day.status = MarketDayStatus.CANCELLED
        await session.commit()
        result = await sweeper.sweep(session, now=_close(world) + dt.timedelta(hours=1))
        assert (result.lapsed, result.cancelled_with_day, result.overdue) == (1, 1, 0)
        for loan_id in (unpicked, washed_out):
            assert (await queries.loan_for(session, world.owner, loan_id)).status is (
                LoanStatus.CANCELLED)
        assert await session.scalar(select(func.count(UnitReservation.id)).where(
            UnitReservation.active.is_(True))) == 0
        assert await _strikes(session) == []

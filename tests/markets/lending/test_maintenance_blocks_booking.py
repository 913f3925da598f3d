"""A damaged or missing unit is out of stock until the desk resolves it, and bookings that
held it move to another unit (or are told they are short) instead of being double-booked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict, InvalidInput
from infra.outbox import OutboxEvent
from markets.lending import booking, desk, maintenance, queries
from markets.lending.availability import stock_of_market
from markets.lending.models import (
    EquipmentUnit,
    LoanStatus,
    MaintenanceKind,
    MaintenanceRecord,
    UnitReservation,
)
from markets.lending.rules import UnitReport
from tests.markets.lending.conftest import NOW, World, add_market_day, build_world, kst

AFTER_CLOSE = NOW + dt.timedelta(days=4, hours=5)  # 2031-05-04 17:00 KST, after the market


async def _tent_units(session: AsyncSession, loan_id: int, world: World) -> list[int]:
    return list((await session.scalars(
        select(UnitReservation.unit_id)
        .join(EquipmentUnit, EquipmentUnit.id == UnitReservation.unit_id)
        .where(UnitReservation.loan_id == loan_id, UnitReservation.active.is_(True),
               EquipmentUnit.item_id == world.tent.id)
    )).all())


async def test_a_tent_returned_damaged_cannot_be_booked_until_it_is_repaired(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=1)
    async with session_factory() as session:
        next_week = await add_market_day(session, world.market, world.day.day + dt.timedelta(7))
        await session.commit()
        loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        await desk.check_out(session, world.organizer, loan.id, now=kst(world.day.day, 10))
        (tent,) = await _tent_units(session, loan.id, world)
        await desk.check_in(session, world.organizer, loan.id,
                                [UnitReport(tent, "damaged", "천막 지붕 찢어짐")], now=AFTER_CLOSE)

    async with session_factory() as session:
        with pytest.raises(Conflict) as refused:
            await booking.book_loan(session, world.other_owner, world.booking(
                vendor_id=world.other_vendor.id, market_day_id=next_week.id), now=AFTER_CLOSE)
        assert refused.value.code == "not_enough_units"
        assert "천막 3×3 0개 남음" in refused.value.message
        stock = {s.name: s for s in await stock_of_market(
            session, world.market.id, next_week.setup_from, next_week.closes_at, now=AFTER_CLOSE)}
        assert (stock["천막 3×3"].owned, stock["천막 3×3"].in_maintenance,
                stock["천막 3×3"].free) == (1, 1, 0)
        (record,) = await queries.open_maintenance(session, world.market.id)
        assert (record.unit_id, record.kind, record.loan_id) == (
            tent, MaintenanceKind.DAMAGED, loan.id)

    async with session_factory() as session:
        await maintenance.resolve_maintenance(session, world.organizer, record.id, "repaired",
                                           "지붕 교체", now=AFTER_CLOSE + dt.timedelta(days=1))
    async with session_factory() as session:
        again = await booking.book_loan(session, world.other_owner, world.booking(
            vendor_id=world.other_vendor.id, market_day_id=next_week.id),
            now=AFTER_CLOSE + dt.timedelta(days=1))
        assert await _tent_units(session, again.id, world) == [tent]
        names = (await session.scalars(select(OutboxEvent.name))).all()
        assert "equipment_unit.maintenance_opened" in names
        assert "equipment_unit.maintenance_resolved" in names


async def test_a_written_off_tent_never_counts_as_stock_again(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=2)
    async with session_factory() as session:
        unit = (await session.scalars(select(EquipmentUnit).where(
            EquipmentUnit.item_id == world.tent.id).order_by(EquipmentUnit.code))).first()
        assert unit is not None
        record = await maintenance.report_unit_problem(session, world.organizer, unit.id,
                                                    "missing", "창고에 없음", now=NOW)
        with pytest.raises(InvalidInput) as wrong:  # a missing tent is found, not repaired
            await maintenance.resolve_maintenance(session, world.organizer, record.id, "repaired")
        assert wrong.value.field == "resolution"
        await maintenance.resolve_maintenance(session, world.organizer, record.id, "written_off",
                                           "분실 확정", now=NOW)
        with pytest.raises(Conflict) as twice:
            await maintenance.resolve_maintenance(session, world.organizer, record.id, "found")
        assert twice.value.code == "maintenance_already_resolved"
        stock = {s.name: s for s in await stock_of_market(
            session, world.market.id, world.day.setup_from, world.day.closes_at, now=NOW)}
        assert (stock["천막 3×3"].owned, stock["천막 3×3"].free) == (1, 1)


async def test_a_booking_holding_a_unit_sent_to_maintenance_moves_to_a_free_unit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=2)
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        (held,) = await _tent_units(session, loan.id, world)
        await maintenance.report_unit_problem(session, world.organizer, held, "damaged",
                                           "폴대 휨", now=NOW)
        (moved,) = await _tent_units(session, loan.id, world)
        assert moved != held
        view = await queries.loan_view(session, loan)
        assert view.short == {}


async def test_when_no_unit_is_left_the_booking_is_told_it_is_short_not_double_booked(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=1)
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        (held,) = await _tent_units(session, loan.id, world)
        await maintenance.report_unit_problem(session, world.organizer, held, "damaged",
                                           "폴대 휨", now=NOW)
        assert await _tent_units(session, loan.id, world) == []
        view = await queries.loan_view(session, await queries.loan_for(
            session, world.owner, loan.id))
        assert view.short == {"천막 3×3": 1}
        assert view.loan.status is LoanStatus.RESERVED
        events = (await session.scalars(select(OutboxEvent.name))).all()
        assert "loan.short_of_units" in events


async def test_a_unit_found_damaged_at_check_out_is_swapped_for_a_good_one(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=2)
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        (held,) = await _tent_units(session, loan.id, world)
        out = await desk.check_out(session, world.organizer, loan.id,
                                       [UnitReport(held, "damaged", "지퍼 고장")],
                                       now=kst(world.day.day, 10))
        assert out.status is LoanStatus.CHECKED_OUT
        (given,) = await _tent_units(session, loan.id, world)
        assert given != held
        assert await session.scalar(select(func.count(MaintenanceRecord.id)).where(
            MaintenanceRecord.unit_id == held, MaintenanceRecord.resolved_at.is_(None))) == 1


async def test_a_damaged_or_missing_report_needs_a_note_and_changes_nothing_without_one(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = (await booking.book_loan(session, world.owner, world.booking(), now=NOW)).id
        (held,) = await _tent_units(session, loan_id, world)
        with pytest.raises(InvalidInput) as refused:
            await desk.check_out(session, world.organizer, loan_id,
                                     [UnitReport(held, "damaged", "")], now=NOW)
        assert refused.value.field == "units[0].note"
        with pytest.raises(InvalidInput) as unknown:
            await desk.check_out(session, world.organizer, loan_id,
                                     [UnitReport(held, "broken", "x")], now=NOW)
        assert unknown.value.field == "units[0].condition"
        loan = await queries.loan_for(session, world.owner, loan_id)
        assert loan.status is LoanStatus.RESERVED
        assert await session.scalar(select(func.count(MaintenanceRecord.id))) == 0

"""No unit is ever lent twice at once: racing bookings for the last units, the database
constraint on its own, and where one period ends and the next may begin."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from markets.lending import booking
from markets.lending.availability import free_units
from markets.lending.models import EquipmentUnit, Loan, LoanStatus, UnitReservation
from markets.lending.rules import Period
from tests.markets.lending.conftest import NOW, World, build_world, kst

RACERS = 100


async def _overlapping_pairs(session: AsyncSession) -> int:
    a, b = UnitReservation.__table__.alias("a"), UnitReservation.__table__.alias("b")
    return int(await session.scalar(
        select(func.count()).select_from(a).join(b, (a.c.unit_id == b.c.unit_id)
                                                 & (a.c.id < b.c.id))
        .where(a.c.active, b.c.active,
               (a.c.ends_at.is_(None)) | (a.c.ends_at > b.c.starts_at),
               (b.c.ends_at.is_(None)) | (b.c.starts_at < a.c.ends_at) | a.c.ends_at.is_(None))
    ) or 0)


async def test_a_hundred_racing_bookings_for_the_last_three_tents_get_exactly_three(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=5, slot_capacity=200)
    async with session_factory() as session:  # two of five tents are already out that day
        await booking.book_loan(session, world.other_owner, world.booking(
            vendor_id=world.other_vendor.id, kit_id=None, items=[(world.tent.id, 2)]), now=NOW)

    async def book_one_tent() -> Loan | Conflict:
        async with session_factory() as session:
            try:
                return await booking.book_loan(
                    session, world.owner,
                    world.booking(kit_id=None, items=[(world.tent.id, 1)]), now=NOW,
                )
            except Conflict as exc:
                return exc

    results = await asyncio.gather(*(book_one_tent() for _ in range(RACERS)))

    won = [r for r in results if isinstance(r, Loan)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 3
    assert len(refused) == RACERS - 3
    assert {r.code for r in refused} == {"not_enough_units"}
    assert all(r.field == "items[0].quantity" for r in refused)
    async with session_factory() as session:
        held = (await session.scalars(
            select(UnitReservation.unit_id)
            .join(EquipmentUnit, EquipmentUnit.id == UnitReservation.unit_id)
            .where(EquipmentUnit.item_id == world.tent.id, UnitReservation.active.is_(True))
        )).all()
        assert sorted(held) == sorted(set(held)) and len(held) == 5
        assert await _overlapping_pairs(session) == 0
        loans = await session.scalar(
            select(func.count(Loan.id)).where(Loan.vendor_id == world.vendor.id))
        assert loans == 3


async def test_the_database_alone_refuses_two_overlapping_holds_on_one_unit(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Two writers that skip the desk lock and race to hold the same tent: one must fail.
    (This is the guarantee under the use cases' lock: EXCLUDE on PostgreSQL, a trigger on
    SQLite.)"""
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        unit_id = (await session.scalars(
            select(UnitReservation.unit_id)
            .join(EquipmentUnit, EquipmentUnit.id == UnitReservation.unit_id)
            .where(UnitReservation.loan_id == loan.id, EquipmentUnit.item_id == world.tent.id)
        )).one()

    async def hold(start_hour: int, end_hour: int) -> bool:
        async with session_factory() as session:
            day = world.day.day + dt.timedelta(days=7)
            session.add(UnitReservation(unit_id=unit_id, loan_id=loan.id,
                                        starts_at=kst(day, start_hour), ends_at=kst(day, end_hour)))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    outcomes = await asyncio.gather(hold(9, 13), hold(12, 18))
    assert sorted(outcomes) == [False, True]


@pytest.mark.parametrize(
    ("second", "allowed"),
    [
        pytest.param((13, 15), True, id="touching after: [10,13) then [13,15)"),
        pytest.param((8, 10), True, id="touching before: [8,10) then [10,13)"),
        pytest.param((12, 14), False, id="overlapping the end"),
        pytest.param((9, 11), False, id="overlapping the start"),
        pytest.param((11, 12), False, id="inside"),
        pytest.param((9, 14), False, id="around"),
    ],
)
async def test_periods_that_touch_may_share_a_unit_periods_that_overlap_may_not(
    world: World, session_factory: async_sessionmaker[AsyncSession],
    second: tuple[int, int], allowed: bool,
) -> None:
    day = world.day.day + dt.timedelta(days=14)
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        unit = (await free_units(session, world.tent.id, kst(day, 0), kst(day, 23), limit=1))[0]
        session.add(UnitReservation(unit_id=unit.id, loan_id=loan.id, starts_at=kst(day, 10),
                                    ends_at=kst(day, 13)))
        await session.commit()
        assert Period(kst(day, 10), kst(day, 13)).overlaps(
            Period(kst(day, second[0]), kst(day, second[1]))) is not allowed
        free = await free_units(session, world.tent.id, kst(day, second[0]), kst(day, second[1]))
        assert (unit.id in {u.id for u in free}) is allowed
        session.add(UnitReservation(unit_id=unit.id, loan_id=loan.id,
                                    starts_at=kst(day, second[0]), ends_at=kst(day, second[1])))
        if allowed:
            await session.commit()
        else:
            with pytest.raises(IntegrityError):
                await session.commit()
            await session.rollback()


async def test_an_open_ended_hold_blocks_every_later_period_but_not_earlier_ones(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    day = world.day.day + dt.timedelta(days=14)
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        unit = (await free_units(session, world.tent.id, kst(day, 0), kst(day, 23), limit=1))[0]
        session.add(UnitReservation(unit_id=unit.id, loan_id=loan.id, starts_at=kst(day, 10),
                                    ends_at=None))
        await session.commit()
        later = await free_units(session, world.tent.id, kst(day + dt.timedelta(days=300), 9),
                                 kst(day + dt.timedelta(days=300), 10))
        earlier = await free_units(session, world.tent.id, kst(day, 8), kst(day, 10))
        assert unit.id not in {u.id for u in later}
        assert unit.id in {u.id for u in earlier}


async def test_a_cancelled_loan_gives_its_units_back_at_once(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        everything = await booking.book_loan(
            session, world.owner, world.booking(kit_id=None, items=[(world.tent.id, 5)]), now=NOW)
    async with session_factory() as session:
        with pytest.raises(Conflict):
            await booking.book_loan(session, world.other_owner, world.booking(
                vendor_id=world.other_vendor.id), now=NOW)
    async with session_factory() as session:
        cancelled = await booking.cancel_loan(session, world.owner, everything.id, "")
        assert cancelled.status is LoanStatus.CANCELLED
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.other_owner, world.booking(
            vendor_id=world.other_vendor.id), now=NOW)
        assert loan.status is LoanStatus.RESERVED

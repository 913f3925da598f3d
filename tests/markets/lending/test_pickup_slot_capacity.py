"""A pickup slot never takes more bookings than its capacity, even when they race; a full
slot is a clear 409 that names the slots still free."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict, InvalidInput
from markets.lending import booking, desk, queries, rules
from markets.lending.models import Loan, LoanStatus, PickupSlot
from tests.markets.lending.conftest import NOW, World, build_world, kst

RACERS = 30


async def test_racing_bookings_for_one_slot_fill_it_exactly_to_capacity(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=RACERS + 5, slot_capacity=4)

    async def book() -> Loan | Conflict:
        async with session_factory() as session:
            try:
                return await booking.book_loan(
                    session, world.owner, world.booking(pickup_at="10:30"), now=NOW)
            except Conflict as exc:
                return exc

    results = await asyncio.gather(*(book() for _ in range(RACERS)))
    won = [r for r in results if isinstance(r, Loan)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 4
    assert {(r.code, r.field) for r in refused} == {("pickup_slot_full", "pickup_at")}
    assert "10:30 수령 시간대가 다 찼습니다" in refused[0].message
    assert refused[0].extra["free_slots"] == ["10:00"]  # set-up 10:00, opening 11:00
    async with session_factory() as session:
        per_slot = (await session.execute(
            select(PickupSlot.starts_at, func.count(Loan.id))
            .join(Loan, Loan.pickup_slot_id == PickupSlot.id).group_by(PickupSlot.starts_at)
        )).all()
        assert [(rules.hhmm(s), n) for s, n in per_slot] == [("10:30", 4)]


async def test_without_a_chosen_slot_bookings_spill_into_the_next_slot_with_room(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=10, slot_capacity=2)
    async with session_factory() as session:
        times = []
        for _ in range(4):
            loan = await booking.book_loan(session, world.owner, world.booking(), now=NOW)
            times.append(rules.hhmm(loan.pickup_slot.starts_at))
        assert times == ["10:00", "10:00", "10:30", "10:30"]
        with pytest.raises(Conflict) as full:
            await booking.book_loan(session, world.owner, world.booking(), now=NOW)
        assert (full.value.code, full.value.field) == ("pickup_slot_full", "pickup_at")
        assert "남은 수령 시간대가 없습니다" in full.value.message
        slots = await queries.slot_views(session, world.market.id, rules.market_day_slots(
            world.day.setup_from, world.day.opens_at, 30))
        assert [(s.label, s.booked, s.free) for s in slots] == [("10:00", 2, 0), ("10:30", 2, 0)]


async def test_a_cancelled_booking_frees_its_place_in_the_slot(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=10, slot_capacity=1)
    async with session_factory() as session:
        first = (await booking.book_loan(
            session, world.owner, world.booking(pickup_at="10:00"), now=NOW)).id
        with pytest.raises(Conflict):
            await booking.book_loan(session, world.owner, world.booking(pickup_at="10:00"),
                                     now=NOW)
        await booking.cancel_loan(session, world.owner, first)
        again = await booking.book_loan(session, world.owner, world.booking(pickup_at="10:00"),
                                         now=NOW)
        assert again.status is LoanStatus.RESERVED


@pytest.mark.parametrize(
    ("pickup", "message"),
    [
        pytest.param("11:00", "10:00, 10:30 중에서", id="at opening: no longer a pickup slot"),
        pytest.param("10:15", "10:00, 10:30 중에서", id="between slots"),
        pytest.param("아침", "10:00, 10:30 중에서", id="not a time"),
    ],
)
async def test_a_pickup_time_that_is_not_a_slot_is_refused_naming_the_field(
    world: World, session_factory: async_sessionmaker[AsyncSession], pickup: str, message: str,
) -> None:
    async with session_factory() as session:
        with pytest.raises(InvalidInput) as refused:
            await booking.book_loan(session, world.owner, world.booking(pickup_at=pickup),
                                     now=NOW)
        assert refused.value.field == "pickup_at"
        assert message in refused.value.message
        assert await session.scalar(select(func.count(Loan.id))) == 0


async def test_a_slot_already_past_cannot_be_chosen(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        with pytest.raises(InvalidInput) as refused:
            await booking.book_loan(session, world.owner, world.booking(pickup_at="10:00"),
                                     now=kst(world.day.day, 10, 10))
        assert refused.value.field == "pickup_at"
        assert refused.value.message == "이미 지난 수령 시간입니다."
        late = await booking.book_loan(session, world.owner, world.booking(),
                                        now=kst(world.day.day, 10, 10))
        assert rules.hhmm(late.pickup_slot.starts_at) == "10:30"


async def test_a_date_range_loan_picks_up_in_desk_hours_on_its_first_day_and_waits_for_the_desk(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    start = world.day.day + dt.timedelta(days=3)
    async with session_factory() as session:
        loan = await booking.book_loan(session, world.owner, world.booking(
            market_day_id=None, start_date=start.isoformat(),
            end_date=(start + dt.timedelta(days=2)).isoformat(), pickup_at="09:30"), now=NOW)
        assert loan.status is LoanStatus.REQUESTED
        assert rules.aware(loan.pickup_slot.starts_at) == kst(start, 9, 30)
        assert (rules.aware(loan.starts_at), rules.aware(loan.ends_at)) == (
            kst(start, 9), kst(start + dt.timedelta(days=2), 18))
        confirmed = await desk.confirm_loan(session, world.organizer, loan.id, "확인")
        assert confirmed.status is LoanStatus.RESERVED

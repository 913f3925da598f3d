"""A reservation holds its units only until its deadline: then they are for sale again at
once (lazy expiry on read), and the sweeper marks it expired with an event and an audit row.
A payment that arrives late still succeeds, but only if the units are still free."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from shop.checkout import availability, stock
from shop.checkout.demand import Demand
from shop.checkout.models import ReservationStatus, ReservationStatusChange, StockReservation
from tests.shop.checkout.conftest import T0, World
from tests.shop.shelf import event_names, held_and_allocated, stocked

MINUTE = dt.timedelta(minutes=1)


async def _free(
    factory: async_sessionmaker[AsyncSession], variant_id: int, now: dt.datetime
) -> int:
    async with factory() as session:
        return (await availability.available(session, [variant_id], now))[variant_id]


async def test_the_deadline_comes_from_the_reservation_minutes_setting(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=3)
        await session.commit()
    async with session_factory() as session:
        settings = world.settings.with_(reservation_minutes=7)
        reservation = await stock.reserve(session, settings, [Demand(variant.id, 1)], now=T0)
    assert stock._aware(reservation.expires_at) == T0 + 7 * MINUTE


async def test_expired_reservation_stops_holding_stock_before_any_sweeper_runs(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=5)
        await session.commit()
    async with session_factory() as session:
        reservation = await stock.reserve(
            session, world.settings, [Demand(variant.id, 5)], now=T0
        )
    assert await _free(session_factory, variant.id, T0 + 14 * MINUTE) == 0
    deadline = T0 + 15 * MINUTE
    assert await _free(session_factory, variant.id, deadline) == 5  # lazy: still 'active' row
    async with session_factory() as session:
        again = await stock.reserve(session, world.settings, [Demand(variant.id, 5)],
                                       now=deadline)
    assert again.id != reservation.id
    on_hand, held, allocated = await held_and_allocated(session_factory, variant.id, deadline)
    assert held + allocated <= on_hand


async def test_sweeper_marks_due_reservations_expired_with_event_and_audit(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=10)
        await session.commit()
    async with session_factory() as session:
        early = await stock.reserve(session, world.settings, [Demand(variant.id, 2)], now=T0)
        late = await stock.reserve(
            session, world.settings, [Demand(variant.id, 3)], now=T0 + 10 * MINUTE
        )
        paid = await stock.reserve(session, world.settings, [Demand(variant.id, 1)], now=T0)
        await stock.confirm(session, paid.id, now=T0 + MINUTE)

    async with session_factory() as session:
        assert await stock.expire_due(session, now=T0 + 16 * MINUTE) == 1
    async with session_factory() as session:
        statuses = dict((await session.execute(
            select(StockReservation.id, StockReservation.status)
        )).all())
        audit = (await session.scalars(
            select(ReservationStatusChange)
            .where(ReservationStatusChange.reservation_id == early.id)
            .order_by(ReservationStatusChange.id)
        )).all()
    assert statuses == {
        early.id: ReservationStatus.EXPIRED,
        late.id: ReservationStatus.ACTIVE,
        paid.id: ReservationStatus.CONFIRMED,
    }
    assert [(a.from_status, a.to_status, a.actor_user_id) for a in audit] == [
        (None, ReservationStatus.ACTIVE, None),
        (ReservationStatus.ACTIVE, ReservationStatus.EXPIRED, None),
    ]
    assert "만료" in audit[-1].reason
    assert (await event_names(session_factory))[-1] == "stock.reservation_expired"

    async with session_factory() as session:  # running again finds nothing more to do
        assert await stock.expire_due(session, now=T0 + 16 * MINUTE) == 0


async def test_sweeper_works_through_more_than_one_batch(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=20)
        await session.commit()
    async with session_factory() as session:
        for _ in range(7):
            await stock.reserve(session, world.settings, [Demand(variant.id, 1)], now=T0)
        assert await stock.expire_due(session, now=T0 + 20 * MINUTE, batch=3) == 7
    assert (await event_names(session_factory)).count("stock.reservation_expired") == 7


async def test_a_late_payment_is_confirmed_when_the_units_are_still_free(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=4)
        await session.commit()
    async with session_factory() as session:
        reservation = await stock.reserve(
            session, world.settings, [Demand(variant.id, 4)], now=T0
        )
        await stock.expire_due(session, now=T0 + 20 * MINUTE)
        confirmation = await stock.confirm(session, reservation.id, now=T0 + 21 * MINUTE)
    assert confirmation.confirmed_now
    assert confirmation.reservation.status is ReservationStatus.CONFIRMED
    assert [(a.variant_id, a.quantity) for a in confirmation.allocations] == [(variant.id, 4)]
    assert await _free(session_factory, variant.id, T0 + 22 * MINUTE) == 0


async def test_a_late_payment_is_refused_when_the_units_were_sold_meanwhile(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=4)
        await session.commit()
    async with session_factory() as session:
        slow = await stock.reserve(session, world.settings, [Demand(variant.id, 3)], now=T0)
        # Past the deadline, not yet swept: another shopper takes the units.
        await stock.reserve(
            session, world.settings, [Demand(variant.id, 2)], now=T0 + 16 * MINUTE
        )
    async with session_factory() as session:
        with pytest.raises(Conflict) as caught:
            await stock.confirm(session, slow.id, now=T0 + 17 * MINUTE)
    assert caught.value.problem()["code"] == "reservation_expired"
    on_hand, held, allocated = await held_and_allocated(
        session_factory, variant.id, T0 + 17 * MINUTE
    )
    assert (on_hand, held, allocated) == (4, 2, 0)

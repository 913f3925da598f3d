"""Confirming turns held units into paid allocations exactly once, however often (or however
concurrently) it is called; releasing gives them back; refused transitions are 409s."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict, NotFound
from shop.checkout import availability, stock
from shop.checkout.demand import Demand
from shop.checkout.models import ReservationStatus, ReservationStatusChange, StockAllocation
from tests.shop.checkout.conftest import T0, World
from tests.shop.shelf import event_names, held_and_allocated, stock_rows, stocked

MINUTE = dt.timedelta(minutes=1)


async def _two_variants(world: World, factory: async_sessionmaker[AsyncSession]) -> list[int]:
    async with factory() as session:
        a = await stocked(session, world.vendor, stock=10)
        b = await stocked(session, world.vendor, stock=10, option="20개입")
        await session.commit()
    return [a.id, b.id]


async def test_confirm_twice_allocates_once_and_says_which_call_confirmed(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    a, b = await _two_variants(world, session_factory)
    async with session_factory() as session:
        reservation = await stock.reserve(
            session, world.settings, [Demand(a, 2), Demand(b, 3), Demand(a, 1)],
            actor=world.shopper, now=T0,
        )
        first = await stock.confirm(session, reservation.id, actor=world.shopper,
                                       reason="결제 pi_123", now=T0 + MINUTE)
        second = await stock.confirm(session, reservation.id, now=T0 + 2 * MINUTE)
    assert first.confirmed_now and not second.confirmed_now
    assert [(x.variant_id, x.quantity) for x in first.allocations] == [(a, 3), (b, 3)]
    assert [x.id for x in second.allocations] == [x.id for x in first.allocations]
    names = await event_names(session_factory)
    assert names.count("stock.reservation_confirmed") == 1
    async with session_factory() as session:
        free = await availability.available(session, [a, b], T0 + 60 * MINUTE)
        last = await session.scalar(
            select(ReservationStatusChange).order_by(ReservationStatusChange.id.desc()).limit(1)
        )
    assert free == {a: 7, b: 7}  # allocations keep counting after the deadline
    assert last is not None
    assert (last.to_status, last.actor_user_id, last.reason) == (
        ReservationStatus.CONFIRMED, world.shopper.id, "결제 pi_123"
    )


async def test_racing_confirmations_allocate_once(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """The shopper's return and the payment webhook arrive together (ten times over)."""
    a, _b = await _two_variants(world, session_factory)
    async with session_factory() as session:
        reservation = await stock.reserve(session, world.settings, [Demand(a, 4)], now=T0)

    async def confirm_once() -> stock.Confirmation:
        async with session_factory() as session:
            return await stock.confirm(session, reservation.id, now=T0 + MINUTE)

    results = await asyncio.gather(*(confirm_once() for _ in range(10)))
    assert sum(r.confirmed_now for r in results) == 1
    async with session_factory() as session:
        allocated = await session.scalar(select(func.sum(StockAllocation.quantity)))
    assert allocated == 4
    assert (await event_names(session_factory)).count("stock.reservation_confirmed") == 1


async def test_release_returns_the_units_and_repeating_it_changes_nothing(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    a, _b = await _two_variants(world, session_factory)
    async with session_factory() as session:
        reservation = await stock.reserve(session, world.settings, [Demand(a, 10)], now=T0)
        released = await stock.release(session, reservation.id, actor=world.shopper,
                                          reason="주문 취소", now=T0 + MINUTE)
    assert released.status is ReservationStatus.RELEASED
    assert await held_and_allocated(session_factory, a, T0 + MINUTE) == (10, 0, 0)
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        await stock.release(session, reservation.id, now=T0 + 2 * MINUTE)
    assert await stock_rows(session_factory) == before


async def test_a_released_reservation_cannot_be_confirmed(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    a, _b = await _two_variants(world, session_factory)
    async with session_factory() as session:
        reservation = await stock.reserve(session, world.settings, [Demand(a, 1)], now=T0)
        await stock.release(session, reservation.id, now=T0)
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        with pytest.raises(Conflict) as caught:
            await stock.confirm(session, reservation.id, now=T0)
    assert caught.value.problem()["code"] == "reservation_invalid_transition"
    assert caught.value.problem()["errors"][0]["field"] == "status"
    assert await stock_rows(session_factory) == before


async def test_a_confirmed_reservation_cannot_be_released(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    a, _b = await _two_variants(world, session_factory)
    async with session_factory() as session:
        reservation = await stock.reserve(session, world.settings, [Demand(a, 1)], now=T0)
        await stock.confirm(session, reservation.id, now=T0)
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        with pytest.raises(Conflict):
            await stock.release(session, reservation.id, now=T0)
    assert await stock_rows(session_factory) == before


async def test_unknown_reservation_is_404(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        for call in (stock.confirm, stock.release):
            with pytest.raises(NotFound) as caught:
                await call(session, 999_999)
            assert caught.value.field == "reservation_id"


async def test_the_same_key_returns_the_first_reservation(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    a, b = await _two_variants(world, session_factory)
    demand = [Demand(a, 2), Demand(b, 1)]
    async with session_factory() as session:
        first = await stock.reserve(session, world.settings, demand, key="checkout-1", now=T0)
        again = await stock.reserve(session, world.settings, demand, key="checkout-1", now=T0)
    assert again.id == first.id
    assert (await stock_rows(session_factory)).reservations == 1
    async with session_factory() as session:
        with pytest.raises(Conflict) as caught:
            await stock.reserve(session, world.settings, [Demand(a, 3)], key="checkout-1",
                                   now=T0)
    assert caught.value.problem()["code"] == "reservation_key_reused"


async def test_racing_calls_with_one_key_make_one_reservation(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    a, _b = await _two_variants(world, session_factory)

    async def reserve_once() -> int:
        async with session_factory() as session:
            r = await stock.reserve(session, world.settings, [Demand(a, 1)], key="k", now=T0)
            return r.id

    ids = await asyncio.gather(*(reserve_once() for _ in range(8)))
    assert len(set(ids)) == 1
    assert (await stock_rows(session_factory)).reservations == 1

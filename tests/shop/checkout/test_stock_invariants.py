"""For any interleaving of reserve, release, confirm, expiry and time passing, the units held
by live reservations plus the units allocated never exceed stock, and the availability the
code reports is exactly what the rows say.

Hypothesis writes the programs: steps of one to three operations run *concurrently*
(separate sessions, asyncio.gather: truly overlapping on PostgreSQL), then the clock moves
on. After every step the invariant is checked from the rows, counted independently of the
code under test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from shop.checkout import availability, stock
from shop.checkout.demand import Demand
from shop.checkout.models import ReservationStatus, StockAllocation, StockReservation
from tests.shop.checkout.conftest import T0, World
from tests.shop.shelf import held_and_allocated, stocked

VARIANTS = 3

demand_lines = st.lists(
    st.tuples(st.integers(0, VARIANTS - 1), st.integers(1, 3)), min_size=1, max_size=2
)
#: Reservation targets count back from the newest (-1), where the interesting races are.
target = st.integers(-3, -1)
operation = st.one_of(
    st.tuples(st.just("reserve"), demand_lines),
    st.tuples(st.just("confirm"), target),
    st.tuples(st.just("reserve"), demand_lines),
    st.tuples(st.just("release"), target),
    st.tuples(st.just("expire"), st.none()),
)
step = st.tuples(st.lists(operation, min_size=1, max_size=3), st.sampled_from([0, 1, 8, 16]))
program = st.lists(step, min_size=1, max_size=12)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A payment arriving after the deadline, when another shopper took the units meanwhile.
@example(
    stocks=[3, 0, 0],
    steps=[
        ([("reserve", [(0, 2)])], 16),
        ([("reserve", [(0, 3)])], 0),
        ([("confirm", -2)], 0),
    ],
)
@given(stocks=st.lists(st.integers(0, 6), min_size=VARIANTS, max_size=VARIANTS), steps=program)
async def test_reserved_plus_allocated_never_exceeds_stock(
    world: World,
    session_factory: async_sessionmaker[AsyncSession],
    stocks: list[int],
    steps: list[tuple[list[tuple[str, Any]], int]],
) -> None:
    # Fresh variants per example: examples share the database, never a variant.
    async with session_factory() as session:
        variants = [await stocked(session, world.vendor, stock=s) for s in stocks]
        await session.commit()
    ids = [v.id for v in variants]
    made: list[int] = []
    now = T0

    async def run(op: tuple[str, Any], at: dt.datetime) -> None:
        kind, arg = op
        async with session_factory() as session:
            try:
                if kind == "reserve":
                    demands = [Demand(ids[i], q) for i, q in arg]
                    made.append((await stock.reserve(
                        session, world.settings, demands, now=at
                    )).id)
                elif kind == "expire":
                    await stock.expire_due(session, now=at)
                elif made:
                    target = made[arg % len(made)]
                    if kind == "release":
                        await stock.release(session, target, now=at)
                    else:
                        await stock.confirm(session, target, now=at)
            except Conflict as exc:
                assert exc.code in {
                    "out_of_stock", "reservation_invalid_transition", "reservation_expired"
                }, exc.code

    for operations, minutes in steps:
        await asyncio.gather(*(run(op, now) for op in operations))
        for variant_id in ids:
            on_hand, held, allocated = await held_and_allocated(session_factory, variant_id, now)
            assert held + allocated <= on_hand
            async with session_factory() as session:
                free = (await availability.available(session, [variant_id], now))[variant_id]
            assert free == on_hand - held - allocated
        await _allocations_match_confirmed_lines(session_factory, made)
        now += dt.timedelta(minutes=minutes)


async def _allocations_match_confirmed_lines(
    factory: async_sessionmaker[AsyncSession], reservation_ids: list[int]
) -> None:
    """A confirmed reservation's units are allocated exactly once; others allocate nothing."""
    async with factory() as session:
        reservations = (await session.scalars(
            select(StockReservation).where(StockReservation.id.in_(reservation_ids))
        )).all()
        allocations = (await session.execute(
            select(StockAllocation.reservation_id, StockAllocation.variant_id,
                   StockAllocation.quantity)
            .where(StockAllocation.reservation_id.in_(reservation_ids))
        )).all()
    by_reservation: dict[int, set[tuple[int, int]]] = {}
    for reservation_id, variant_id, quantity in allocations:
        by_reservation.setdefault(reservation_id, set()).add((variant_id, quantity))
    for reservation in reservations:
        expected = (
            {(ln.variant_id, ln.quantity) for ln in reservation.lines}
            if reservation.status is ReservationStatus.CONFIRMED
            else set()
        )
        assert by_reservation.get(reservation.id, set()) == expected

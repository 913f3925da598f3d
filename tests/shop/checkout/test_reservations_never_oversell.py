"""Many shoppers racing for the last units: exactly the stock is reserved, never more, and
every shopper who lost is told why (409 ``out_of_stock`` naming the line and what is left).

Each attempt runs in its own session on a pool of 40 connections, so the attempts really
overlap on PostgreSQL (row locks in id order) and queue on SQLite (one writer).
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from infra.settings import Settings
from shop.checkout import availability, stock
from shop.checkout.demand import Demand
from tests.shop.checkout.conftest import T0, World
from tests.shop.shelf import held_and_allocated, stock_rows, stocked

ATTEMPTS = 500
STOCK = 50


async def _race(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    demands: Sequence[Demand],
    attempts: int,
) -> list[object]:
    async def attempt() -> object:
        async with factory() as session:
            try:
                return await stock.reserve(session, settings, demands, now=T0)
            except Conflict as exc:
                return exc

    return await asyncio.gather(*(attempt() for _ in range(attempts)))


async def test_500_concurrent_reservations_for_50_units_reserve_exactly_50(
    world: World,
    session_factory: async_sessionmaker[AsyncSession],
    racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=STOCK)
        await session.commit()

    outcomes = await _race(
        racing_sessions, world.settings, [Demand(variant.id, 1)], ATTEMPTS
    )

    won = [o for o in outcomes if isinstance(o, stock.StockReservation)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == STOCK
    assert len(lost) == ATTEMPTS - STOCK
    assert len(won) + len(lost) == ATTEMPTS  # nothing else went wrong (no 500s)
    for exc in lost:
        problem = exc.problem()
        assert exc.status_code == 409
        assert problem["code"] == "out_of_stock"
        assert problem["variant_id"] == variant.id
        assert problem["available"] == 0
        assert problem["errors"][0]["field"] == "lines[0].quantity"
        assert "재고가 0개 남았습니다" in problem["detail"]
    on_hand, held, allocated = await held_and_allocated(session_factory, variant.id, T0)
    assert (on_hand, held, allocated) == (STOCK, STOCK, 0)
    async with session_factory() as session:
        assert (await availability.available(session, [variant.id], T0)) == {variant.id: 0}
    rows = await stock_rows(session_factory)
    assert (rows.reservations, rows.lines, rows.status_changes) == (STOCK, STOCK, STOCK)
    assert rows.events == STOCK  # one stock.reserved per winner, none for the losers


async def test_two_lines_sharing_a_variant_are_summed_before_the_check_under_a_race(
    world: World,
    session_factory: async_sessionmaker[AsyncSession],
    racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A snack box and a loose item that both use the cookie: each attempt wants 1 + 1."""
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=STOCK)
        await session.commit()
    demands = [Demand(variant.id, 1, "lines[0]"), Demand(variant.id, 1, "lines[1]")]

    outcomes = await _race(racing_sessions, world.settings, demands, ATTEMPTS)

    won = [o for o in outcomes if isinstance(o, stock.StockReservation)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == STOCK // 2
    assert len(won) + len(lost) == ATTEMPTS
    assert all([(ln.variant_id, ln.quantity) for ln in r.lines] == [(variant.id, 2)] for r in won)
    fields = collections.Counter(
        tuple(e["field"] for e in exc.problem()["errors"]) for exc in lost
    )
    # Both lines that asked for the short variant are named, the first one as the field.
    assert set(fields) == {("lines[0].quantity", "lines[1].quantity")}
    assert all(exc.problem()["requested"] == 2 for exc in lost)
    on_hand, held, allocated = await held_and_allocated(session_factory, variant.id, T0)
    assert held + allocated == on_hand == STOCK


async def test_lines_that_fit_alone_but_not_together_are_refused(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=5)
        await session.commit()
    async with session_factory() as session:
        with pytest.raises(Conflict) as caught:
            await stock.reserve(
                session, world.settings,
                [Demand(variant.id, 3, "box"), Demand(variant.id, 3, "loose")], now=T0,
            )
    problem = caught.value.problem()
    assert problem["code"] == "out_of_stock"
    assert problem["requested"] == 6 and problem["available"] == 5
    assert [e["field"] for e in problem["errors"]] == ["box.quantity", "loose.quantity"]
    assert "재고가 5개 남았습니다" in problem["detail"]
    assert (await stock_rows(session_factory)).reservations == 0

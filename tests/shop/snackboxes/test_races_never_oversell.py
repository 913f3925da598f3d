"""Many shoppers placing checkouts at once: a snack box and a loose item sharing the cookie
never sell more cookies than there are, and a delivery slot never takes more boxes than its
capacity. Every loser is told why (409 naming the line); nothing else goes wrong.

Each attempt runs the checkout's own path (``ordering.plan`` then ``checkouts.place``) in its
own session on an engine with a bounded pool, so attempts really overlap on PostgreSQL (row
locks on variants, then on the slot) and queue on SQLite (one writer).
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from infra.clock import utcnow
from infra.errors import Conflict
from shop.catalog.models import ProductVariant
from shop.checkout import services as checkouts
from shop.checkout.address import clean_address
from shop.checkout.demand import Demand
from shop.snackboxes import ordering, rules, services
from shop.snackboxes.models import SnackBoxBooking
from tests.shop.shelf import held_and_allocated
from tests.shop.snackboxes.conftest import ADDRESS, World, box_body, delivery_day

ATTEMPTS = 40


async def _box(
    factory: async_sessionmaker[AsyncSession], world: World, *, capacity: int
) -> tuple[int, int]:
    """A 10인 box (10 cookies + 10 juices, 33,000원) and a slot: (size id, slot id)."""
    body = box_body(world)
    async with factory() as session:
        organizer = await session.get(User, world.organizer.id)
        box = await services.create_box(session, organizer, rules.BoxDraft(
            name=body["name"], lead_days=3, is_active=True,
            sizes=[rules.SizeDraft(10, 33_000, [
                rules.ComponentDraft(world.cookie.id, 10), rules.ComponentDraft(world.juice.id, 10),
            ])],
        ))
        slot = await services.add_slot(session, organizer, box.id, rules.SlotDraft(
            delivery_date=delivery_day(7), capacity=capacity,
        ))
        return box.sizes[0].id, slot.id


async def _set_stock(
    factory: async_sessionmaker[AsyncSession], variant_id: int, stock: int
) -> None:
    async with factory() as session:
        await session.execute(
            update(ProductVariant).where(ProductVariant.id == variant_id).values(stock=stock)
        )
        await session.commit()


async def _race(
    factory: async_sessionmaker[AsyncSession],
    world: World,
    *,
    size_id: int,
    slot_id: int,
    loose: Sequence[tuple[int, int]],
    attempts: int = ATTEMPTS,
) -> list[object]:
    typed: dict[str, object] = dict(ADDRESS)
    address = clean_address(typed)

    async def attempt() -> object:
        async with factory() as session:
            try:
                boxed = await ordering.plan(
                    session, [ordering.BoxOrder(size_id, 1, slot_id, "snack_boxes[0]")]
                )
                return await checkouts.place(
                    session, world.settings, world.gateway,
                    demands=[Demand(v, q, f"lines[{i}]") for i, (v, q) in enumerate(loose)],
                    address=address, email="buyer@seongbuk.go.kr",
                    bundles=boxed.bundles, hold=boxed.hold,
                )
            except Conflict as exc:
                return exc

    return await asyncio.gather(*(attempt() for _ in range(attempts)))


async def test_a_box_and_a_loose_cookie_racing_never_oversell_the_cookie(
    world: World,
    session_factory: async_sessionmaker[AsyncSession],
    racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    stock = 100  # each attempt wants 10 cookies in the box + 1 loose: 9 can win
    await _set_stock(session_factory, world.cookie.id, stock)
    size_id, slot_id = await _box(session_factory, world, capacity=1_000)

    outcomes = await _race(racing_sessions, world, size_id=size_id, slot_id=slot_id,
                           loose=[(world.cookie.id, 1)])

    won = [o for o in outcomes if isinstance(o, checkouts.Placed)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) + len(lost) == ATTEMPTS  # no 500s
    assert len(won) == stock // 11
    for exc in lost:
        problem = exc.problem()
        assert problem["code"] == "out_of_stock" and problem["variant_id"] == world.cookie.id
        # The box line and the loose line both asked for the cookie: both are named.
        assert {e["field"] for e in problem["errors"]} == {
            "lines[0].quantity", "snack_boxes[0].quantity"
        }
    total, held, allocated = await held_and_allocated(session_factory, world.cookie.id, utcnow())
    assert held + allocated <= total == stock
    assert held == 11 * len(won)
    for placed in won:
        assert placed.checkout.total == 33_000 + 1_500 + 3_000


async def test_a_slot_racing_never_takes_more_boxes_than_its_capacity(
    world: World,
    session_factory: async_sessionmaker[AsyncSession],
    racing_sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    capacity = 5
    count = ordering.held_boxes

    async def slow_count(*args: Any, **kwargs: Any) -> dict[int, int]:
        # Widen the window between counting and booking: without the slot's row lock, the
        # attempts (already spaced out by the variant locks of their stock reservations)
        # would all count the same free places here and overbook.
        held = await count(*args, **kwargs)
        await asyncio.sleep(0.02)
        return held

    monkeypatch.setattr(ordering, "held_boxes", slow_count)
    for variant in (world.cookie, world.juice):  # stock for every attempt: only the slot binds
        await _set_stock(session_factory, variant.id, 10 * ATTEMPTS)
    size_id, slot_id = await _box(session_factory, world, capacity=capacity)

    outcomes = await _race(racing_sessions, world, size_id=size_id, slot_id=slot_id, loose=[])

    won = [o for o in outcomes if isinstance(o, checkouts.Placed)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) + len(lost) == ATTEMPTS
    assert len(won) == capacity
    assert collections.Counter(exc.problem()["code"] for exc in lost) == {
        "slot_full": ATTEMPTS - capacity
    }
    assert all(exc.problem()["errors"][0]["field"] == "snack_boxes[0].slot_id" for exc in lost)
    async with session_factory() as session:
        held = (await count(session, [slot_id], utcnow()))[slot_id]
        bookings = (await session.scalars(select(SnackBoxBooking))).all()
    assert held == capacity and len(bookings) == capacity
    # The losers' cookies went back to sale at once: only the winners' are held.
    total, cookies_held, allocated = await held_and_allocated(
        session_factory, world.cookie.id, utcnow()
    )
    assert (cookies_held, allocated) == (10 * capacity, 0)
    assert total == 10 * ATTEMPTS

"""Dashboard figures kept between requests while no sales fact was written (decision 100):
a new fact, age or room drops them, and the "as of" time is the request's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from shop.analytics.cache import FiguresCache, facts_token
from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import AnalyticsWorld, Factory, Relay
from tests.shop.analytics.test_vendor_dashboard import _bearer, _sold
from tests.shop.settlement.world import Line, place_order


async def test_figures_are_kept_until_a_fact_is_written_they_age_or_room_runs_out(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
) -> None:
    now = [0.0]
    cache = FiguresCache(entries=2, max_age=dt.timedelta(minutes=5), clock=lambda: now[0])
    computed: list[int] = []

    async def compute() -> int:
        computed.append(1)
        return len(computed)

    async with session_factory() as session:
        assert (await facts_token(session)).largest_id == 0
        assert [await cache.get(session, "k", compute) for _ in range(2)] == [1, 1]
    await _sold(world, session_factory, relay)
    async with session_factory() as session:
        assert (await facts_token(session)).largest_id > 0
        assert await cache.get(session, "k", compute) == 2  # a new fact: computed again
        now[0] = 299.0
        assert await cache.get(session, "k", compute) == 2
        now[0] = 300.0
        assert await cache.get(session, "k", compute) == 3  # five minutes old: again
        assert await cache.get(session, "a", compute) == 4
        assert await cache.get(session, "b", compute) == 5  # room for two: "k" goes
        assert await cache.get(session, "a", compute) == 4
        assert await cache.get(session, "k", compute) == 6


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="transactions in flight: PostgreSQL")
async def test_figures_computed_while_a_transaction_was_in_flight_stand_until_it_ends(
    world: AnalyticsWorld, session_factory: Factory,
) -> None:
    # On PostgreSQL a fact's id is handed out before its transaction commits, so a fact with a
    # smaller id than the largest one seen can still arrive: the token holds the snapshot, and
    # the end of a transaction in flight makes the next read compute afresh.
    cache = FiguresCache()
    computed: list[int] = []

    async def compute() -> int:
        computed.append(1)
        return len(computed)

    async with session_factory() as writer, session_factory() as reader:
        await writer.execute(text("SELECT pg_current_xact_id()"))  # a transaction with an id
        assert await cache.get(reader, "k", compute) == 1
        await reader.commit()
        assert await cache.get(reader, "k", compute) == 1  # still in flight: the figures stand
        await reader.commit()
        await writer.commit()
        assert await cache.get(reader, "k", compute) == 2  # it ended: computed again
        await reader.commit()
        assert await cache.get(reader, "k", compute) == 2


async def test_the_dashboard_shows_a_new_sale_at_once_and_the_time_it_was_asked(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any],
) -> None:
    people = await _sold(world, session_factory, relay)
    vendor = world.vendors[0]
    url = f"/api/analytics/vendors/{vendor.id}/dashboard"
    params = {"from": "2025-05-01", "to": "2025-05-03"}
    headers = await _bearer(session_factory, people["owner"])

    async def net() -> tuple[int, str]:
        body = (await client.get(url, params=params, headers=headers)).json()
        daily = next(t for t in body["tables"] if t["key"] == "daily-sales")
        return daily["total"][7], body["as_of"]

    first, first_as_of = await net()
    again, again_as_of = await net()
    assert (first, again) == (20_000, 20_000) and again_as_of >= first_as_of
    async with session_factory() as session:
        await place_order(session, [Line(vendor, world.variants[0], "food", 5_000, 1)],
                          placed_at=seoul(dt.date(2025, 5, 3), 11))
        await session.commit()
    await relay.deliver()
    assert (await net())[0] == 25_000

"""Analytics workers racing on real PostgreSQL (SQLite has one writer, so there these only
show the result does not depend on the order): a market day's events consumed by many
transactions at once, two first purchases of one buyer at once, and one order's event in two
batches at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role
from infra.accounts.services import create_user
from infra.events import EventEnvelope
from shop.analytics import facts, rollups
from shop.analytics.dashboard import Period
from shop.analytics.models import FirstPurchase, SalesFact
from shop.analytics.vendor_report import new_and_returning
from tests.fixtures.apps import PASSWORD
from tests.fixtures.outbox import seoul
from tests.fixtures.races import race
from tests.shop.analytics.conftest import AnalyticsWorld, Factory, Relay, daily_net
from tests.shop.analytics.test_market_days import EXPECTED, _figures, the_day
from tests.shop.settlement.world import Line, place_order


def _consume(envelopes: list[EventEnvelope]):  # type: ignore[no-untyped-def]
    async def work(session: AsyncSession) -> int:
        return await facts.consume_all(session, envelopes)
    return work


async def test_a_market_days_events_racing_give_the_issue_numbers(
    world: AnalyticsWorld, session_factory: Factory,
    racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Every check-in, the day closing and every booth report (two revisions of one) each in
    a transaction of its own, all at once, and again in batches of five at once."""
    events = the_day()
    await race(racing_sessions, [_consume([e]) for e in events])
    assert await _figures(session_factory) == EXPECTED
    await race(racing_sessions, [_consume(events[n:n + 5]) for n in range(0, len(events), 5)])
    assert await _figures(session_factory) == EXPECTED
    async with session_factory() as session:
        assert await rollups.check_range(session) == []


async def test_two_first_purchases_of_one_buyer_racing_keep_the_earlier_day(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """One shopper's orders of May 3 and May 1 from one vendor, their events consumed at the
    same moment (each also twice): one first purchase, on May 1."""
    seller = world.vendors[0]
    days = [dt.date(2025, 5, 3), dt.date(2025, 5, 1)]
    async with session_factory() as session:
        shopper = await create_user(session, email="race-buyer@example.kr", password=PASSWORD,
                                    display_name="경주", roles=[Role.SHOPPER])
        for day in days:
            order = await place_order(session, [Line(seller, world.variants[0], "food", 10_000, 1)],
                                      placed_at=seoul(day, 11))
            order.user_id = shopper.id
        await session.commit()
    placed = [e for e in await relay.pending() if e.name == "order.placed"]
    assert len(placed) == 2
    await race(racing_sessions, [_consume([e]) for e in placed * 2])
    async with session_factory() as session:
        firsts = (await session.execute(
            select(FirstPurchase.buyer_key, FirstPurchase.first_day)
            .where(FirstPurchase.vendor_id == seller.id))).all()
        assert firsts == [(f"u{shopper.id}", dt.date(2025, 5, 1))]
        assert await new_and_returning(session, seller.id, Period(days[1], days[0])) == [
            (dt.date(2025, 5, 1), 1, 0), (dt.date(2025, 5, 2), 0, 0),
            (dt.date(2025, 5, 3), 0, 1)]
        assert await session.scalar(select(func.count(SalesFact.id))) == 2
        assert await rollups.check_range(session) == []


async def test_one_order_in_two_batches_at_once_counts_once(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A relay batch redelivered while the first delivery is still being written, and a
    second batch overlapping it: every line counted once."""
    vendor = world.vendors[0]
    async with session_factory() as session:
        for hour in (10, 11, 12):
            await place_order(session, [Line(vendor, world.variants[0], "food", 10_000, 1),
                                        Line(vendor, world.second, "food", 20_000, 1)],
                              placed_at=seoul(dt.date(2025, 5, 1), hour))
        await session.commit()
    placed = [e for e in await relay.pending() if e.name == "order.placed"]
    outcomes = await race(racing_sessions, [
        _consume(placed), _consume(placed), _consume(placed[1:]), _consume(placed[::-1])])
    assert outcomes == ["ok"] * 4
    async with session_factory() as session:
        assert await session.scalar(select(func.count(SalesFact.id))) == 6
        assert await rollups.check_range(session) == []


async def test_a_rebuild_racing_the_worker_loses_no_fact(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The rebuild (two sessions on PostgreSQL: months and first purchases) refilling April
    and May while batches of new orders in both months are written: each month is refilled
    before or after a batch lands in it, never across, so the summaries agree at the end."""
    vendor = world.vendors[0]

    async def orders(days: list[dt.date]) -> list[EventEnvelope]:
        async with session_factory() as session:
            for day in days:
                await place_order(session, [Line(vendor, world.variants[0], "food", 10_000, 1)],
                                  placed_at=seoul(day))
            await session.commit()
        return [e for e in await relay.pending() if e.name == "order.placed"]

    async with session_factory() as session:
        await facts.consume_all(session, await orders([dt.date(2025, 4, 2), dt.date(2025, 5, 2)]))
    late = await orders([dt.date(2025, 4, d) for d in (3, 4)] + [dt.date(2025, 5, 3)])

    async def rebuild(session: AsyncSession) -> None:
        await rollups.rebuild(session)

    outcomes = await race(racing_sessions, [rebuild, _consume(late[:2]), _consume(late[2:]),
                                            rebuild])
    assert outcomes == ["ok"] * 4
    async with session_factory() as session:
        assert await rollups.check_range(session) == []
        assert await daily_net(session, vendor.id) == {
            dt.date(2025, 4, d): 10_000 for d in (2, 3, 4)} | {
            dt.date(2025, 5, d): 10_000 for d in (2, 3)}

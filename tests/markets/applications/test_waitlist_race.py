"""One freed place, several people taking it at the same moment: exactly one acceptance.

Runs against whichever database the suite uses; on PostgreSQL (CI) the sessions really
overlap and only the market-row lock keeps the count right. Each racer has its own session
and connection, as concurrent web requests do.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from markets.applications import applying, decisions
from markets.applications import offers as waitlist_offers
from markets.applications.models import Application, ApplicationStatus, WaitlistOffer
from markets.models import Market
from tests.fixtures.races import race as _race
from tests.markets.applications.conftest import SEASON, World
from tests.markets.market_world import booked, detached, kst, organizer

NOW = kst(SEASON, 4, 1, 10)


async def _accepted(factory: async_sessionmaker[AsyncSession], market_id: int) -> int:
    async with factory() as session:
        return int(await session.scalar(
            select(func.count(Application.id)).where(
                Application.market_id == market_id,
                Application.status == ApplicationStatus.ACCEPTED,
            )
        ) or 0)


async def test_two_organizers_accepting_from_the_waitlist_fill_one_place_once(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        await booked(session, world.market, world.vendors[0], SEASON)  # 1 of 2 places taken
        waiting = [
            (await booked(session, world.market, world.vendors[n], SEASON,
                          status=ApplicationStatus.WAITLISTED)).id
            for n in (1, 2)
        ]
        await session.commit()
    outcomes = await _race(session_factory, [
        lambda s: decisions.decide(s, waiting[0], world.boss, "accept", now=NOW),
        lambda s: decisions.decide(s, waiting[1], world.juror, "accept", now=NOW),
    ])
    assert sorted(outcomes) == ["market_full", "ok"]
    assert await _accepted(session_factory, world.market.id) == 2


async def test_many_organizers_racing_for_three_places_fill_exactly_three(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        market = await session.get(Market, world.market.id)
        assert market is not None
        market.capacity = 3
        bosses: list[User] = [await organizer(session, market) for _ in range(8)]
        waiting = []
        for _ in range(8):
            from tests.markets.market_world import vendor_with_owner

            vendor, _ = await vendor_with_owner(session)
            app = await booked(session, world.market, vendor, SEASON,
                               status=ApplicationStatus.WAITLISTED)
            waiting.append(app.id)
        await session.commit()
        detached(session, *bosses)
    outcomes = await _race(session_factory, [
        (lambda s, a=a, b=b: decisions.decide(s, a, b, "accept", now=NOW))
        for a, b in zip(waiting, bosses, strict=True)
    ])
    assert outcomes.count("ok") == 3 and outcomes.count("market_full") == 5
    assert await _accepted(session_factory, world.market.id) == 3


async def test_the_offered_vendor_and_an_organizer_racing_end_with_one_acceptance(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        gone = await booked(session, world.market, world.vendors[0], SEASON)
        await booked(session, world.market, world.vendors[1], SEASON)
        first = await booked(session, world.market, world.vendors[2], SEASON,
                             status=ApplicationStatus.WAITLISTED)
        second = await booked(session, world.market, world.vendors[3], SEASON,
                              status=ApplicationStatus.WAITLISTED)
        await session.commit()
        first_id, second_id, gone_id = first.id, second.id, gone.id
    async with session_factory() as session:
        await applying.withdraw(session, gone_id, world.owners[0], now=NOW)
    async with session_factory() as session:
        offer = await session.scalar(select(WaitlistOffer))
        assert offer is not None and offer.application_id == first_id
        offer_id = offer.id
    outcomes = await _race(session_factory, [
        lambda s: waitlist_offers.answer_offer(s, offer_id, world.owners[2], True, now=NOW),
        lambda s: decisions.decide(s, second_id, world.boss, "accept", now=NOW),
        lambda s: decisions.decide(s, first_id, world.juror, "accept", now=NOW),
    ])
    assert outcomes.count("ok") == 1, outcomes
    assert await _accepted(session_factory, world.market.id) == 2

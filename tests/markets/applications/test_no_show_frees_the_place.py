"""A no-show gives up that day's place: besides the strike, the booth it held that day is
freed and the place offered down the waitlist in order, the way a withdrawal offers a whole
booking; whoever takes it gets that booth. A corrected no-show takes the place back if
nobody took it. On PostgreSQL the racing tests really overlap: only the market-row lock
keeps one freed place from being offered twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from infra.errors import Conflict
from markets.applications import applying
from markets.applications import offers as waitlist_offers
from markets.applications.models import Application, ApplicationStatus, OfferStatus, WaitlistOffer
from markets.applications.queries import released_days
from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AssignmentBoard,
    BoardStatus,
    UnplacedVendor,
)
from markets.booths.models import Booth, BoothSize
from markets.days.check_in import record_check_in
from markets.days.models import CheckInStatus, MarketDay
from tests.fixtures.races import race as _race
from tests.markets.applications.conftest import SEASON, World
from tests.markets.market_world import booked, event_names, kst


@pytest.fixture
def day(world: World) -> MarketDay:
    """The second Tuesday of May: 동진시장 opens 16:00 (set-up from 15:00), closes 18:00."""
    return world.days[1]


def at(day: MarketDay, hour: int, minute: int = 0) -> dt.datetime:
    return kst(day.day.year, day.day.month, day.day.day, hour, minute)


async def _line_up(factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay,
                   *, publish: bool = True) -> dict[str, Any]:
    """Both places of ``day`` taken: vendor 0 (whole season, booth A-01) and vendor 1 (that
    day only, booth A-02). Waitlisted for that day: vendor 2 (tier 1) before vendor 3; a
    waitlisted vendor for another day only is not in line for this place."""
    async with factory() as session:
        season_app = await booked(session, world.market, world.vendors[0], SEASON)
        day_app = await booked(session, world.market, world.vendors[1], SEASON,
                               day_ids=[day.id])
        first = await booked(session, world.market, world.vendors[2], SEASON,
                             status=ApplicationStatus.WAITLISTED, day_ids=[day.id],
                             priority_tier=1)
        second = await booked(session, world.market, world.vendors[3], SEASON,
                              status=ApplicationStatus.WAITLISTED, day_ids=[day.id])
        booths = []
        for n, code in enumerate(("A-01", "A-02")):
            booth = Booth(market_id=world.market.id, code=code, zone="A", size=BoothSize.STANDARD,
                          has_power=False, is_corner=False, is_premium=False, x=3.0 * n, y=0,
                          width=3, height=3, adjacent_codes=[], is_active=True,
                          position_order=n)
            session.add(booth)
            booths.append(booth)
        await session.flush()
        status = BoardStatus.PUBLISHED if publish else BoardStatus.DRAFT
        session.add(AssignmentBoard(market_day_id=day.id, market_id=world.market.id,
                                    status=status))
        for app, booth in ((season_app, booths[0]), (day_app, booths[1])):
            session.add(Assignment(market_day_id=day.id, booth_id=booth.id,
                                   vendor_id=app.vendor_id, application_id=app.id,
                                   status=status))
        await session.commit()
        return {"season": season_app.id, "day": day_app.id, "first": first.id,
                "second": second.id, "a01": booths[0].id, "a02": booths[1].id}


async def _offers(factory: async_sessionmaker[AsyncSession]) -> list[WaitlistOffer]:
    async with factory() as session:
        return list((await session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id))).all())


async def _booths_of_day(factory: async_sessionmaker[AsyncSession], day: MarketDay
                         ) -> dict[int, tuple[str, BoardStatus]]:
    async with factory() as session:
        rows = await session.execute(
            select(Assignment.vendor_id, Booth.code, Assignment.status)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.market_day_id == day.id)
        )
        return {int(v): (str(c), s) for v, c, s in rows.all()}


async def test_a_no_show_frees_its_booth_and_offers_that_day_down_the_waitlist(
    session_factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay
) -> None:
    ids = await _line_up(session_factory, world, day)
    absent = world.vendors[1]
    async with session_factory() as session:
        await record_check_in(session, day.id, absent.id, world.boss, "no_show",
                              now=at(day, 16, 20))

    async with session_factory() as session:
        app = await session.get(Application, ids["day"])
        assert app is not None and app.strikes == 1
        assert app.status is ApplicationStatus.ACCEPTED  # its other days, if any, stay its own
        unplaced = await session.scalar(select(UnplacedVendor).where(
            UnplacedVendor.market_day_id == day.id, UnplacedVendor.vendor_id == absent.id))
        assert unplaced is not None and unplaced.reason == "no_show"
        audit = await session.scalar(select(AssignmentAuditLog).where(
            AssignmentAuditLog.vendor_id == absent.id))
        assert audit is not None and (audit.from_booth_code, audit.reason) == ("A-02", "무단 불참")
        names = await event_names(session)
    assert absent.id not in await _booths_of_day(session_factory, day)
    assert "market_application.no_show_place_released" in names
    (offer,) = await _offers(session_factory)
    assert (offer.application_id, offer.status) == (ids["first"], OfferStatus.OPEN)
    assert (offer.freed_by_application_id, offer.freed_market_day_id) == (ids["day"], day.id)
    assert offer.freed_booth_id == ids["a02"]
    assert offer.expires_at == day.closes_at  # the place is worth nothing after the day

    # Declined: the next in line for that day gets it (not the whole-booking chain).
    async with session_factory() as session:
        await waitlist_offers.answer_offer(session, offer.id, world.owners[2], False,
                                    now=at(day, 16, 25))
    offers = await _offers(session_factory)
    assert [(o.application_id, o.status) for o in offers] == [
        (ids["first"], OfferStatus.DECLINED), (ids["second"], OfferStatus.OPEN)]
    assert offers[1].freed_market_day_id == day.id and offers[1].freed_booth_id == ids["a02"]

    # Accepted: vendor 3 is accepted and sells in the freed booth, on the published map.
    async with session_factory() as session:
        await waitlist_offers.answer_offer(session, offers[1].id, world.owners[3], True,
                                    now=at(day, 16, 30))
        taker = await session.get(Application, ids["second"])
        assert taker is not None and taker.status is ApplicationStatus.ACCEPTED
    placed = await _booths_of_day(session_factory, day)
    assert placed[world.vendors[3].id] == ("A-02", BoardStatus.PUBLISHED)
    assert placed[world.vendors[0].id] == ("A-01", BoardStatus.PUBLISHED)

    # The no-show was only late after all: the strike goes, but the place stays taken.
    async with session_factory() as session:
        await record_check_in(session, day.id, absent.id, world.boss, "late",
                              "17시 도착", now=at(day, 17))
        app = await session.get(Application, ids["day"])
        assert app is not None and app.strikes == 0
    placed = await _booths_of_day(session_factory, day)
    assert absent.id not in placed and placed[world.vendors[3].id][0] == "A-02"
    # Resolved explicitly, never one over capacity: the day stays given up for the late
    # vendor (the accepted offer counts), so the day's bookings still fit its places.
    async with session_factory() as session:
        released = await released_days(session, [ids["day"]])
        assert released[ids["day"]] == frozenset({day.id})


async def test_a_corrected_no_show_gets_its_booth_back_and_the_offer_is_voided(
    session_factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay
) -> None:
    ids = await _line_up(session_factory, world, day)
    absent = world.vendors[1]
    async with session_factory() as session:
        await record_check_in(session, day.id, absent.id, world.boss, "no_show",
                              now=at(day, 16, 5))
    async with session_factory() as session:  # recording no_show again changes nothing
        await record_check_in(session, day.id, absent.id, world.boss, "no_show",
                              now=at(day, 16, 6))
    assert len(await _offers(session_factory)) == 1
    async with session_factory() as session:
        await record_check_in(session, day.id, absent.id, world.boss, CheckInStatus.LATE,
                              now=at(day, 16, 10))
        app = await session.get(Application, ids["day"])
        assert app is not None and app.strikes == 0
        assert "market_application.no_show_place_restored" in await event_names(session)
    (offer,) = await _offers(session_factory)
    assert offer.status is OfferStatus.VOID
    back = (await _booths_of_day(session_factory, day))[absent.id]
    assert back == ("A-02", BoardStatus.PUBLISHED)
    async with session_factory() as session:
        with pytest.raises(Conflict) as gone:
            await waitlist_offers.answer_offer(session, offer.id, world.owners[2], True,
                                        now=at(day, 16, 11))
        assert gone.value.code == "waitlist_offer_not_open"


async def test_only_vendors_waiting_for_that_very_day_are_offered_it(
    session_factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay
) -> None:
    async with session_factory() as session:
        await booked(session, world.market, world.vendors[0], SEASON)
        await booked(session, world.market, world.vendors[1], SEASON, day_ids=[day.id])
        # Waiting for another Tuesday, which has a place free: it would fit, but the freed
        # place is this Tuesday's, which it did not ask for.
        await booked(session, world.market, world.vendors[2], SEASON,
                     status=ApplicationStatus.WAITLISTED, day_ids=[world.days[2].id])
        await session.commit()
    async with session_factory() as session:  # no board, no booths: only the place is freed
        await record_check_in(session, day.id, world.vendors[1].id, world.boss, "no_show",
                              now=at(day, 16))
    assert await _offers(session_factory) == []


async def test_once_the_day_has_closed_the_booth_is_freed_but_nobody_is_offered_it(
    session_factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay
) -> None:
    await _line_up(session_factory, world, day)
    async with session_factory() as session:
        await record_check_in(session, day.id, world.vendors[1].id, world.boss, "no_show",
                              "마감 후 정리하며 기록", now=at(day, 18, 30))
    assert await _offers(session_factory) == []
    assert world.vendors[1].id not in await _booths_of_day(session_factory, day)


async def test_the_check_in_api_frees_the_place(
    client: AsyncTestClient[Any], session_factory: async_sessionmaker[AsyncSession],
    world: World,
) -> None:
    """Through the HTTP API at the real time: a day that is on now."""
    now = utcnow()
    async with session_factory() as session:
        today = MarketDay(market_id=world.market.id, day=(now + dt.timedelta(hours=9)).date(),
                          setup_from=now - dt.timedelta(hours=1), opens_at=now,
                          closes_at=now + dt.timedelta(hours=3), booth_fee=0)
        session.add(today)
        await session.flush()
        await booked(session, world.market, world.vendors[0], today.day.year,
                     day_ids=[today.id])
        await booked(session, world.market, world.vendors[1], today.day.year,
                     day_ids=[today.id])
        waiting = await booked(session, world.market, world.vendors[2], today.day.year,
                               status=ApplicationStatus.WAITLISTED, day_ids=[today.id])
        await session.commit()
        day_id, waiting_id = today.id, waiting.id
    response = await client.put(
        f"/api/markets/days/{day_id}/check-ins/{world.vendors[1].id}",
        json={"status": "no_show"}, headers=world.tokens["boss"],
    )
    assert response.status_code == 200, response.text
    offers = await client.get(f"/api/markets/vendors/{world.vendors[2].id}/offers",
                              headers=world.tokens["owner2"])
    (offer,) = offers.json()
    assert offer["application_id"] == waiting_id and offer["status"] == "open"
    assert offer["freed_market_day_id"] == day_id and offer["freed_booth_id"] is None


# ---------------------------------------------------------------- races


async def test_two_organizers_recording_the_same_no_show_give_one_strike_and_one_offer(
    session_factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay
) -> None:
    ids = await _line_up(session_factory, world, day)
    absent = world.vendors[1].id
    async with session_factory() as session:  # first marked present, then both correct it
        await record_check_in(session, day.id, absent, world.boss, "present",
                              now=at(day, 15, 50))
    outcomes = await _race(session_factory, [
        lambda s: record_check_in(s, day.id, absent, world.boss, "no_show", now=at(day, 16, 30)),
        lambda s: record_check_in(s, day.id, absent, world.juror, "no_show",
                                  now=at(day, 16, 30)),
    ])
    assert outcomes == ["ok", "ok"]
    async with session_factory() as session:
        app = await session.get(Application, ids["day"])
        assert app is not None and app.strikes == 1
    offers = await _offers(session_factory)
    assert [(o.application_id, o.status) for o in offers] == [(ids["first"], OfferStatus.OPEN)]


async def test_a_no_show_and_a_withdrawal_at_once_offer_each_freed_place_once(
    session_factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay
) -> None:
    ids = await _line_up(session_factory, world, day)
    outcomes = await _race(session_factory, [
        lambda s: record_check_in(s, day.id, world.vendors[1].id, world.boss, "no_show",
                                  now=at(day, 15, 30)),
        lambda s: applying.withdraw(s, ids["season"], world.owners[0], "급한 사정",
                                    now=at(day, 15, 30)),
    ])
    assert outcomes == ["ok", "ok"]
    async with session_factory() as session:
        open_offers = (await session.execute(
            select(WaitlistOffer.application_id, func.count(WaitlistOffer.id))
            .where(WaitlistOffer.status == OfferStatus.OPEN)
            .group_by(WaitlistOffer.application_id)
        )).all()
    # Two places freed on the day, two vendors waiting for it: each offered exactly one.
    assert sorted(open_offers) == sorted([(ids["first"], 1), (ids["second"], 1)])


async def test_many_organizers_marking_one_no_show_offer_the_place_once(
    session_factory: async_sessionmaker[AsyncSession], world: World, day: MarketDay,
) -> None:
    ids = await _line_up(session_factory, world, day)
    outcomes = await _race(session_factory, [
        (lambda s, who=who: record_check_in(s, day.id, world.vendors[1].id, who, "no_show",
                                            now=at(day, 16)))
        for who in [world.boss, world.juror] * 4
    ])
    # Concurrent first recordings may meet on the (day, vendor) key: a clean 409, never two.
    assert set(outcomes) <= {"ok", "concurrent_change"} and "ok" in outcomes
    offers = await _offers(session_factory)
    assert [(o.application_id, o.status) for o in offers] == [(ids["first"], OfferStatus.OPEN)]
    async with session_factory() as session:
        app = await session.get(Application, ids["day"])
        assert app is not None and app.strikes == 1

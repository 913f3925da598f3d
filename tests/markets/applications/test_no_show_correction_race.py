"""A no-show corrected at the very moment the waitlisted vendor accepts the freed place.

Both take the market lock, so one goes first and the other sees its result: either the
correction voids the offer (the acceptance is refused, the vendor gets its booth back) or
the acceptance stands (the correction takes back the strike only, the day stays given up).
Never both in the booth, never one booking over the day's places. On PostgreSQL the two
transactions really overlap."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.applications import offers as waitlist_offers
from markets.applications.models import Application, ApplicationStatus, OfferStatus
from markets.applications.queries import booked_applications, released_days
from markets.assignment.models import BoardStatus
from markets.days.check_in import record_check_in
from markets.days.models import MarketDay
from tests.fixtures.races import race
from tests.markets.applications.conftest import World
from tests.markets.applications.test_no_show_frees_the_place import (
    _booths_of_day,
    _line_up,
    _offers,
    at,
    day,  # noqa: F401 - fixture
)


@pytest.mark.parametrize("started_first", ["correction", "acceptance"])
async def test_a_correction_and_an_acceptance_at_once_leave_one_vendor_per_place(
    session_factory: async_sessionmaker[AsyncSession], world: World,
    day: MarketDay,  # noqa: F811
    started_first: str,
) -> None:
    ids = await _line_up(session_factory, world, day)
    absent, taker = world.vendors[1], world.vendors[2]
    async with session_factory() as session:
        await record_check_in(session, day.id, absent.id, world.boss, "no_show",
                              now=at(day, 16, 5))
    (offer,) = await _offers(session_factory)
    assert offer.application_id == ids["first"]

    works = {
        "correction": lambda s: record_check_in(s, day.id, absent.id, world.boss, "late",
                                                "16시 10분 도착", now=at(day, 16, 10)),
        "acceptance": lambda s: waitlist_offers.answer_offer(s, offer.id, world.owners[2], True,
                                                             now=at(day, 16, 10)),
    }
    names = [started_first, *(n for n in works if n != started_first)]
    outcome = dict(zip(names, await race(session_factory, [works[n] for n in names]),
                       strict=True))

    placed = await _booths_of_day(session_factory, day)
    (offer,) = await _offers(session_factory)
    async with session_factory() as session:
        late = await session.get(Application, ids["day"])
        waiting = await session.get(Application, ids["first"])
        assert late is not None and waiting is not None
        assert late.strikes == 0  # the correction always takes back the strike
        released = await released_days(session, [ids["day"]])
        booked = await booked_applications(session, day)
        given_up = await released_days(session, [a.id for a in booked])
    if outcome == {"correction": "ok", "acceptance": "waitlist_offer_not_open"}:
        # The correction went first.
        assert offer.status is OfferStatus.VOID
        assert placed[absent.id] == ("A-02", BoardStatus.PUBLISHED)
        assert taker.id not in placed and waiting.status is ApplicationStatus.WAITLISTED
        assert released.get(ids["day"], frozenset()) == frozenset()
    else:  # the acceptance went first and stands
        assert outcome == {"correction": "ok", "acceptance": "ok"}, outcome
        assert offer.status is OfferStatus.ACCEPTED
        assert placed[taker.id] == ("A-02", BoardStatus.PUBLISHED) and absent.id not in placed
        assert waiting.status is ApplicationStatus.ACCEPTED
        assert released[ids["day"]] == frozenset({day.id})  # resolved: the day stays given up
    # Either way: two places, two vendors selling, one in each.
    assert sorted(code for code, _ in placed.values()) == ["A-01", "A-02"]
    selling = [a for a in booked if day.id not in given_up.get(a.id, frozenset())]
    assert len(selling) == 2

"""How a market day went, from market-day events only: booked, attendance by status, booth
reports (latest revision), and the rates the organizer dashboard shows (issue 11's numbers:
20 booked, 15 present, 2 late, 1 absent, 2 no-shows; 15 of the 17 who came report)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from infra.events import EventEnvelope
from markets.days.events import CheckInRecorded, MarketDayHeld
from shop.analytics import market_days, rollups
from shop.analytics.dashboard import Period
from shop.analytics.market_report import market_report
from shop.analytics.models import MarketDayAttendance
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import (
    AnalyticsWorld,
    Factory,
    consume_all,
    consume_batch,
    envelope,
)
from tests.shop.analytics.test_booth_and_institutional_facts import MARKET_DAY, report

MARKET, DAY_ID = 3, 17
_report_ids = itertools.count(500)


def check_in(vendor_id: int, status: str, *, at: dt.datetime, previous: str | None = None,
             category: str = "food", market: int = MARKET) -> EventEnvelope:
    event = CheckInRecorded(id=DAY_ID, market_id=market, vendor_id=vendor_id,
                            application_id=vendor_id, status=status, previous_status=previous,
                            day=MARKET_DAY.isoformat(), category=category)
    return envelope(event.name, event.to_payload(), at)


def held(vendor_ids: list[int], *, at: dt.datetime, market: int = MARKET) -> EventEnvelope:
    event = MarketDayHeld(id=DAY_ID, market_id=market, day=MARKET_DAY.isoformat(),
                          booked=[{"vendor_id": v, "category": "crafts"} for v in vendor_ids])
    return envelope(event.name, event.to_payload(), at)


def booth_report(vendor_id: int, revision: int, amount: int, receipts: int, *,
                 report_id: int, at: dt.datetime, market: int = MARKET) -> EventEnvelope:
    made = report(vendor_id, revision, amount, receipts, at=at)
    made.payload["id"] = report_id
    made.payload["market_id"] = market
    made.payload["market_day_id"] = DAY_ID
    return made


def the_day(first_vendor: int = 101, market: int = MARKET) -> list[EventEnvelope]:
    """20 booked: 15 present (one first recorded as a no-show, then corrected), 2 late,
    1 absent, 2 no-shows; 15 of the 17 who came report 150,000 won each (one of them first
    120,000 / 8, corrected to 150,000 / 10)."""
    vendors = list(range(first_vendor, first_vendor + 20))
    present, late, absent, no_show = vendors[:15], vendors[15:17], vendors[17:18], vendors[18:]
    opening = seoul(MARKET_DAY, 10)
    events = [check_in(present[0], "no_show", at=opening, market=market)]
    events += [check_in(v, "present", at=opening + dt.timedelta(minutes=1), market=market,
                        previous="no_show" if v == present[0] else None) for v in present]
    events += [check_in(v, "late", at=opening + dt.timedelta(minutes=30), market=market)
               for v in late]
    events += [check_in(v, "absent", at=opening, market=market) for v in absent]
    events += [check_in(v, "no_show", at=opening + dt.timedelta(hours=1), market=market)
               for v in no_show]
    # The day closes; the no-shows gave their places up and are not listed as booked.
    events.append(held(present + late + absent, at=seoul(MARKET_DAY, 22), market=market))
    reporters = (present + late)[2:]  # 15 of the 17 who came
    evening = seoul(MARKET_DAY, 19)
    for vendor in reporters:
        report_id = next(_report_ids)
        if vendor == reporters[0]:
            events.append(booth_report(vendor, 1, 120_000, 8, report_id=report_id, at=evening,
                                       market=market))
            events.append(booth_report(vendor, 2, 150_000, 10, report_id=report_id,
                                       at=evening + dt.timedelta(hours=1), market=market))
        else:
            events.append(booth_report(vendor, 1, 150_000, 10, report_id=report_id, at=evening,
                                       market=market))
    return events


async def _figures(factory: Factory) -> tuple[object, ...]:
    async with factory() as session:
        report_ = await market_report(session, {MARKET: "광화문 장터"},
                                      Period(MARKET_DAY, MARKET_DAY), now=seoul(MARKET_DAY, 23))
    (day,) = report_.days
    return (day.booked, day.present, day.late, day.absent, day.no_show, day.attendance_rate,
            day.no_show_rate, day.reports, day.reporting_rate, day.reported_sales,
            day.average_sales, day.receipts)


EXPECTED = (20, 15, 2, 1, 2, 85.0, 10.0, 15, 88.2, 2_250_000, 150_000, 150)


@pytest.mark.parametrize("order", ["as sent", "reversed", "shuffled", "one batch"])
async def test_the_issue_numbers_in_any_arrival_order_and_redelivered(
    world: AnalyticsWorld, session_factory: Factory, order: str
) -> None:
    events = the_day()
    if order == "reversed":
        events.reverse()
    elif order == "shuffled":
        events = events[1::2] + events[::2]
    if order == "one batch":  # the worker's path: a relay batch in one transaction
        await consume_batch(session_factory, events[::-1] + events)
    else:
        await consume_all(session_factory, events)
    assert await _figures(session_factory) == EXPECTED
    await consume_all(session_factory, events[::-1] + events)  # every event again, twice
    assert await _figures(session_factory) == EXPECTED
    async with session_factory() as session:
        assert await rollups.check_range(session) == []
        corrected = (await session.scalars(select(MarketDayAttendance).where(
            MarketDayAttendance.vendor_id == 101))).one()
        assert corrected.status == "present"


async def test_the_latest_booth_revision_counts_for_the_day_in_either_order(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    at = seoul(MARKET_DAY, 19)
    first = booth_report(7, 1, 120_000, 8, report_id=900, at=at)
    second = booth_report(7, 2, 150_000, 10, report_id=900, at=at + dt.timedelta(hours=1))
    await consume_all(session_factory, [second, first])
    async with session_factory() as session:
        (row,) = (await market_days.stored(session)).values()
        assert row[-3:] == (1, 150_000, 10)
        assert await rollups.check_range(session) == []


async def test_the_category_mix_and_the_rebuild(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    await consume_all(session_factory, the_day())
    async with session_factory() as session:
        report_ = await market_report(session, {MARKET: "광화문 장터"},
                                      Period(MARKET_DAY, MARKET_DAY), now=seoul(MARKET_DAY, 23))
        mix = report_.table("category-mix")
        assert mix is not None
        assert mix.rows == [["식품", 20, 2_250_000, 100.0]]
        calendar = report_.table("season-calendar")
        assert calendar is not None  # 2025-05-11 is a Sunday, in the week of Monday 05-05
        assert calendar.rows == [["05-05주", "", "", "", "", "", "",
                                  "광화문 장터 출석 85.0 % · 2,250,000원"]]
        before = await market_days.stored(session)
        await rollups.rebuild(session)
    async with session_factory() as session:
        assert await market_days.stored(session) == before
        assert await rollups.check_range(session) == []


def test_analytics_names_the_market_day_events_as_markets_does() -> None:
    assert CheckInRecorded.name == market_days.CHECK_IN_RECORDED
    assert MarketDayHeld.name == market_days.MARKET_DAY_HELD

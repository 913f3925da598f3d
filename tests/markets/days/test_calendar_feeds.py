"""The iCalendar feeds a phone subscribes to: valid RFC 5545 served as text/calendar, one
event per day with a UID that never changes between polls, Seoul times, cancelled days kept
as STATUS:CANCELLED, and a vendor's feed showing only the days it is booked on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import seoul_today
from markets.applications.models import ApplicationStatus
from markets.days import calendar_addresses
from markets.days.services import cancel_market_day
from shop.vendors.models import VendorStatus
from tests.fixtures.apps import login
from tests.markets.market_world import (
    add_days,
    add_market,
    booked,
    detached,
    kst,
    organizer,
    vendor_with_owner,
)
from tests.shop.factories import make_vendor

D = dt.date
SEOUL = "Asia/Seoul"


async def _feed(session: AsyncSession, vendor_id: int) -> str:
    """The vendor's secret feed address, as its console shows it."""
    return calendar_addresses.feed_path(await calendar_addresses.token_of(session, vendor_id))


def _events(body: bytes) -> list[Any]:
    cal = icalendar.Calendar.from_ical(body)
    return [c for c in cal.walk("VEVENT")]


async def test_market_feed_lists_every_day_and_keeps_cancelled_ones_as_cancelled(
    client: AsyncTestClient[Any], db_session: AsyncSession
) -> None:
    market = await add_market(db_session, "달시장")
    today = seoul_today()
    days = await add_days(
        db_session, market, today + dt.timedelta(days=1), today + dt.timedelta(days=100)
    )
    boss = await organizer(db_session, market)
    await db_session.commit()
    detached(db_session, boss)
    await cancel_market_day(db_session, days[0].id, boss, "폭염 경보")

    first = await client.get(f"/markets/{market.id}/calendar.ics")
    second = await client.get(f"/markets/{market.id}/calendar.ics")

    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    assert first.content == second.content  # stable between polls
    cal = icalendar.Calendar.from_ical(first.content)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [SEOUL]
    events = _events(first.content)
    assert len(events) == len(days) >= 3
    assert [str(e["UID"]) for e in events] == [
        f"market-{market.id}-{d.day.isoformat()}@jangteo.kr" for d in days
    ]
    for event, day in zip(events, days, strict=True):
        start = event.decoded("DTSTART")
        assert str(start.tzinfo) == SEOUL
        assert start.time() == dt.time(17) and start.date() == day.day  # last Friday 17:00
        assert start.astimezone(dt.UTC) == day.opens_at
        assert event.decoded("DTEND").astimezone(dt.UTC) == day.closes_at
        assert "DTSTAMP" in event
    assert str(events[0]["STATUS"]) == "CANCELLED"
    assert "폭염 경보" in str(events[0]["DESCRIPTION"])
    assert {str(e["STATUS"]) for e in events[1:]} == {"CONFIRMED"}
    assert b"TZID=Asia/Seoul" in first.content


async def test_markets_api_points_to_each_calendar_feed(
    client: AsyncTestClient[Any], db_session: AsyncSession
) -> None:
    market = await add_market(db_session, "늘장")
    await db_session.commit()
    listing = (await client.get("/api/markets")).json()
    assert listing[0]["calendar_url"] == f"/markets/{market.id}/calendar.ics"
    assert {"id", "name", "schedule"} <= set(listing[0])
    feed = await client.get(listing[0]["calendar_url"])
    assert feed.status_code == 200
    assert (await client.get("/markets/999999/calendar.ics")).status_code == 404


async def test_vendor_feed_shows_only_booked_days_with_setup_time(
    client: AsyncTestClient[Any], db_session: AsyncSession
) -> None:
    market = await add_market(db_session, "동진시장")
    year = seoul_today().year + 1
    days = await add_days(db_session, market, D(year, 5, 1), D(year, 5, 31))  # 4 Tuesdays
    season_vendor, _ = await vendor_with_owner(db_session)
    one_day_vendor, _ = await vendor_with_owner(db_session)
    waiting, _ = await vendor_with_owner(db_session)
    await booked(db_session, market, season_vendor, year)
    await booked(db_session, market, one_day_vendor, year, day_ids=[days[2].id])
    await booked(db_session, market, waiting, year, status=ApplicationStatus.WAITLISTED)
    pending = await make_vendor(db_session, status=VendorStatus.APPLIED)
    await db_session.commit()

    season_feed = await client.get(await _feed(db_session, season_vendor.id))
    one_feed = await client.get(await _feed(db_session, one_day_vendor.id))
    waiting_feed = await client.get(await _feed(db_session, waiting.id))

    assert season_feed.headers["content-type"].startswith("text/calendar")
    season_events = _events(season_feed.content)
    assert [e.decoded("DTSTART").date() for e in season_events] == [d.day for d in days]
    first = season_events[0]
    uid = f"vendor-{season_vendor.id}-market-{market.id}-{days[0].day}@jangteo.kr"
    assert str(first["UID"]) == uid
    # Setup starts an hour before the 16:00 opening; the entry blocks setup to closing.
    assert first.decoded("DTSTART") == kst(year, 5, days[0].day.day, 15)
    assert first.decoded("DTEND").astimezone(dt.UTC) == days[0].closes_at
    assert "설치 15:00부터" in str(first["DESCRIPTION"])
    assert "운영 16:00–18:00" in str(first["DESCRIPTION"])
    assert [e.decoded("DTSTART").date() for e in _events(one_feed.content)] == [days[2].day]
    assert _events(waiting_feed.content) == []
    assert (await client.get(await _feed(db_session, pending.id))).status_code == 404


async def test_vendor_feed_shows_the_published_booth_and_the_equipment_pickup(
    client: AsyncTestClient[Any], db_session: AsyncSession
) -> None:
    from markets.assignment.models import Assignment, BoardStatus
    from markets.booths.models import Booth, BoothSize
    from markets.lending.models import Loan, LoanStatus, PickupSlot

    market = await add_market(db_session, "동진시장")
    year = seoul_today().year + 1
    first, second, *_ = await add_days(db_session, market, D(year, 5, 1), D(year, 5, 31))
    vendor, _ = await vendor_with_owner(db_session)
    await booked(db_session, market, vendor, year)
    booth = Booth(market_id=market.id, code="A-07", zone="A", size=BoothSize.STANDARD)
    db_session.add(booth)
    await db_session.flush()
    db_session.add_all([
        Assignment(market_day_id=first.id, booth_id=booth.id, vendor_id=vendor.id,
                   status=BoardStatus.PUBLISHED),
        Assignment(market_day_id=second.id, booth_id=booth.id, vendor_id=vendor.id,
                   status=BoardStatus.DRAFT),  # not published yet: not shown
    ])
    slot = PickupSlot(market_id=market.id, starts_at=kst(year, 5, first.day.day, 14, 30),
                      capacity=5)
    db_session.add(slot)
    await db_session.flush()
    db_session.add(Loan(vendor_id=vendor.id, market_id=market.id, market_day_id=first.id,
                        starts_at=first.setup_from, ends_at=first.closes_at,
                        pickup_slot_id=slot.id, status=LoanStatus.RESERVED))
    await db_session.commit()

    events = _events((await client.get(await _feed(db_session, vendor.id))).content)
    assert str(events[0]["SUMMARY"]) == "동진시장 부스 A-07"
    assert "부스 번호: A-07" in str(events[0]["DESCRIPTION"])
    assert "장비 수령: 14:30" in str(events[0]["DESCRIPTION"])
    assert str(events[1]["SUMMARY"]) == "동진시장 부스"
    assert "배정 전" in str(events[1]["DESCRIPTION"])

    # Publishing changes the entry (its booth), so its DTSTAMP moves to the board's change.
    from sqlalchemy import update

    from markets.assignment.models import AssignmentBoard

    stamp_before = events[0].decoded("DTSTAMP")
    published = (first.updated_at or first.created_at) + dt.timedelta(days=3, seconds=7)
    db_session.add(AssignmentBoard(market_day_id=first.id, market_id=market.id,
                                   status=BoardStatus.PUBLISHED))
    await db_session.flush()
    await db_session.execute(update(AssignmentBoard).where(
        AssignmentBoard.market_day_id == first.id).values(updated_at=published))
    await db_session.commit()
    again = _events((await client.get(await _feed(db_session, vendor.id))).content)
    assert again[0].decoded("DTSTAMP") == published.astimezone(dt.UTC).replace(microsecond=0)
    assert again[0].decoded("DTSTAMP") > stamp_before
    assert again[1].decoded("DTSTAMP") == events[1].decoded("DTSTAMP")  # no board: unchanged


async def test_a_vendor_feed_is_reached_only_by_its_secret_address_which_members_can_reset(
    client: AsyncTestClient[Any], db_session: AsyncSession
) -> None:
    market = await add_market(db_session, "동진시장")
    year = seoul_today().year + 1
    await add_days(db_session, market, D(year, 5, 1), D(year, 5, 31))
    vendor, owner = await vendor_with_owner(db_session)
    await booked(db_session, market, vendor, year)
    await db_session.commit()

    # Guessing by vendor id finds nothing; the address holds no vendor id.
    assert (await client.get(f"/vendors/{vendor.id}/calendar.ics")).status_code == 404
    old = await _feed(db_session, vendor.id)
    assert old == await _feed(db_session, vendor.id)  # stable between polls
    token = old.removeprefix("/calendars/").removesuffix("/booths.ics")
    assert len(token) >= 40 and "/" not in token  # a random secret, not the vendor's id
    feed = await client.get(old)
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    # Booked but no booth published yet: tentative, not confirmed.
    assert {str(e["STATUS"]) for e in _events(feed.content)} == {"TENTATIVE"}

    await login(client, owner.email)
    shown = await client.get(f"/api/markets/vendors/{vendor.id}/calendar")
    assert shown.json() == {"path": old}
    # A cookie-signed-in write to the API carries the CSRF header, as a page's script would.
    reset = await client.post(f"/api/markets/vendors/{vendor.id}/calendar/reset",
                              headers={"X-CSRFToken": client.cookies.get("csrftoken") or ""})
    assert reset.status_code == 200
    new = reset.json()["path"]
    assert new != old
    missing = await client.get(old)
    assert missing.status_code == 404 and "재발급" in missing.text
    assert (await client.get(new)).status_code == 200

    _, other_owner = await vendor_with_owner(db_session)
    await db_session.commit()
    await login(client, other_owner.email)
    assert (await client.get(f"/api/markets/vendors/{vendor.id}/calendar")).status_code == 403

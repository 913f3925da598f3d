"""iCalendar feeds (RFC 5545) of a market's days and of a vendor's booth days.

Phone calendars subscribe to a URL and poll it, so a feed must be stable between polls:
UIDs are built from the market and the local date (never from row ids or the clock), DTSTAMP
and LAST-MODIFIED are the row's last change, and a cancelled day stays in the feed with
``STATUS:CANCELLED`` and a higher SEQUENCE, which is how clients learn to strike it out.
Times carry ``TZID=Asia/Seoul`` with the VTIMEZONE block clients need to read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from markets.applications.models import Application, ApplicationStatus
from markets.applications.queries import days_covered
from markets.days.models import MarketDay, MarketDayStatus
from markets.models import Market
from shop.vendors.models import Vendor

#: Litestar adds ``; charset=utf-8`` to text types itself; naming it here sent it twice.
MEDIA_TYPE = "text/calendar"
UID_DOMAIN = "jangteo.kr"
#: How far back a feed reaches; older days are history, not plans.
PAST_DAYS = 60
#: Clients that honour it poll every six hours (REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH = dt.timedelta(hours=6)
FEED_TIMEZONE = "Asia/Seoul"


def market_day_uid(market_id: int, day: dt.date) -> str:
    return f"market-{market_id}-{day.isoformat()}@{UID_DOMAIN}"


def vendor_day_uid(vendor_id: int, market_id: int, day: dt.date) -> str:
    return f"vendor-{vendor_id}-market-{market_id}-{day.isoformat()}@{UID_DOMAIN}"


def _calendar(name: str, description: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Jangteo 장터//Markets//KO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", FEED_TIMEZONE)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    return cal


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment.astimezone(zone)


def _hhmm(moment: dt.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _event(
    *,
    uid: str,
    summary: str,
    location: str,
    description: str,
    start: dt.datetime,
    end: dt.datetime,
    day: MarketDay,
    zone: ZoneInfo,
    tentative: bool = False,
    changed_at: dt.datetime | None = None,
) -> icalendar.Event:
    """One day. ``tentative``: the vendor is booked but has no published booth yet, so the
    day may still move for them (RFC 5545 STATUS:TENTATIVE until the booth is published)."""
    event = icalendar.Event()
    cancelled = day.status is MarketDayStatus.CANCELLED
    event.add("uid", uid)
    event.add("summary", f"[취소] {summary}" if cancelled else summary)
    event.add("location", location)
    event.add("description", description)
    event.add("dtstart", _local(start, zone))
    event.add("dtend", _local(end, zone))
    # The entry's last change: the day's row, or (a vendor's entry) the day's assignment
    # board when it changed later, e.g. publishing the booth.
    moments = [day.updated_at or day.created_at, *([changed_at] if changed_at else [])]
    stamp = max(m.astimezone(dt.UTC) for m in moments).replace(microsecond=0)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("status", "CANCELLED" if cancelled else "TENTATIVE" if tentative else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    event.add("transp", "OPAQUE")
    return event


def _to_bytes(cal: icalendar.Calendar, days: Sequence[MarketDay]) -> bytes:
    if days:
        first = min(d.day for d in days)
        cal.add_missing_timezones(
            first_date=first - dt.timedelta(days=1),
            last_date=max(d.day for d in days) + dt.timedelta(days=1),
        )
    return bytes(cal.to_ical())


def _window_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=PAST_DAYS)


async def market_feed(
    session: AsyncSession, market: Market, *, today: dt.date | None = None
) -> bytes:
    """Every generated day of the market from 60 days ago on, cancelled ones included."""
    zone = ZoneInfo(market.timezone)
    since = _window_start(today or utcnow().astimezone(zone).date())
    days = list(
        (
            await session.scalars(
                select(MarketDay)
                .where(MarketDay.market_id == market.id, MarketDay.day >= since)
                .order_by(MarketDay.day)
            )
        ).all()
    )
    cal = _calendar(market.name, f"{market.place} · {market.organizer_name}")
    for day in days:
        lines = [
            f"{market.name} ({market.place})",
            f"운영 {_hhmm(day.opens_at, zone)}–{_hhmm(day.closes_at, zone)}",
        ]
        if day.status is MarketDayStatus.CANCELLED:
            lines.insert(0, f"취소되었습니다. 사유: {day.cancel_reason}")
        cal.add_component(
            _event(
                uid=market_day_uid(market.id, day.day), summary=market.name,
                location=market.place, description="\n".join(lines), start=day.opens_at,
                end=day.closes_at, day=day, zone=zone,
            )
        )
    return _to_bytes(cal, days)


@dataclass(frozen=True)
class BoothDay:
    """One day a vendor holds a booth, with what its calendar entry should say."""

    market: Market
    day: MarketDay
    booth_code: str | None
    pickups: tuple[dt.datetime, ...]
    #: When the day's assignment board last changed (None: never run).
    board_changed_at: dt.datetime | None = None


async def _pickups(
    session: AsyncSession, vendor_id: int, day_ids: Sequence[int]
) -> dict[int, list[dt.datetime]]:
    """Equipment pickup times per market day (markets.lending), when the vendor borrows."""
    if not day_ids:
        return {}
    try:
        from markets.lending.models import HOLDING_STATUSES, Loan, PickupSlot
    except ImportError:  # lending not installed in this build
        return {}
    rows = (
        await session.execute(
            select(Loan.market_day_id, PickupSlot.starts_at)
            .join(PickupSlot, PickupSlot.id == Loan.pickup_slot_id)
            .where(
                Loan.vendor_id == vendor_id,
                Loan.market_day_id.in_(list(day_ids)),
                Loan.status.in_(list(HOLDING_STATUSES)),
            )
        )
    ).all()
    found: dict[int, list[dt.datetime]] = {}
    for day_id, starts_at in rows:
        if day_id is not None:
            found.setdefault(int(day_id), []).append(starts_at)
    return found


async def _booth_codes(
    session: AsyncSession, vendor_id: int, day_ids: Sequence[int]
) -> dict[int, str]:
    """The vendor's booth code per market day, from *published* assignments only (a draft
    may still change; vendors learn their booth when the organizer publishes)."""
    try:
        from markets.assignment.queries import published_booth_codes
    except ImportError:  # assignment not installed in this build
        return {}
    return await published_booth_codes(session, vendor_id, day_ids)


async def _boards_changed(
    session: AsyncSession, day_ids: Sequence[int]
) -> dict[int, dt.datetime]:
    try:
        from markets.assignment.queries import board_changed_at
    except ImportError:  # assignment not installed in this build
        return {}
    return await board_changed_at(session, day_ids)


async def booth_days(
    session: AsyncSession, vendor_id: int, *, since: dt.date | None = None
) -> list[BoothDay]:
    """The days the vendor is booked on (accepted applications), earliest first."""
    applications = (
        await session.scalars(
            select(Application).where(
                Application.vendor_id == vendor_id,
                Application.status == ApplicationStatus.ACCEPTED,
            )
        )
    ).all()
    found: list[tuple[Market, MarketDay]] = []
    for application in applications:
        market = await session.get(Market, application.market_id)
        assert market is not None
        for day in await days_covered(session, application):
            if since is None or day.day >= since:
                found.append((market, day))
    day_ids = [d.id for _, d in found]
    pickups = await _pickups(session, vendor_id, day_ids)
    booths = await _booth_codes(session, vendor_id, day_ids)
    changed = await _boards_changed(session, day_ids)
    return [
        BoothDay(market, day, booths.get(day.id), tuple(sorted(pickups.get(day.id, []))),
                 changed.get(day.id))
        for market, day in sorted(found, key=lambda pair: (pair[1].opens_at, pair[0].id))
    ]


async def vendor_feed(
    session: AsyncSession, vendor: Vendor, *, today: dt.date | None = None
) -> bytes:
    """The vendor's booth days: setup from, opening hours, booth, equipment pickup."""
    zone = ZoneInfo(FEED_TIMEZONE)
    since = _window_start(today or utcnow().astimezone(zone).date())
    entries = await booth_days(session, vendor.id, since=since)
    cal = _calendar(f"{vendor.name} 장터 일정", "장터 부스 참가 일정 (장터 Jangteo)")
    for entry in entries:
        market, day = entry.market, entry.day
        summary = f"{market.name} 부스"
        if entry.booth_code:
            summary += f" {entry.booth_code}"
        lines = [
            f"설치 {_hhmm(day.setup_from, zone)}부터 · 운영 "
            f"{_hhmm(day.opens_at, zone)}–{_hhmm(day.closes_at, zone)}",
            f"부스 번호: {entry.booth_code}" if entry.booth_code else "부스 번호: 배정 전",
        ]
        lines += [f"장비 수령: {_hhmm(p, zone)}" for p in entry.pickups]
        if day.status is MarketDayStatus.CANCELLED:
            lines.insert(0, f"취소되었습니다. 사유: {day.cancel_reason}")
        cal.add_component(
            _event(
                uid=vendor_day_uid(vendor.id, market.id, day.day), summary=summary,
                location=market.place, description="\n".join(lines), start=day.setup_from,
                end=day.closes_at, day=day, zone=zone, tentative=entry.booth_code is None,
                changed_at=entry.board_changed_at,
            )
        )
    return _to_bytes(cal, [e.day for e in entries])

"""Telling vendors a published assignment (the worker side of ``assignment.published``).

Each vendor booked on the day reads one notice on its market pages (and in
``GET /api/markets/vendors/{id}/notices``): a placed vendor its booth, the day and when to
set up; an unplaced vendor why it has no booth. The texts come from the event's own list of
placements (what was published), the times from the market day.

Idempotent per (vendor, event): the notices carry the event id under a unique key, so a
redelivered message writes nothing twice, while publishing again after a reopening (a new
event) tells everyone anew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import end_read
from markets.assignment.models import UnplacedVendor
from markets.assignment.problem import UnplacedReason
from markets.days.models import MarketDay, MarketDayStatus, NoticeKind
from markets.days.notices import insert_notices
from markets.models import Market
from markets.schedules import describe_day


def _hhmm(moment: dt.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def placed_message(market: Market, day: MarketDay, booth_code: str) -> str:
    zone = ZoneInfo(market.timezone)
    return (
        f"{market.name} {describe_day(day.day)} 부스가 배정되었습니다: {booth_code} 부스. "
        f"설치는 {_hhmm(day.setup_from, zone)}부터, "
        f"운영은 {_hhmm(day.opens_at, zone)}–{_hhmm(day.closes_at, zone)}입니다."
    )


def unplaced_message(market: Market, day: MarketDay, reason: str, detail: str = "") -> str:
    member = next((r for r in UnplacedReason if r.value == reason), None)
    why = member.label if member is not None else reason
    if detail:
        why = f"{why} ({detail})"
    return (
        f"{market.name} {describe_day(day.day)} 장날에는 부스를 배정받지 못했습니다. "
        f"사유: {why}"
    )


async def write_publication_notices(
    session: AsyncSession,
    event_id: str,
    market_day_id: int,
    placements: Sequence[Mapping[str, object]],
    unplaced: Sequence[Mapping[str, object]],
) -> int:
    """One notice per vendor of a published assignment; returns how many were new.

    ``placements``: ``[{"vendor_id", "booth_code"}]``, ``unplaced``: ``[{"vendor_id",
    "reason"}]`` as in the event. Nothing is written for a day that no longer exists or was
    cancelled meanwhile (its cancellation notice says what matters).
    """
    day = await session.get(MarketDay, market_day_id)
    if day is None or day.status is MarketDayStatus.CANCELLED:
        await end_read(session)
        return 0
    market = await session.get(Market, day.market_id)
    assert market is not None
    details = dict(
        (
            await session.execute(
                select(UnplacedVendor.vendor_id, UnplacedVendor.detail).where(
                    UnplacedVendor.market_day_id == day.id
                )
            )
        ).all()
    )
    notices: list[tuple[int, int, NoticeKind, str]] = []
    for row in placements:
        notices.append((
            int(str(row["vendor_id"])), day.id, NoticeKind.BOOTH_ASSIGNED,
            placed_message(market, day, str(row["booth_code"])),
        ))
    for row in unplaced:
        vendor_id = int(str(row["vendor_id"]))
        notices.append((
            vendor_id, day.id, NoticeKind.BOOTH_NOT_ASSIGNED,
            unplaced_message(market, day, str(row["reason"]), details.get(vendor_id, "")),
        ))
    return await insert_notices(session, notices, event_id=event_id)

"""Who is booked where: accepted applications and the days they cover (read side).

Market days, fees, check-in, calendars and sales all ask the same question, "which vendors
hold a place on this day?", so it is answered once, here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from markets.applications.models import (
    Application,
    ApplicationStatus,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.rules import Booking
from markets.days.models import CheckIn, CheckInStatus, MarketDay, MarketDayStatus


def booking_of(application: Application, released: frozenset[int] = frozenset()) -> Booking:
    return Booking(
        application.whole_season, frozenset(application.market_day_ids or ()), released
    )


async def released_days(
    session: AsyncSession, application_ids: Sequence[int]
) -> dict[int, frozenset[int]]:
    """Per application, the days it gave up by not showing up (a ``no_show`` check-in): its
    place on such a day is free for someone else (``services.release_no_show_place``)."""
    if not application_ids:
        return {}
    rows = (
        await session.execute(
            select(CheckIn.application_id, CheckIn.market_day_id).where(
                CheckIn.application_id.in_(list(application_ids)),
                CheckIn.status == CheckInStatus.NO_SHOW,
            )
        )
    ).all()
    found: dict[int, set[int]] = {}
    for application_id, day_id in rows:
        found.setdefault(int(application_id), set()).add(int(day_id))
    return {k: frozenset(v) for k, v in found.items()}


async def accepted_places(session: AsyncSession, market_id: int, season: int) -> list[Booking]:
    """The places accepted applications hold in a season, less the days given up."""
    accepted = await accepted_applications(session, market_id, season)
    released = await released_days(session, [a.id for a in accepted])
    return [booking_of(a, released.get(a.id, frozenset())) for a in accepted]


async def accepted_applications(
    session: AsyncSession, market_id: int, season: int
) -> list[Application]:
    rows = await session.scalars(
        select(Application)
        .where(
            Application.market_id == market_id,
            Application.season == season,
            Application.status == ApplicationStatus.ACCEPTED,
        )
        .order_by(Application.id)
    )
    return list(rows.all())


async def booked_applications(session: AsyncSession, day: MarketDay) -> list[Application]:
    """The accepted applications that hold a place on ``day``."""
    candidates = await accepted_applications(session, day.market_id, day.day.year)
    return [a for a in candidates if a.covers(day.id, day.day.year)]


async def booking_for(
    session: AsyncSession, day: MarketDay, vendor_id: int
) -> Application | None:
    """The vendor's accepted application covering ``day``, if it is booked on it."""
    return next(
        (a for a in await booked_applications(session, day) if a.vendor_id == vendor_id), None
    )


async def season_days(
    session: AsyncSession, market_id: int, season: int, *, include_cancelled: bool = False
) -> list[MarketDay]:
    stmt = select(MarketDay).where(
        MarketDay.market_id == market_id,
        MarketDay.day >= dt.date(season, 1, 1),
        MarketDay.day <= dt.date(season, 12, 31),
    )
    if not include_cancelled:
        stmt = stmt.where(MarketDay.status != MarketDayStatus.CANCELLED)
    return list((await session.scalars(stmt.order_by(MarketDay.day))).all())


async def days_covered(
    session: AsyncSession, application: Application, *, include_cancelled: bool = True
) -> list[MarketDay]:
    days = await season_days(
        session, application.market_id, application.season, include_cancelled=include_cancelled
    )
    return [d for d in days if application.covers(d.id, d.day.year)]


async def held_places(session: AsyncSession, market_id: int, season: int) -> list[Booking]:
    """Places taken in a season: accepted applications (less the days a no-show gave up)
    plus open waitlist offers."""
    offered = await session.scalars(
        select(Application)
        .join(WaitlistOffer, WaitlistOffer.application_id == Application.id)
        .where(
            Application.market_id == market_id,
            Application.season == season,
            WaitlistOffer.status == OfferStatus.OPEN,
        )
    )
    return [
        *await accepted_places(session, market_id, season),
        *(booking_of(a) for a in offered.all()),
    ]


async def applicant_count(session: AsyncSession, market_id: int, season: int) -> int:
    """How many vendors applied for the season (withdrawn applications not counted)."""
    return int(
        await session.scalar(
            select(func.count(Application.id)).where(
                Application.market_id == market_id,
                Application.season == season,
                Application.status != ApplicationStatus.WITHDRAWN,
            )
        )
        or 0
    )


async def vendor_applications(
    session: AsyncSession, vendor_ids: Sequence[int]
) -> list[Application]:
    if not vendor_ids:
        return []
    rows = await session.scalars(
        select(Application)
        .where(Application.vendor_id.in_(list(vendor_ids)))
        .order_by(Application.season.desc(), Application.id.desc())
    )
    return list(rows.all())

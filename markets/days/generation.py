"""Market days come from the market's schedule: generated ahead, and marked held once closed.

Both run periodically (``workers.periodic``, ``jangteo markets generate-days``) and on
demand; both are idempotent, so two processes doing it at once do no harm.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name, transaction
from infra.errors import InvalidInput
from infra.outbox import record
from markets.access import get_market, require_market_organizer
from markets.applications.models import Application
from markets.applications.queries import accepted_applications, booked_applications
from markets.days import fees
from markets.days.errors import MarketErrorCode
from markets.days.events import MarketDayHeld, MarketDaysGenerated
from markets.days.models import MARKET_DAY_TRANSITIONS, MarketDay, MarketDayStatus
from markets.models import Market
from markets.schedules import local_today, occurrences_between

#: How far ahead market days exist, so vendors can apply for them and calendars show them.
HORIZON_WEEKS = 8


def planned_days(market: Market, start: dt.date, end: dt.date) -> list[MarketDay]:
    """The market's openings with local dates in ``[start, end]``, as unsaved rows."""
    planned = []
    zone = ZoneInfo(market.timezone)
    for opens in occurrences_between(
        market.rrule, market.opens, market.season_months, start=start, end=end,
        timezone=market.timezone,
    ):
        closes = dt.datetime.combine(opens.date(), market.closes, tzinfo=zone)
        planned.append(
            MarketDay(
                market_id=market.id,
                day=opens.date(),
                opens_at=opens.astimezone(dt.UTC),
                closes_at=closes.astimezone(dt.UTC),
                setup_from=(opens - dt.timedelta(minutes=market.setup_minutes)).astimezone(dt.UTC),
                status=MarketDayStatus.SCHEDULED,
                booth_fee=market.default_booth_fee,
            )
        )
    return planned


async def _insert_missing(session: AsyncSession, planned: list[MarketDay]) -> list[MarketDay]:
    """Insert the planned days not there yet (``ON CONFLICT DO NOTHING`` on the unique
    (market, day)); the days this call created, in date order."""
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    columns = ("market_id", "day", "opens_at", "closes_at", "setup_from", "status", "booth_fee")
    rows = [{c: getattr(d, c) for c in columns} for d in planned]
    created_ids = list(
        (
            await session.scalars(
                insert(MarketDay)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["market_id", "day"])
                .returning(MarketDay.id)
            )
        ).all()
    )
    if not created_ids:
        return []
    return list(
        (
            await session.scalars(
                select(MarketDay).where(MarketDay.id.in_(created_ids)).order_by(MarketDay.day)
            )
        ).all()
    )


async def generate_market_days(
    session: AsyncSession,
    market: Market,
    until: dt.date,
    *,
    since: dt.date | None = None,
) -> list[MarketDay]:
    """Create the market's missing days from ``since`` (today in Seoul) to ``until``.

    Idempotent: an existing (market, day) is left alone, whether it was generated before or
    is being generated right now by another process (``INSERT … ON CONFLICT DO NOTHING``
    on the unique key). Accepted whole-season vendors get their due fees on each new day.
    Returns the days this call created, and commits (also when nothing was new: a commit,
    not a rollback, keeps the rows already loaded usable).
    """
    start = since or local_today(market.timezone)
    planned = planned_days(market, start, until)
    if not planned:
        return []
    async with transaction(session):
        created = await _insert_missing(session, planned)
        if not created:
            return []
        by_season: dict[int, list[Application]] = {}
        for day in created:
            season = day.day.year
            if season not in by_season:
                by_season[season] = await accepted_applications(session, market.id, season)
            await fees.assess(session, day, by_season[season], None, "장날 생성")
        record(
            session, MarketDaysGenerated(id=market.id, days=[d.day.isoformat() for d in created])
        )
    return created


#: How far ahead an organizer may open days at once (two years).
MAX_WEEKS_AHEAD = 104


async def open_days_ahead(
    session: AsyncSession, user: User, market_id: int, weeks: int
) -> tuple[Market, list[MarketDay]]:
    """An organizer opens the market's days ``weeks`` ahead from today in Seoul (the button
    on the market page and ``POST /api/markets/{id}/days/generate``; the CLI and the nightly
    job use :func:`generate_market_days` directly)."""
    if not 1 <= weeks <= MAX_WEEKS_AHEAD:
        raise InvalidInput(MarketErrorCode.INVALID_NUMBER,
                           f"1~{MAX_WEEKS_AHEAD}주 사이로 입력해 주세요.", field="weeks")
    await require_market_organizer(session, user, market_id)
    market = await get_market(session, market_id)
    today = local_today(market.timezone)
    created = await generate_market_days(
        session, market, today + dt.timedelta(weeks=weeks), since=today
    )
    return market, created


async def generate_all(
    session: AsyncSession, *, weeks: int = HORIZON_WEEKS, now: dt.datetime | None = None
) -> dict[str, int]:
    """Keep every market's days generated ``weeks`` ahead; ``{market name: days created}``."""
    markets = (await session.scalars(select(Market).order_by(Market.id))).all()
    created: dict[str, int] = {}
    for market in markets:
        today = local_today(market.timezone, now)
        days = await generate_market_days(
            session, market, today + dt.timedelta(weeks=weeks), since=today
        )
        created[market.name] = len(days)
    return created


async def close_past_days(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Scheduled days that have closed become held (열림): check-in and sales refer to them."""
    moment = now or utcnow()
    async with transaction(session):
        days = (
            await session.scalars(
                select(MarketDay).where(
                    MarketDay.status == MarketDayStatus.SCHEDULED, MarketDay.closes_at < moment
                )
            )
        ).all()
        for day in days:
            MARKET_DAY_TRANSITIONS.check(day.status, MarketDayStatus.HELD)
            day.status = MarketDayStatus.HELD
            booked = [
                {"vendor_id": a.vendor_id, "category": next(iter(a.categories or ()), "")}
                for a in await booked_applications(session, day)
            ]
            record(
                session,
                MarketDayHeld(id=day.id, market_id=day.market_id, day=day.day.isoformat(),
                              booked=booked),
            )
    return len(days)

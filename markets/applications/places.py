"""Places in a market: counting them, taking them, and passing a freed one down the waitlist.

Whatever takes or frees a place (accept, withdraw, answer or expire an offer, a no-show)
first locks the market row with :func:`lock_market`, so places are counted by one
transaction at a time: on PostgreSQL the ``UPDATE`` takes the row lock, on SQLite it takes
the database's write lock. Two organizers accepting two waitlisted vendors for the one free
place therefore end with exactly one acceptance.

These are steps of the use cases in ``applying``, ``decisions``, ``offers`` and
``no_shows``: they join the caller's transaction and never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import NotFound
from infra.outbox import record
from markets.applications.events import WaitlistOffered
from markets.applications.models import (
    Application,
    ApplicationStatus,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.queries import (
    accepted_places,
    booking_of,
    days_covered,
    held_places,
    jury_totals,
    season_days,
)
from markets.applications.rules import OFFER_HOURS, WaitlistEntry, fits, waitlist_order
from markets.assignment import placements
from markets.days import fees
from markets.days.errors import MarketErrorCode
from markets.days.models import MarketDay, MarketDayStatus
from markets.models import Market


async def lock_market(session: AsyncSession, market_id: int) -> Market:
    """Serialise every change of places in one market (see the module docstring)."""
    await session.execute(
        update(Market).where(Market.id == market_id).values(capacity=Market.capacity)
    )
    market = await session.scalar(
        select(Market).where(Market.id == market_id).execution_options(populate_existing=True)
    )
    if market is None:
        raise NotFound(MarketErrorCode.MARKET_NOT_FOUND, "장터를 찾을 수 없습니다.",
                       field="market_id")
    return market


async def _future_day_ids(
    session: AsyncSession, market_id: int, season: int, now: dt.datetime
) -> list[int]:
    return [
        d.id for d in await season_days(session, market_id, season)
        if d.status is MarketDayStatus.SCHEDULED and d.closes_at > now
    ]


async def has_place(
    session: AsyncSession, market: Market, application: Application, now: dt.datetime,
    *, ignore_offers: bool = False,
) -> bool:
    held = await held_places(session, market.id, application.season)
    if ignore_offers:
        held = await accepted_places(session, market.id, application.season)
    day_ids = await _future_day_ids(session, market.id, application.season, now)
    return fits(market.capacity, day_ids, held, booking_of(application))


async def offer_next(
    session: AsyncSession,
    market: Market,
    season: int,
    freed_by_id: int | None,
    now: dt.datetime,
    *,
    freed_day: MarketDay | None = None,
    freed_booth_id: int | None = None,
) -> WaitlistOffer | None:
    """Offer a freed place to the first waitlisted application, in waitlist order, that
    fits and has not already been offered this same place (declined, expired or void).

    ``freed_day``: the place is that one day only (a no-show gave it up). Only applications
    asking for that day are offered it, the offer lapses when the day closes at the latest,
    and whoever takes it gets ``freed_booth_id`` that day.
    """
    if market.capacity is None:
        return None
    if freed_day is not None and (
        freed_day.status is not MarketDayStatus.SCHEDULED or freed_day.closes_at <= now
    ):
        return None
    await session.flush()
    waitlisted = list(
        (
            await session.scalars(
                select(Application).where(
                    Application.market_id == market.id,
                    Application.season == season,
                    Application.status == ApplicationStatus.WAITLISTED,
                )
            )
        ).all()
    )
    if freed_day is not None:
        waitlisted = [a for a in waitlisted if a.covers(freed_day.id, freed_day.day.year)]
    if not waitlisted:
        return None
    same_place = (WaitlistOffer.freed_by_application_id == freed_by_id) & (
        WaitlistOffer.freed_market_day_id == freed_day.id if freed_day is not None
        else WaitlistOffer.freed_market_day_id.is_(None)
    )
    offered_before = set(
        (
            await session.scalars(
                select(WaitlistOffer.application_id).where(
                    WaitlistOffer.application_id.in_([a.id for a in waitlisted]),
                    (WaitlistOffer.status == OfferStatus.OPEN) | same_place,
                )
            )
        ).all()
    )
    candidates = {a.id: a for a in waitlisted if a.id not in offered_before}
    totals = await jury_totals(session, market.id, list(candidates))
    entries = [
        WaitlistEntry(a.id, a.priority_tier, a.strikes, totals.get(a.id), a.created_at)
        for a in candidates.values()
    ]
    held = await held_places(session, market.id, season)
    day_ids = await _future_day_ids(session, market.id, season, now)
    for entry in waitlist_order(entries):
        application = candidates[entry.application_id]
        if not fits(market.capacity, day_ids, held, booking_of(application)):
            continue
        expires = now + dt.timedelta(hours=OFFER_HOURS)
        if freed_day is not None:
            expires = min(expires, freed_day.closes_at)
        offer = WaitlistOffer(
            application_id=application.id, freed_by_application_id=freed_by_id,
            status=OfferStatus.OPEN, expires_at=expires,
            freed_market_day_id=freed_day.id if freed_day is not None else None,
            freed_booth_id=freed_booth_id if freed_day is not None else None,
        )
        session.add(offer)
        await session.flush()
        record(
            session,
            WaitlistOffered(
                id=offer.id, application_id=application.id, market_id=market.id,
                vendor_id=application.vendor_id, expires_at=offer.expires_at.isoformat(),
                freed_by_application_id=freed_by_id,
                freed_market_day_id=offer.freed_market_day_id,
                freed_booth_id=offer.freed_booth_id,
            ),
        )
        return offer
    return None


async def pass_on(
    session: AsyncSession, market: Market, season: int, offer: WaitlistOffer, now: dt.datetime
) -> WaitlistOffer | None:
    """The place an offer held (declined, expired, voided) goes to the next in line."""
    day = None
    if offer.freed_market_day_id is not None:
        day = await session.get(MarketDay, offer.freed_market_day_id)
        if day is None:
            return None
    return await offer_next(
        session, market, season, offer.freed_by_application_id, now,
        freed_day=day, freed_booth_id=offer.freed_booth_id,
    )


async def take_freed_booth(
    session: AsyncSession, offer: WaitlistOffer, application: Application, actor_id: int | None
) -> None:
    """Whoever takes a place a no-show freed sells in its booth that day, if it still fits."""
    if offer.freed_market_day_id is None or offer.freed_booth_id is None:
        return
    await placements.place_in_booth(
        session, offer.freed_market_day_id, offer.freed_booth_id,
        vendor_id=application.vendor_id, application_id=application.id,
        needs_power=application.needs_power, min_booth_size=application.min_booth_size,
        actor_user_id=actor_id, reason="대기 순번 제안 수락: 무단 불참으로 빈 부스",
    )


# ---------------------------------------------------------------- booth fees of a place


async def assess_fees(
    session: AsyncSession, application: Application, actor_id: int | None, now: dt.datetime
) -> None:
    """An accepted place owes the booth fee of each day still to come."""
    for day in await days_covered(session, application, include_cancelled=False):
        if day.status is MarketDayStatus.SCHEDULED and day.opens_at > now:
            await fees.assess(session, day, [application], actor_id, "참가 선정")


async def release_fees(
    session: AsyncSession, application: Application, actor_id: int | None, reason: str,
    now: dt.datetime,
) -> None:
    """Days still to come owe nothing after a withdrawal: due → waived, paid → refund due."""
    future = {
        d.id for d in await days_covered(session, application)
        if d.status is MarketDayStatus.SCHEDULED and d.opens_at > now
    }
    for day_id in sorted(future):
        owned = [f for f in await fees.fees_of_day(session, day_id)
                 if f.vendor_id == application.vendor_id]
        fees.settle_cancelled(session, owned, actor_id, reason)

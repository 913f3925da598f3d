"""무단 불참: a vendor that did not come gives up its place for that one day.

Its booth that day is freed and the place offered down the waitlist, for that day only;
correcting the record (the vendor was there after all) takes it back. Both are steps of
``markets.days.check_in.record_check_in``, inside its transaction and under its market lock.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.outbox import record
from markets.applications.events import NoShowPlaceReleased, NoShowPlaceRestored
from markets.applications.models import Application, OfferStatus, WaitlistOffer
from markets.applications.places import offer_next
from markets.applications.status import application_event
from markets.assignment import placements
from markets.booths.models import Booth
from markets.days.models import MarketDay
from markets.models import Market


async def release_no_show_place(
    session: AsyncSession,
    market: Market,
    application: Application,
    day: MarketDay,
    actor: User,
    now: dt.datetime,
) -> tuple[Booth | None, WaitlistOffer | None]:
    """무단 불참: the vendor gives up its place on ``day`` only. The booth it held that day is
    freed and the place offered down the waitlist, as a withdrawal does for a whole booking.

    For ``markets.days.check_in.record_check_in``: joins its transaction (no commit); the
    caller has locked the market (``places.lock_market``) and written the ``no_show`` check-in,
    which is what makes the day count as free (``queries.released_days``).
    """
    booth = await placements.free_booth_of_no_show(
        session, day.id, application.vendor_id, application.id, actor.id
    )
    offer = await offer_next(
        session, market, application.season, application.id, now,
        freed_day=day, freed_booth_id=booth.id if booth is not None else None,
    )
    record(
        session,
        application_event(
            NoShowPlaceReleased, application, actor.id, "무단 불참",
            market_day_id=day.id, booth_code=booth.code if booth is not None else None,
            offer_id=offer.id if offer is not None else None,
        ),
    )
    return booth, offer


async def restore_no_show_place(
    session: AsyncSession,
    application: Application,
    day: MarketDay,
    actor: User,
    now: dt.datetime,
) -> Booth | None:
    """A no-show corrected (the vendor was there after all): open offers of its freed place
    are voided and its booth given back if still empty. A place a waitlisted vendor already
    accepted stays theirs: the correction takes back the strike only, and the day stays
    given up for this vendor (``queries.released_days`` counts the accepted offer), so the
    day is never one booking over capacity."""
    for offer in (
        await session.scalars(
            select(WaitlistOffer).where(
                WaitlistOffer.freed_by_application_id == application.id,
                WaitlistOffer.freed_market_day_id == day.id,
                WaitlistOffer.status == OfferStatus.OPEN,
            )
        )
    ).all():
        offer.status, offer.answered_at, offer.answered_by_user_id = OfferStatus.VOID, now, actor.id
    freed = await placements.booth_freed_by_no_show(session, day.id, application.vendor_id)
    booth = None
    if freed is not None:
        booth = await placements.place_in_booth(
            session, day.id, freed.id, vendor_id=application.vendor_id,
            application_id=application.id, needs_power=application.needs_power,
            min_booth_size=application.min_booth_size, actor_user_id=actor.id,
            reason="무단 불참 기록 정정",
        )
    record(
        session,
        application_event(
            NoShowPlaceRestored, application, actor.id, "무단 불참 기록 정정",
            market_day_id=day.id, booth_code=booth.code if booth is not None else None,
        ),
    )
    return booth

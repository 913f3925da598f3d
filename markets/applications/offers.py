"""Waitlist offers (대기 순번 제안): the vendor takes the offered place or passes it on, and an
offer left unanswered past its deadline expires and goes to the next in line.

Offers are made by ``places.offer_next`` whenever a place is freed; both use cases here
take the market lock first (``places.lock_market``), like every change of places.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, NotFound
from infra.outbox import record
from markets.applications.events import (
    ApplicationAccepted,
    WaitlistOfferAccepted,
    WaitlistOfferDeclined,
    WaitlistOfferExpired,
)
from markets.applications.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.places import assess_fees, lock_market, pass_on, take_freed_booth
from markets.applications.queries import get_application
from markets.applications.status import application_event, change_status
from markets.days.errors import MarketErrorCode
from markets.models import Market
from shop.vendors.access import vendor_for_member


async def _offer_with_keys(session: AsyncSession, offer_id: int) -> tuple[int, int, int]:
    row = (
        await session.execute(
            select(WaitlistOffer.application_id, Application.market_id, Application.vendor_id)
            .join(Application, Application.id == WaitlistOffer.application_id)
            .where(WaitlistOffer.id == offer_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(
            MarketErrorCode.OFFER_NOT_FOUND, "대기 순번 제안을 찾을 수 없습니다.", field="offer_id"
        )
    return int(row[0]), int(row[1]), int(row[2])


async def _locked_offer(session: AsyncSession, offer_id: int) -> WaitlistOffer | None:
    return await session.scalar(
        select(WaitlistOffer)
        .where(WaitlistOffer.id == offer_id)
        .execution_options(populate_existing=True)
    )


async def _expire(
    session: AsyncSession, market: Market, offer: WaitlistOffer, application: Application,
    now: dt.datetime,
) -> None:
    offer.status, offer.answered_at = OfferStatus.EXPIRED, now
    record(
        session,
        WaitlistOfferExpired(
            id=offer.id, application_id=application.id, market_id=market.id,
            vendor_id=application.vendor_id,
        ),
    )
    await pass_on(session, market, application.season, offer, now)


async def _take(
    session: AsyncSession, market: Market, offer: WaitlistOffer, application: Application,
    actor: User, now: dt.datetime,
) -> None:
    APPLICATION_TRANSITIONS.check(application.status, ApplicationStatus.ACCEPTED)
    offer.status = OfferStatus.ACCEPTED
    change_status(session, application, ApplicationStatus.ACCEPTED, actor.id,
                  "대기 순번 제안 수락")
    await assess_fees(session, application, actor.id, now)
    await take_freed_booth(session, offer, application, actor.id)
    record(session, WaitlistOfferAccepted(
        id=offer.id, application_id=application.id, market_id=market.id,
        vendor_id=application.vendor_id, actor_user_id=actor.id,
    ))
    record(
        session,
        application_event(
            ApplicationAccepted, application, actor.id, "대기 순번 제안 수락",
            via_offer_id=offer.id,
        ),
    )


async def _decline(
    session: AsyncSession, market: Market, offer: WaitlistOffer, application: Application,
    actor: User, now: dt.datetime,
) -> None:
    offer.status = OfferStatus.DECLINED
    record(session, WaitlistOfferDeclined(
        id=offer.id, application_id=application.id, market_id=market.id,
        vendor_id=application.vendor_id, actor_user_id=actor.id,
    ))
    await pass_on(session, market, application.season, offer, now)


async def answer_offer(
    session: AsyncSession,
    offer_id: int,
    actor: User | None,
    accept: bool,
    *,
    now: dt.datetime | None = None,
) -> WaitlistOffer:
    """The waitlisted vendor takes the offered place (→ accepted) or passes it on.

    An answer that comes too late is refused (409), but the expiry it discovered is kept:
    the place goes on to the next in line all the same.
    """
    application_id, market_id, vendor_id = await _offer_with_keys(session, offer_id)
    await vendor_for_member(session, actor, vendor_id)
    assert actor is not None
    moment = now or utcnow()
    too_late = False
    async with transaction(session):
        market = await lock_market(session, market_id)
        offer = await _locked_offer(session, offer_id)
        assert offer is not None
        application = await get_application(session, application_id)
        if offer.status is not OfferStatus.OPEN:
            raise Conflict(
                MarketErrorCode.OFFER_NOT_OPEN,
                f"이미 '{offer.status.label}' 처리된 제안입니다.", field="offer_id",
            )
        if offer.expires_at <= moment:
            await _expire(session, market, offer, application, moment)
            too_late = True
        else:
            offer.answered_at, offer.answered_by_user_id = moment, actor.id
            if accept:
                await _take(session, market, offer, application, actor, moment)
            else:
                await _decline(session, market, offer, application, actor, moment)
    if too_late:
        raise Conflict(
            MarketErrorCode.OFFER_EXPIRED, "응답 기한이 지난 제안입니다.", field="offer_id"
        )
    return offer


class _AnsweredMeanwhile(Exception):
    """The offer was answered between listing it as due and locking its market."""


async def _expire_due(
    session: AsyncSession, offer_id: int, market_id: int, now: dt.datetime
) -> None:
    async with transaction(session):  # rolled back, lock and all, if answered meanwhile
        market = await lock_market(session, market_id)
        offer = await _locked_offer(session, offer_id)
        if offer is None or offer.status is not OfferStatus.OPEN:
            raise _AnsweredMeanwhile
        application = await get_application(session, offer.application_id)
        await _expire(session, market, offer, application, now)


async def expire_offers(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Periodic: unanswered offers past their deadline expire and pass to the next in line,
    each in its own transaction."""
    moment = now or utcnow()
    due = (
        await session.execute(
            select(WaitlistOffer.id, Application.market_id)
            .join(Application, Application.id == WaitlistOffer.application_id)
            .where(WaitlistOffer.status == OfferStatus.OPEN, WaitlistOffer.expires_at <= moment)
            .order_by(WaitlistOffer.expires_at)
        )
    ).all()
    expired = 0
    for offer_id, market_id in due:
        try:
            await _expire_due(session, int(offer_id), int(market_id), moment)
        except _AnsweredMeanwhile:
            continue
        expired += 1
    return expired

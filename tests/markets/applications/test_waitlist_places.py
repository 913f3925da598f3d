"""Places and the waitlist: a market day never holds more vendors than its places; a
withdrawal frees the place, which is offered down the waitlist in order (tier less strikes,
jury score, submission time); an open offer holds the place; declining or letting it expire
passes it on; accepting makes the vendor accepted with its fees due."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from markets.applications import applying, decisions
from markets.applications import offers as waitlist_offers
from markets.applications.models import (
    Application,
    ApplicationStatus,
    JuryScore,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.rules import OFFER_HOURS
from markets.days.models import BoothFee, BoothFeeStatus
from tests.markets.applications.conftest import SEASON, World
from tests.markets.market_world import booked, event_names, kst

NOW = kst(SEASON, 4, 1, 10)


async def _line_up(factory: async_sessionmaker[AsyncSession], world: World) -> list[int]:
    """Vendors 0 and 1 accepted (the two places), 2 and 3 waitlisted; returns their ids."""
    async with factory() as session:
        ids = []
        for n, status in enumerate([ApplicationStatus.ACCEPTED, ApplicationStatus.ACCEPTED,
                                    ApplicationStatus.WAITLISTED, ApplicationStatus.WAITLISTED]):
            app = await booked(session, world.market, world.vendors[n], SEASON, status=status,
                               created_at=NOW - dt.timedelta(days=10 - n))
            ids.append(app.id)
        await session.commit()
        return ids


async def _offers(factory: async_sessionmaker[AsyncSession]) -> list[WaitlistOffer]:
    async with factory() as session:
        return list((await session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id))).all())


async def test_no_one_is_accepted_beyond_the_places(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    ids = await _line_up(session_factory, world)
    async with session_factory() as session:
        with pytest.raises(Conflict) as full:
            await decisions.decide(session, ids[2], world.boss, "accept", now=NOW)
        assert full.value.code == "market_full"
    async with session_factory() as session:
        app = await session.get(Application, ids[2])
        assert app is not None and app.status is ApplicationStatus.WAITLISTED


async def test_a_withdrawal_offers_the_place_to_the_first_in_line(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    ids = await _line_up(session_factory, world)
    async with session_factory() as session:
        # Vendor 3 applied later but scores higher: it is first in line.
        session.add(JuryScore(application_id=ids[3], juror_user_id=world.boss.id,
                              criterion_id=world.criteria[0].id, score=9))
        session.add(JuryScore(application_id=ids[2], juror_user_id=world.boss.id,
                              criterion_id=world.criteria[0].id, score=5))
        await session.commit()
    async with session_factory() as session:
        await applying.withdraw(session, ids[0], world.owners[0], "일정 변경", now=NOW)
    (offer,) = await _offers(session_factory)
    assert (offer.application_id, offer.status) == (ids[3], OfferStatus.OPEN)
    assert offer.freed_by_application_id == ids[0]
    assert offer.expires_at == NOW + dt.timedelta(hours=OFFER_HOURS)

    # The open offer holds the place: the organizer cannot give it to vendor 2 meanwhile.
    async with session_factory() as session:
        with pytest.raises(Conflict) as held:
            await decisions.decide(session, ids[2], world.boss, "accept", now=NOW)
        assert held.value.code == "place_held_by_offer"

    async with session_factory() as session:
        await waitlist_offers.answer_offer(session, offer.id, world.owners[3], True, now=NOW)
    async with session_factory() as session:
        app = await session.get(Application, ids[3])
        assert app is not None and app.status is ApplicationStatus.ACCEPTED
        fees = (await session.scalars(select(BoothFee).where(BoothFee.vendor_id ==
                                                            world.vendors[3].id))).all()
        assert len(fees) == 4 and {f.status for f in fees} == {BoothFeeStatus.DUE}
        names = await event_names(session)
    assert names[-2:] == ["waitlist_offer.accepted", "market_application.accepted"]


async def test_a_strike_drops_a_vendor_behind_others_in_the_waitlist(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    ids = await _line_up(session_factory, world)
    async with session_factory() as session:
        first = await session.get(Application, ids[2])
        assert first is not None
        first.strikes = 1  # an earlier no-show: tier 0 - 1
        await session.commit()
    async with session_factory() as session:
        await applying.withdraw(session, ids[1], world.owners[1], now=NOW)
    (offer,) = await _offers(session_factory)
    assert offer.application_id == ids[3]


async def test_declining_or_expiring_passes_the_place_on_and_never_back(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    ids = await _line_up(session_factory, world)
    async with session_factory() as session:
        await applying.withdraw(session, ids[0], world.owners[0], now=NOW)
    first, = await _offers(session_factory)
    assert first.application_id == ids[2]  # no scores, no tiers: earlier submission first
    async with session_factory() as session:
        await waitlist_offers.answer_offer(session, first.id, world.owners[2], False, now=NOW)
    declined, second = await _offers(session_factory)
    assert declined.status is OfferStatus.DECLINED
    assert (second.application_id, second.status) == (ids[3], OfferStatus.OPEN)

    late = NOW + dt.timedelta(hours=OFFER_HOURS + 1)
    async with session_factory() as session:
        assert await waitlist_offers.expire_offers(session, now=late) == 1
    offers = await _offers(session_factory)
    assert [o.status for o in offers] == [OfferStatus.DECLINED, OfferStatus.EXPIRED]
    # Vendor 2 declined this place: it is not offered to it again.
    async with session_factory() as session:
        with pytest.raises(Conflict) as gone:
            await waitlist_offers.answer_offer(session, second.id, world.owners[3], True, now=late)
        assert gone.value.code == "waitlist_offer_not_open"


async def test_an_expired_offer_cannot_be_accepted(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    ids = await _line_up(session_factory, world)
    async with session_factory() as session:
        await applying.withdraw(session, ids[0], world.owners[0], now=NOW)
    offer, = await _offers(session_factory)
    async with session_factory() as session:
        with pytest.raises(Conflict) as expired:
            await waitlist_offers.answer_offer(session, offer.id, world.owners[2], True,
                                        now=NOW + dt.timedelta(hours=OFFER_HOURS))
        assert expired.value.code == "waitlist_offer_expired"
    offers = await _offers(session_factory)
    assert offers[0].status is OfferStatus.EXPIRED
    assert (offers[1].application_id, offers[1].status) == (ids[3], OfferStatus.OPEN)
    async with session_factory() as session:
        app = await session.get(Application, ids[2])
        assert app is not None and app.status is ApplicationStatus.WAITLISTED


async def test_withdrawing_an_accepted_place_waives_future_fees_and_refunds_paid_ones(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        app = await booked(session, world.market, world.vendors[0], SEASON,
                           status=ApplicationStatus.SUBMITTED)
        await session.commit()
    async with session_factory() as session:
        await decisions.decide(session, app.id, world.boss, "accept", now=NOW)
    async with session_factory() as session:
        fees = (await session.scalars(select(BoothFee).order_by(BoothFee.id))).all()
        assert len(fees) == 4 and {f.amount for f in fees} == {5000}
        fees[0].status = BoothFeeStatus.PAID
        await session.commit()
    async with session_factory() as session:
        await applying.withdraw(session, app.id, world.owners[0], "폐업", now=NOW)
    async with session_factory() as session:
        statuses = (await session.scalars(select(BoothFee.status).order_by(BoothFee.id))).all()
    assert statuses == [BoothFeeStatus.REFUND_DUE] + [BoothFeeStatus.WAIVED] * 3

"""Cancelling a market day: only organizers, only with a reason, only once; everyone booked
on it is told (exactly once per vendor, however often the event arrives); its due fees are
waived and its paid fees owed back, each change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from infra.errors import Conflict, Forbidden, InvalidInput
from infra.outbox import OutboxEvent
from markets.applications.models import ApplicationStatus
from markets.days import fees as fee_rules
from markets.days.models import (
    BoothFee,
    BoothFeeChange,
    BoothFeeStatus,
    MarketDay,
    MarketDayNotice,
    MarketDayStatus,
)
from markets.days.notices import write_cancellation_notices
from markets.days.services import cancel_market_day
from tests.markets.market_world import (
    Snapshot,
    add_days,
    add_market,
    booked,
    detached,
    kst,
    organizer,
    vendor_with_owner,
)
from tests.shop.factories import make_user

D = dt.date
BEFORE = kst(2027, 5, 1, 9)


async def _world(session: AsyncSession):  # type: ignore[no-untyped-def]
    """동진시장 in May 2027 (Tuesdays 4, 11, 18, 25) with three vendors: one booked for the
    season, one for the 11th only, one waitlisted."""
    market = await add_market(session, "동진시장", capacity=10, booth_fee=5000)
    days = await add_days(session, market, D(2027, 5, 1), D(2027, 5, 31))
    season, _ = await vendor_with_owner(session)
    one_day, _ = await vendor_with_owner(session)
    waiting, _ = await vendor_with_owner(session)
    a = await booked(session, market, season, 2027)
    b = await booked(session, market, one_day, 2027, day_ids=[days[1].id])
    await booked(session, market, waiting, 2027, status=ApplicationStatus.WAITLISTED)
    for day in days:
        await fee_rules.assess(session, day, [a, b], None, "test")
    boss = await organizer(session, market)
    await session.commit()
    detached(session, boss)
    return market, days, (season, one_day, waiting), boss


async def test_cancelling_tells_the_booked_vendors_and_settles_their_fees(
    db_session: AsyncSession,
) -> None:
    _, days, (season, one_day, _), boss = await _world(db_session)
    eleventh = days[1]
    paid = await db_session.scalar(
        select(BoothFee).where(BoothFee.market_day_id == eleventh.id,
                               BoothFee.vendor_id == season.id)
    )
    assert paid is not None
    fee_rules.move(db_session, paid, BoothFeeStatus.PAID, boss.id, "현장 납부")
    await db_session.commit()

    day = await cancel_market_day(db_session, eleventh.id, boss, "  태풍 예보  ", now=BEFORE)

    assert day.status is MarketDayStatus.CANCELLED
    assert (day.cancel_reason, day.cancelled_by_user_id) == ("태풍 예보", boss.id)
    event = await db_session.scalar(
        select(OutboxEvent).where(OutboxEvent.name == "market_day.cancelled")
    )
    assert event is not None
    assert event.payload["vendor_ids"] == sorted([season.id, one_day.id])  # not the waitlisted
    assert (event.payload["fees_waived"], event.payload["fees_refund_due"]) == (1, 1)
    statuses = dict(
        (await db_session.execute(
            select(BoothFee.vendor_id, BoothFee.status).where(BoothFee.market_day_id == eleventh.id)
        )).tuples().all()
    )
    assert statuses == {season.id: BoothFeeStatus.REFUND_DUE, one_day.id: BoothFeeStatus.WAIVED}
    audit = (await db_session.scalars(
        select(BoothFeeChange.reason).where(BoothFeeChange.to_status.in_(
            [BoothFeeStatus.REFUND_DUE, BoothFeeStatus.WAIVED]))
    )).all()
    assert audit == ["장날 취소: 태풍 예보"] * 2
    # Other days keep their fees as they were.
    others = (await db_session.scalars(
        select(BoothFee.status).where(BoothFee.market_day_id != eleventh.id)
    )).all()
    assert set(others) == {BoothFeeStatus.DUE}

    # The worker side: one notice per booked vendor, however often the event is delivered.
    for _ in range(2):
        await write_cancellation_notices(
            db_session, eleventh.id, event.payload["vendor_ids"],
            market_name=event.payload["market_name"], day=event.payload["day"],
            reason=event.payload["reason"],
        )
    notices = (await db_session.scalars(select(MarketDayNotice))).all()
    assert sorted(n.vendor_id for n in notices) == sorted([season.id, one_day.id])
    assert all("5월 11일 (화)" in n.message and "태풍 예보" in n.message for n in notices)


async def test_only_organizers_cancel_and_a_refusal_writes_nothing(
    db_session: AsyncSession,
) -> None:
    _, days, (_, _, _), boss = await _world(db_session)
    first = days[0].id
    shopper = await make_user(db_session, Role.SHOPPER)
    vendor_member = await make_user(db_session, Role.VENDOR_MEMBER)
    await db_session.commit()
    detached(db_session, shopper, vendor_member)
    before = await Snapshot.take(db_session, BoothFeeChange, MarketDayNotice)
    for who in (shopper, vendor_member, None):
        with pytest.raises(Forbidden):
            await cancel_market_day(db_session, first, who, "비", now=BEFORE)
    with pytest.raises(InvalidInput) as missing:
        await cancel_market_day(db_session, first, boss, "   ", now=BEFORE)
    assert missing.value.field == "reason"
    await db_session.rollback()
    assert await Snapshot.take(db_session, BoothFeeChange, MarketDayNotice) == before
    day = await db_session.get(MarketDay, first, populate_existing=True)
    assert day is not None and day.status is MarketDayStatus.SCHEDULED


async def test_a_day_is_cancelled_once_and_never_after_it_closed(
    db_session: AsyncSession,
) -> None:
    _, days, _, boss = await _world(db_session)
    first, third = days[0].id, days[2].id
    await cancel_market_day(db_session, third, boss, "폭우", now=BEFORE)
    with pytest.raises(Conflict) as twice:
        await cancel_market_day(db_session, third, boss, "또 폭우", now=BEFORE)
    assert twice.value.status_code == 409
    assert twice.value.code == "market_day_invalid_transition"
    await db_session.rollback()
    with pytest.raises(Conflict) as late:
        await cancel_market_day(db_session, first, boss, "늦은 취소", now=kst(2027, 5, 5))
    assert late.value.code == "market_day_in_past"
    await db_session.rollback()
    events = (await db_session.scalars(
        select(OutboxEvent.name).where(OutboxEvent.name == "market_day.cancelled")
    )).all()
    assert len(events) == 1

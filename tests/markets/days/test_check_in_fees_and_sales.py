"""On the day: check-in is recorded once per vendor and day by an organizer, strikes always
equal the no-shows on record; fees move only along their state machine with an audit row;
a booked vendor reports its sales once per day, correctable for seven days, as an event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import seoul_today
from infra.errors import Conflict, Forbidden, InvalidInput
from infra.outbox import OutboxEvent
from markets.applications.models import Application, ApplicationStatus
from markets.days import check_in, sales, services
from markets.days import fees as fee_rules
from markets.days.models import (
    BoothFee,
    BoothFeeChange,
    BoothFeeStatus,
    BoothSalesReport,
    CheckIn,
    CheckInStatus,
)
from tests.markets.market_world import (
    Snapshot,
    add_days,
    add_market,
    bearer,
    booked,
    detached,
    kst,
    organizer,
    vendor_with_owner,
)

D = dt.date
YEAR = seoul_today().year + 1
DAY_ONE = kst(YEAR, 5, 4, 16, 30)  # first Tuesday of May next year, during opening hours


async def _world(factory: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
    async with factory() as session:
        market = await add_market(session, "동진시장", booth_fee=5000)
        days = await add_days(session, market, D(YEAR, 5, 1), D(YEAR, 5, 31))
        vendor, owner = await vendor_with_owner(session)
        outsider, stranger = await vendor_with_owner(session)
        app = await booked(session, market, vendor, YEAR)
        await booked(session, market, outsider, YEAR, status=ApplicationStatus.WAITLISTED)
        for day in days:
            await fee_rules.assess(session, day, [app], None, "test")
        boss = await organizer(session, market)
        await session.commit()
        detached(session, boss, owner, stranger)
        return market, days, vendor, owner, outsider, stranger, app, boss


async def test_no_shows_are_strikes_and_a_correction_takes_the_strike_back(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, days, vendor, _, _, _, app, boss = await _world(session_factory)
    async with session_factory() as session:
        await check_in.record_check_in(session, days[0].id, vendor.id, boss, "no_show",
                                       now=DAY_ONE)
    async with session_factory() as session:
        await check_in.record_check_in(session, days[1].id, vendor.id, boss, "no_show",
                                       now=DAY_ONE + dt.timedelta(days=7))
    async with session_factory() as session:
        strikes = (await session.get(Application, app.id)).strikes  # type: ignore[union-attr]
        assert strikes == 2
        # Re-recording the same status does not count twice; correcting it undoes the strike.
        await check_in.record_check_in(session, days[1].id, vendor.id, boss, "no_show",
                                       now=DAY_ONE + dt.timedelta(days=7))
    async with session_factory() as session:
        await check_in.record_check_in(session, days[0].id, vendor.id, boss, "late",
                                       "교통 체증", now=DAY_ONE)
    async with session_factory() as session:
        fresh = await session.get(Application, app.id)
        assert fresh is not None and fresh.strikes == 1
        rows = (await session.scalars(select(CheckIn).order_by(CheckIn.market_day_id))).all()
        assert [(r.status, r.recorded_by_user_id) for r in rows] == [
            (CheckInStatus.LATE, boss.id), (CheckInStatus.NO_SHOW, boss.id)
        ]
        names = (await session.scalars(select(OutboxEvent.name))).all()
        assert names.count("market_application.strike_changed") == 3  # +1, +1, -1


async def test_check_in_is_for_organizers_booked_vendors_and_days_that_began(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, days, vendor, owner, outsider, _, _, boss = await _world(session_factory)
    async with session_factory() as session:
        before = await Snapshot.take(session, CheckIn)
        with pytest.raises(Forbidden):
            await check_in.record_check_in(session, days[0].id, vendor.id, owner, "present",
                                           now=DAY_ONE)
        with pytest.raises(Conflict) as not_booked:
            await check_in.record_check_in(session, days[0].id, outsider.id, boss, "present",
                                           now=DAY_ONE)
        assert not_booked.value.code == "market_day_not_booked"
        with pytest.raises(Conflict) as early:
            await check_in.record_check_in(session, days[0].id, vendor.id, boss, "present",
                                           now=DAY_ONE - dt.timedelta(days=1))
        assert early.value.code == "market_day_not_started"
        with pytest.raises(InvalidInput) as bad:
            await check_in.record_check_in(session, days[0].id, vendor.id, boss, "asleep",
                                           now=DAY_ONE)
        assert bad.value.field == "status"
        await session.rollback()
        assert await Snapshot.take(session, CheckIn) == before


async def test_fees_follow_their_state_machine_with_an_audit_row_each(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, days, vendor, owner, _, _, _, boss = await _world(session_factory)
    async with session_factory() as session:
        fee = await session.scalar(select(BoothFee).where(BoothFee.market_day_id == days[0].id))
        assert fee is not None and (fee.amount, fee.status) == (5000, BoothFeeStatus.DUE)
        fee_id = fee.id
    async with session_factory() as session:
        with pytest.raises(Forbidden):
            await services.change_fee_status(session, fee_id, owner, "paid")
        with pytest.raises(InvalidInput):
            await services.change_fee_status(session, fee_id, boss, "waive", "")
        with pytest.raises(Conflict):
            await services.change_fee_status(session, fee_id, boss, "refunded")
    async with session_factory() as session:
        paid = await services.change_fee_status(session, fee_id, boss, "paid", "현장 현금")
        assert paid.status is BoothFeeStatus.PAID
    async with session_factory() as session:
        with pytest.raises(Conflict):
            await services.change_fee_status(session, fee_id, boss, "waive", "면제 요청")
        changes = (await session.scalars(
            select(BoothFeeChange).where(BoothFeeChange.fee_id == fee_id)
            .order_by(BoothFeeChange.id)
        )).all()
        assert [(c.from_status, c.to_status, c.reason) for c in changes] == [
            (None, BoothFeeStatus.DUE, "test"),
            (BoothFeeStatus.DUE, BoothFeeStatus.PAID, "현장 현금"),
        ]
    # A changed day fee reprices unpaid fees only.
    async with session_factory() as session:
        await services.set_day_fee(session, days[1].id, boss, "7,000")
        await services.set_day_fee(session, days[0].id, boss, 9000)
        amounts = dict((await session.execute(
            select(BoothFee.market_day_id, BoothFee.amount)
        )).tuples().all())
        assert amounts[days[1].id] == 7000 and amounts[days[0].id] == 5000  # paid stays
        with pytest.raises(InvalidInput) as bad:
            await services.set_day_fee(session, days[1].id, boss, "-5")
        assert bad.value.field == "booth_fee"
    assert vendor.id


async def test_sales_are_reported_once_per_day_and_corrected_within_seven_days(
    client: AsyncTestClient[Any], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, days, vendor, owner, outsider, stranger, _, _ = await _world(session_factory)
    async with session_factory() as session:
        report = await sales.report_booth_sales(
            session, days[0].id, vendor.id, owner, amount=184_000, sales_count=23,
            best_sellers=["쑥떡", "인절미", "쑥떡"], now=DAY_ONE,
        )
        assert (report.revision, report.best_sellers) == (1, ["쑥떡", "인절미"])
    async with session_factory() as session:
        again = await sales.report_booth_sales(
            session, days[0].id, vendor.id, owner, amount="190,000", sales_count="24",
            now=DAY_ONE + dt.timedelta(days=6),
        )
        assert (again.amount, again.revision) == (190_000, 2)
    async with session_factory() as session:
        assert len((await session.scalars(select(BoothSalesReport))).all()) == 1
        events = (await session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "booth_sales.reported")
        )).all()
        assert [(e.payload["amount"], e.payload["revision"]) for e in events] == [
            (184_000, 1), (190_000, 2)
        ]
        cases: list[tuple[Any, dict[str, Any], str]] = [
            (owner, {"now": DAY_ONE + dt.timedelta(days=8)}, "booth_sales_window_closed"),
            (owner, {"now": DAY_ONE - dt.timedelta(hours=2)}, "market_day_not_started"),
            (stranger, {"now": DAY_ONE}, "market_day_not_booked"),
        ]
        for who, extra, code in cases:
            vendor_id = outsider.id if who is stranger else vendor.id
            with pytest.raises(Conflict) as refused:
                await sales.report_booth_sales(
                    session, days[0].id, vendor_id, who, amount=1, sales_count=1, **extra,
                )
            assert refused.value.code == code
            await session.rollback()
        with pytest.raises(Forbidden):
            await sales.report_booth_sales(session, days[0].id, vendor.id, stranger,
                                               amount=1, sales_count=1, now=DAY_ONE)
        with pytest.raises(InvalidInput) as bad:
            await sales.report_booth_sales(session, days[0].id, vendor.id, owner,
                                               amount=-3, sales_count=0, now=DAY_ONE)
        assert {e["field"] for e in bad.value.extra["errors"]} == {"amount"}

    # The API refuses money that is not a JSON integer, naming the field.
    async with session_factory() as session:
        headers = await bearer(session, owner)
    response = await client.put(
        f"/api/markets/days/{days[0].id}/sales/{vendor.id}",
        json={"amount": "1000", "sales_count": 1}, headers=headers,
    )
    assert response.status_code == 400
    assert "amount" in response.text

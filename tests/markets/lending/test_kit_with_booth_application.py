"""Equipment booked with a booth application joins the application's transaction: saved
together, or not at all; booked once per (application, day); released with it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from markets.lending import booking
from markets.lending.models import Loan, LoanStatus, UnitReservation
from shop.vendors.models import Vendor
from tests.markets.lending.conftest import NOW, World, add_market_day, build_world, counts

APPLICATION_ID = 4242  # markets.applications' row id; lending keeps it without a foreign key


async def _two_days(session_factory: async_sessionmaker[AsyncSession], world: World) -> list[int]:
    async with session_factory() as session:
        second = await add_market_day(session, world.market, world.day.day + dt.timedelta(7))
        await session.commit()
        return [world.day.id, second.id]


async def test_the_kit_is_saved_only_if_the_application_is(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    days = await _two_days(session_factory, world)
    before = await counts(session_factory)
    async with session_factory() as session:
        vendor = await session.get(Vendor, world.vendor.id)
        assert vendor is not None
        vendor.description = "부스 신청과 함께 바뀐 소개"  # the caller's own change
        loans = await booking.reserve_kit_for_application(
            session, vendor, days, world.kit.id, actor=world.owner,
            application_id=APPLICATION_ID, now=NOW)
        assert len(loans) == 2
        await session.rollback()  # e.g. the application failed a later check
    assert await counts(session_factory) == before

    async with session_factory() as session:
        vendor = await session.get(Vendor, world.vendor.id)
        assert vendor is not None
        loans = await booking.reserve_kit_for_application(
            session, vendor, days, world.kit.id, actor=world.owner, pickup_at="10:30",
            application_id=APPLICATION_ID, now=NOW)
        await session.commit()
        assert [loan.status for loan in loans] == [LoanStatus.RESERVED] * 2
        again = await booking.reserve_kit_for_application(
            session, vendor, days, world.kit.id, actor=world.owner,
            application_id=APPLICATION_ID, now=NOW)
        await session.commit()
        assert sorted(loan.id for loan in again) == sorted(loan.id for loan in loans)
        assert await session.scalar(select(func.count(Loan.id))) == 2

        released = await booking.cancel_loans_of_application(
            session, APPLICATION_ID, world.owner, "부스 신청 철회")
        await session.commit()
        assert released == 2
        assert await session.scalar(select(func.count(UnitReservation.id)).where(
            UnitReservation.active.is_(True))) == 0


async def test_when_one_day_has_no_tents_left_no_day_is_booked(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await build_world(session_factory, tents=1)
    days = await _two_days(session_factory, world)
    async with session_factory() as session:  # someone took the only tent on the second day
        await booking.book_loan(session, world.other_owner, world.booking(
            vendor_id=world.other_vendor.id, market_day_id=days[1]), now=NOW)
    before = await counts(session_factory)
    async with session_factory() as session:
        vendor = await session.get(Vendor, world.vendor.id)
        assert vendor is not None
        with pytest.raises(Conflict) as refused:
            await booking.reserve_kit_for_application(
                session, vendor, days, world.kit.id, actor=world.owner,
                application_id=APPLICATION_ID, now=NOW)
        assert (refused.value.code, refused.value.field) == ("not_enough_units", "kit_id")
        await session.rollback()
    assert await counts(session_factory) == before

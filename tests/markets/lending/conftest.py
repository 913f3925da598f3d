"""The lending test world: one market with a desk, its equipment and kit, a market day,
an organizer and approved vendors with their owners.

Times are fixed (``NOW`` and a market day after it) and passed to the services, so the
tests never depend on today's date; API and page tests, which run at the real time, get a
day in the real future (:func:`future_day`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import issue_token
from infra.clock import seoul_today
from infra.outbox import OutboxEvent
from markets.days.models import MarketDay
from markets.lending import desk, inventory
from markets.lending.models import (
    ConditionReport,
    EquipmentItem,
    EquipmentKit,
    LendingStrike,
    Loan,
    LoanLine,
    LoanStatusChange,
    MaintenanceRecord,
    PickupSlot,
    UnitReservation,
)
from markets.lending.rules import SEOUL, BookingRequest
from markets.models import Market, MarketOrganizer, OrganizerRole
from shop.vendors.models import Vendor
from tests.fixtures.apps import csrf_from, login  # noqa: F401 - used by the lending tests
from tests.shop.factories import make_user, make_vendor

PASSWORD = "password-123"  # tests.shop.factories.make_user's password
#: "Now" for the service tests: a Wednesday; the market day is the Sunday after.
NOW = dt.datetime(2031, 4, 30, 3, 0, tzinfo=dt.UTC)
DAY = dt.date(2031, 5, 4)


def kst(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL).astimezone(dt.UTC)


async def add_market_day(
    session: AsyncSession, market: Market, day: dt.date, *, setup: int = 10, opens: int = 11,
    closes: int = 16,
) -> MarketDay:
    row = MarketDay(market_id=market.id, day=day, setup_from=kst(day, setup),
                    opens_at=kst(day, opens), closes_at=kst(day, closes))
    session.add(row)
    await session.flush()
    return row


@dataclasses.dataclass
class World:
    market: Market
    day: MarketDay
    organizer: User
    owner: User  # owner of ``vendor``
    vendor: Vendor
    other_owner: User
    other_vendor: Vendor
    outsider: User  # signed in, member of nothing
    tent: EquipmentItem
    weight: EquipmentItem
    table: EquipmentItem
    chair: EquipmentItem
    kit: EquipmentKit

    def booking(self, **overrides: Any) -> BookingRequest:
        values: dict[str, Any] = {
            "vendor_id": self.vendor.id, "market_id": self.market.id, "kit_id": self.kit.id,
            "quantity": 1, "market_day_id": self.day.id,
        }
        values.update(overrides)
        return BookingRequest(**values)


async def build_world(
    session_factory: async_sessionmaker[AsyncSession], *, tents: int = 5,
    slot_capacity: int = 6, day: dt.date = DAY,
) -> World:
    async with session_factory() as session:
        market = Market(name="광화문 사회적경제 장터", place="광화문 광장",
                        rrule="FREQ=WEEKLY;BYDAY=SU", opens=dt.time(11), closes=dt.time(16),
                        season_months=list(range(3, 12)))
        session.add(market)
        await session.flush()
        market_day = await add_market_day(session, market, day)
        organizer = await make_user(session, Role.ORGANIZER)
        session.add(MarketOrganizer(market_id=market.id, user_id=organizer.id,
                                    role=OrganizerRole.OWNER))  # the desk's organizer
        owner = await make_user(session, Role.VENDOR_MEMBER)
        vendor = await make_vendor(session, owner=owner)
        other_owner = await make_user(session, Role.VENDOR_MEMBER)
        other_vendor = await make_vendor(session, owner=other_owner)
        outsider = await make_user(session, Role.VENDOR_MEMBER)
        await session.commit()
    async with session_factory() as session:
        tent = await inventory.add_item(session, organizer, market.id, name="천막 3×3",
                                       quantity=tents, code_prefix="천막")
        weight = await inventory.add_item(session, organizer, market.id, name="천막 추",
                                         quantity=4 * max(tents, 5) + 40, code_prefix="추")
        table = await inventory.add_item(session, organizer, market.id, name="테이블",
                                        quantity=max(tents, 5) + 10, code_prefix="테이블")
        chair = await inventory.add_item(session, organizer, market.id, name="의자",
                                        quantity=2 * max(tents, 5) + 20, code_prefix="의자")
        kit = await inventory.define_kit(
            session, organizer, market.id, name="부스 기본 세트",
            components=[(tent.id, 1), (weight.id, 4), (table.id, 1), (chair.id, 2)],
        )
        await desk.configure_desk(session, organizer, market.id,
                                      desk.DeskSettings(slot_capacity=slot_capacity))
    return World(market, market_day, organizer, owner, vendor, other_owner, other_vendor,
                 outsider, tent, weight, table, chair, kit)


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    return await build_world(session_factory)


LENDING_TABLES = (Loan, LoanLine, LoanStatusChange, UnitReservation, PickupSlot,
                  ConditionReport, MaintenanceRecord, LendingStrike, OutboxEvent)


async def counts(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as session:
        return {
            model.__name__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in LENDING_TABLES
        }


async def bearer(session_factory: async_sessionmaker[AsyncSession], user: User) -> dict[str, str]:
    async with session_factory() as session:
        token = await issue_token(session, user)
        await session.commit()
    return {"Authorization": f"Bearer {token}"}




def future_day(days_ahead: int = 10) -> dt.date:
    """A Sunday at least ``days_ahead`` days after today (for tests at the real time)."""
    day = seoul_today() + dt.timedelta(days=days_ahead)
    return day + dt.timedelta(days=(6 - day.weekday()) % 7)

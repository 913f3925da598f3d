"""Checkout test world: an approved vendor, a shopper, and a clock the tests control."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from infra.settings import Settings
from shop.vendors.models import Vendor
from tests.shop.factories import make_user, make_vendor

#: A fixed "now" so expiry is a matter of arithmetic, not of sleeping.
T0 = dt.datetime(2025, 5, 1, 3, 0, tzinfo=dt.UTC)


@dataclasses.dataclass
class World:
    settings: Settings
    vendor: Vendor
    shopper: User


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> World:
    async with session_factory() as session:
        vendor = await make_vendor(session, name="햇살협동조합")
        shopper = await make_user(session)
        await session.commit()
    return World(settings=settings.with_(reservation_minutes=15), vendor=vendor, shopper=shopper)

"""Assignment test world: 광화문 next May (its Sundays), a row of five booths, an organizer,
six vendors with accepted applications, one waitlisted and one withdrawn.

Booths (3 m apart in a row, so each touches the next):
  A-01 power, premium, corner · A-02 · A-03 power · A-04 large · A-05 corner
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from infra.clock import seoul_today
from markets.applications.models import Application, ApplicationStatus
from markets.booths.models import Booth, BoothSize
from markets.days.models import MarketDay
from markets.models import Market
from shop.vendors.models import Vendor
from tests.markets.market_world import add_days, add_market, bearer, detached, organizer
from tests.shop.factories import make_user, make_vendor

SEASON = seoul_today().year + 1

BOOTHS = [
    # code, size, power, corner, premium
    ("A-01", BoothSize.STANDARD, True, True, True),
    ("A-02", BoothSize.STANDARD, False, False, False),
    ("A-03", BoothSize.STANDARD, True, False, False),
    ("A-04", BoothSize.LARGE, False, False, False),
    ("A-05", BoothSize.STANDARD, False, True, False),
]


@dataclasses.dataclass
class World:
    market: Market
    days: list[MarketDay]
    booths: dict[str, Booth]
    boss: User
    vendors: list[Vendor]
    applications: list[Application]
    tokens: dict[str, dict[str, str]]

    @property
    def day(self) -> MarketDay:
        return self.days[0]


async def add_application(
    session: AsyncSession, market: Market, vendor: Vendor, **fields: Any
) -> Application:
    values: dict[str, Any] = {
        "market_id": market.id, "vendor_id": vendor.id, "season": SEASON, "whole_season": True,
        "market_day_ids": [], "categories": ["food"], "status": ApplicationStatus.ACCEPTED,
    }
    values.update(fields)
    application = Application(**values)
    session.add(application)
    await session.flush()
    return application


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    async with session_factory() as session:
        market = await add_market(session)
        days = await add_days(session, market, dt.date(SEASON, 5, 1), dt.date(SEASON, 5, 31))
        booths = {}
        for n, (code, size, power, corner, premium) in enumerate(BOOTHS):
            width = 6.0 if size is BoothSize.LARGE else 3.0
            booth = Booth(
                market_id=market.id, code=code, zone="A 먹거리" if n < 3 else "B 공예",
                size=size, has_power=power, is_corner=corner, is_premium=premium,
                x=sum(6.0 if s is BoothSize.LARGE else 3.0 for _, s, *_ in BOOTHS[:n]), y=0,
                width=width, height=3, adjacent_codes=[], is_active=True, position_order=n,
            )
            session.add(booth)
            booths[code] = booth
        boss = await organizer(session, market)
        vendors = [await make_vendor(session, name=f"협동조합{n}") for n in range(8)]
        apps = [
            await add_application(session, market, vendors[0], needs_power=True, priority_tier=2,
                                  preferred_booth_codes=["A-01"]),
            await add_application(session, market, vendors[1], categories=["household"],
                                  priority_tier=1),
            await add_application(session, market, vendors[2], min_booth_size="large"),
            await add_application(session, market, vendors[3], categories=["fashion_beauty"],
                                  preferred_zones=["B"]),
            await add_application(session, market, vendors[4], categories=["books_education"],
                                  whole_season=False, market_day_ids=[days[0].id]),
            await add_application(session, market, vendors[5], priority_tier=-1),
            await add_application(session, market, vendors[6],
                                  status=ApplicationStatus.WAITLISTED),
            await add_application(session, market, vendors[7],
                                  status=ApplicationStatus.WITHDRAWN),
        ]
        await session.commit()
        tokens = {"boss": await bearer(session, boss)}
        stranger = await make_user(session)
        tokens["stranger"] = await bearer(session, stranger)
        detached(session, boss)
    return World(market=market, days=days, booths=booths, boss=boss, vendors=vendors,
                 applications=apps, tokens=tokens)

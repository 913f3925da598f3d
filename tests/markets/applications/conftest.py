"""Application test world: 동진시장 next year (four May Tuesdays), two places a day, a 5,000
won fee, published criteria, two organizers, and four approved vendors with their owners."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from infra.clock import seoul_today
from markets.applications.models import MarketCriterion
from markets.days.models import MarketDay
from markets.models import Market
from shop.vendors.models import Vendor
from tests.markets.market_world import (
    add_days,
    add_market,
    bearer,
    detached,
    organizer,
    vendor_with_owner,
)

SEASON = seoul_today().year + 1


@dataclasses.dataclass
class World:
    market: Market
    days: list[MarketDay]
    criteria: list[MarketCriterion]
    boss: User
    juror: User
    vendors: list[Vendor]
    owners: list[User]
    tokens: dict[str, dict[str, str]]

    def owner_of(self, vendor: Vendor) -> User:
        return self.owners[self.vendors.index(vendor)]


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    async with session_factory() as session:
        market = await add_market(session, "동진시장", capacity=2, booth_fee=5000)
        days = await add_days(session, market, dt.date(SEASON, 5, 1), dt.date(SEASON, 5, 31))
        criteria = [
            MarketCriterion(market_id=market.id, name="사회적 가치", weight=60, position=0),
            MarketCriterion(market_id=market.id, name="상품 완성도", weight=40, position=1),
        ]
        session.add_all(criteria)
        boss = await organizer(session, market)
        juror = await organizer(session, market)
        pairs = [await vendor_with_owner(session) for _ in range(4)]
        await session.commit()
        vendors = [v for v, _ in pairs]
        owners = [o for _, o in pairs]
        tokens = {"boss": await bearer(session, boss), "juror": await bearer(session, juror)}
        for n, owner in enumerate(owners):
            tokens[f"owner{n}"] = await bearer(session, owner)
        detached(session, boss, juror, *owners)
        return World(market, days, criteria, boss, juror, vendors, owners, tokens)

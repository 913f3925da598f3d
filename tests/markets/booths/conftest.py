"""Booth-map test world: the 광화문 market, an organizer, a vendor member, their tokens."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from markets.models import Market
from tests.markets.market_world import add_market, bearer, detached, organizer
from tests.shop.factories import make_user


@dataclasses.dataclass
class World:
    market: Market
    boss: User
    stranger: User
    tokens: dict[str, dict[str, str]]


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    async with session_factory() as session:
        market = await add_market(session)
        boss = await organizer(session, market)
        stranger = await make_user(session, Role.VENDOR_MEMBER)
        await session.commit()
        tokens = {"boss": await bearer(session, boss), "stranger": await bearer(session, stranger)}
        detached(session, boss, stranger)
    return World(market=market, boss=boss, stranger=stranger, tokens=tokens)

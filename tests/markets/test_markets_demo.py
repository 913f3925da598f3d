"""The markets demo is usable by a newcomer: equipment to lend at every market, a booth count
that matches the booth map, and market days through the next season (issue 14 item 11)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets import demo
from markets.booths.models import Booth
from markets.days.models import MarketDay
from markets.lending.models import EquipmentItem, EquipmentKit
from markets.models import Market


async def test_every_demo_market_lends_a_booth_kit_and_shows_its_next_season(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    december = dt.datetime(2026, 12, 6, 15, 30, tzinfo=dt.UTC)  # Monday 00:30 in Seoul
    async with session_factory() as session:
        summary = await demo.load(session, now=december)
        assert "대여 장비를 장터 4곳에 갖췄습니다" in summary, summary
        again = await demo.load(session, now=december)
        assert "대여 장비를 장터 0곳에" in again  # idempotent

    async with session_factory() as session:
        for market in (await session.scalars(select(Market))).all():
            items = {i.name for i in (await session.scalars(
                select(EquipmentItem).where(EquipmentItem.market_id == market.id))).all()}
            assert {"천막", "천막 추", "테이블", "의자"} <= items, market.name
            kit = await session.scalar(
                select(EquipmentKit).where(EquipmentKit.market_id == market.id))
            assert kit is not None and kit.name == "부스 기본 세트"
            assert sorted((c.item.name, c.quantity) for c in kit.components) == [
                ("의자", 2), ("천막", 1), ("천막 추", 4), ("테이블", 1)]
            booths = await session.scalar(
                select(func.count(Booth.id)).where(Booth.market_id == market.id))
            assert market.capacity == booths, market.name
            last = await _last_day(session, market.id)
            # In December the whole next March-November season is open.
            assert last is not None and last >= dt.date(2027, 11, 1), market.name


async def _last_day(session: AsyncSession, market_id: int) -> dt.date | None:
    return await session.scalar(
        select(func.max(MarketDay.day)).where(MarketDay.market_id == market_id))

"""The four demo markets have believable maps: about 70 booths at 광화문 in zones A-D, no
booth on top of another, unique codes, neighbours, and some power, corner and premium."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.booths.adjacency import Footprint, derive_adjacency, overlapping
from markets.booths.demo_layout import demo_layout
from markets.booths.models import Booth
from markets.demo_data import demo_markets
from markets.models import Market

NAMES = [m.name for m in demo_markets()]


@pytest.mark.parametrize("name", NAMES)
def test_each_demo_market_has_a_sound_layout(name: str) -> None:
    seeds = demo_layout(name)
    assert len(seeds) >= 20
    assert len({s.code for s in seeds}) == len(seeds)
    prints = [Footprint(s.code, s.x, s.y, s.width, s.height) for s in seeds]
    assert not [(a.code, b.code) for a, b in itertools.combinations(prints, 2) if overlapping(a, b)]
    neighbours = derive_adjacency(prints)
    assert sum(len(n) for n in neighbours.values()) >= len(seeds)
    assert any(s.has_power for s in seeds) and any(s.is_premium for s in seeds)
    assert any(s.is_corner for s in seeds)


def test_gwanghwamun_has_about_seventy_booths_in_zones_a_to_d() -> None:
    seeds = demo_layout("광화문 사회적경제 장터")
    assert 65 <= len(seeds) <= 75
    assert sorted({s.zone[0] for s in seeds}) == ["A", "B", "C", "D"]


async def test_the_demo_loader_adds_every_layout_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    from markets.demo import load

    async with session_factory() as session:
        await load(session)
        await load(session)  # idempotent
        markets = (await session.scalars(select(Market))).all()
        for market in markets:
            count = await session.scalar(
                select(func.count(Booth.id)).where(Booth.market_id == market.id)
            )
            assert count == len(demo_layout(market.name)), market.name

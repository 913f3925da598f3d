"""The demo markets' days of the past year, held, for the analytics demo (``jangteo demo``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

TODAY = dt.date(2025, 11, 20)


async def test_the_past_year_of_demo_market_days_is_generated_held_and_found_again(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    import markets.demo

    async with session_factory() as session:
        await markets.demo.load(session)
        held = await markets.demo.past_days(session, TODAY)
    assert held and len({d.market_id for d in held}) >= 2
    assert all(TODAY - dt.timedelta(days=365) <= d.day < TODAY for d in held)
    assert [d.day for d in held] == sorted(d.day for d in held)
    async with session_factory() as session:  # loading again finds the same days
        assert await markets.demo.past_days(session, TODAY) == held

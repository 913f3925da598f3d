"""Load the four booth markets of the source documents (idempotent by name)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from markets.demo_data import demo_markets
from markets.models import Market


async def load(session: AsyncSession) -> str:
    added = 0
    for seed in demo_markets():
        if await session.scalar(select(Market.id).where(Market.name == seed.name)):
            continue
        session.add(
            Market(
                name=seed.name,
                place=seed.place,
                description=seed.description,
                rrule=seed.rrule,
                opens=seed.opens,
                closes=seed.closes,
                season_months=list(seed.season_months),
                timezone=seed.timezone,
                organizer_name=seed.organizer_name,
            )
        )
        added += 1
    await session.commit()
    return f"장터 {added}곳을 불러왔습니다." if added else "장터 데이터가 이미 있습니다."

"""Demo equipment, so that lending works on a fresh ``make run``: every demo market lends
tents, weights, tables and chairs, and a booth kit of one tent, four weights, a table and two
chairs (the kit a vendor without its own gear asks for). Idempotent: a market that already has
equipment is left alone. Goes through the organizer's own use cases (``inventory``), so the
demo data obeys the rules the desk obeys."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from markets.lending import inventory
from markets.lending.models import EquipmentItem
from markets.models import Market

#: (name, units per booth, description) — units are scaled to the market's capacity.
ITEMS = (
    ("천막", 0.5, "3×3m 접이식 천막"),
    ("천막 추", 2.0, "천막 다리 고정용 추 (개당 10kg)"),
    ("테이블", 0.5, "180×60cm 접이식 테이블"),
    ("의자", 1.0, "접이식 의자"),
)
KIT = ("부스 기본 세트", {"천막": 1, "천막 추": 4, "테이블": 1, "의자": 2},
       "장비가 없는 기업을 위한 한 부스 분량")


async def load(session: AsyncSession, organizer: User) -> int:
    """Equipment for each market without any; returns the markets equipped."""
    equipped = 0
    for market in (await session.scalars(select(Market).order_by(Market.id))).all():
        if await session.scalar(
            select(func.count(EquipmentItem.id)).where(EquipmentItem.market_id == market.id)
        ):
            continue
        booths = market.capacity or 20
        ids: dict[str, int] = {}
        for name, per_booth, description in ITEMS:
            item = await inventory.add_item(
                session, organizer, market.id, name=name,
                quantity=max(2, min(int(booths * per_booth), 99)), description=description,
            )
            ids[name] = item.id
        kit_name, parts, kit_description = KIT
        await inventory.define_kit(
            session, organizer, market.id, name=kit_name,
            components=[(ids[name], quantity) for name, quantity in parts.items()],
            description=kit_description,
        )
        equipped += 1
    return equipped

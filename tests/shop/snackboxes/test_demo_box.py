"""The demo snack box loads from the demo products, once, and can be ordered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import shop.demo
from shop.snackboxes import demo, ordering, services
from shop.snackboxes.models import SnackBox


async def test_the_demo_box_has_three_sizes_and_weekday_slots_and_loads_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    today = dt.date(2025, 6, 9)  # a Monday
    async with session_factory() as session:
        await shop.demo.load(session)
        summary = await demo.load(session, today=today)
        assert "햇음 다과꾸러미" in summary
        assert "이미 있어" in await demo.load(session, today=today)
    async with session_factory() as session:
        (box,) = (await session.scalars(select(SnackBox))).all()
        assert [(s.headcount, s.price) for s in box.sizes] == [
            (10, 65_000), (20, 128_000), (50, 310_000)
        ]
        views = await services.size_views(session, box)
        assert all(v.orderable for v in views)
        assert len({c.vendor_name for v in views for c in v.components}) == 4
        slots = await services.slot_views(session, box, today=today)
        assert len(slots) == 20 and all(s.slot.delivery_date.weekday() < 5 for s in slots)
        assert slots[0].slot.delivery_date == dt.date(2025, 6, 12)
        boxed = await ordering.plan(
            session, [ordering.BoxOrder(box.sizes[1].id, 2, slots[0].slot.id)], today=today
        )
        assert sum(p.unit_price * p.quantity for b in boxed.bundles for p in b.parts) == 256_000


def test_a_bigger_demo_box_never_costs_more_per_person() -> None:
    """Issue 14: the 20인 box cost 7,250원 a person against the 10인 box's 6,500원."""
    per_person = [price / headcount for headcount, price in sorted(demo.SIZES)]
    assert per_person == sorted(per_person, reverse=True), per_person

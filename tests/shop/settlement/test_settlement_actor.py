"""The worker glue: the relay routes the order events to the settlement actor, which writes
the ledger once however often a message comes."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.settlement.models import LedgerTransaction
from tests.fixtures.outbox import seoul
from tests.shop.settlement.conftest import WEEK1, World
from tests.shop.settlement.world import Line, place_order, refund


async def test_the_actor_writes_each_order_event_once(
    worker: Settings, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors, routing

    async with session_factory() as session:
        order = await place_order(
            session, [Line(world.vendors[0], world.variants[0], "food", 10_000, 2)],
            placed_at=seoul(WEEK1))
        (vendor_order,) = order.vendor_orders
        await refund(session, vendor_order, at=seoul(WEEK1, 14), lines=[(vendor_order.lines[0], 1)])
        await session.commit()
        events = list((await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).all())
    assert [e.name for e in events] == ["order.placed", "vendor_order.refunded"]
    for event in events:
        subscribed = [a for matches, a, _batch in routing.SUBSCRIPTIONS if matches(event.name)]
        assert actors.record_settlement in subscribed
        message = event.envelope().to_dict()
        await asyncio.to_thread(actors.record_settlement, message)
        await asyncio.to_thread(actors.record_settlement, message)  # redelivered
    async with session_factory() as session:
        assert await session.scalar(select(func.count(LedgerTransaction.id))) == 2

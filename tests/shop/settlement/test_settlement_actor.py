"""The worker glue: the relay routes the order events to the settlement actor, which writes
the ledger once however often a message comes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.settlement.models import LedgerTransaction
from tests.shop.settlement.conftest import WEEK1, World, seoul
from tests.shop.settlement.world import Line, place_order, refund


@pytest.fixture
async def worker(settings: Settings, tmp_path: Any) -> AsyncIterator[Settings]:
    """The worker's actor module running in this process against the test database, with the
    event-loop thread dramatiq's AsyncIO middleware would start in a worker."""
    from workers import resources, setup

    ours = settings.with_(var_dir=tmp_path / "var")
    setup.configure(ours)  # installs the broker (test Redis) if no test did it before
    previous, setup._installed = setup._installed, ours
    resources.close()
    loop_thread = EventLoopThread(logging.getLogger("tests.settlement_actor"))
    loop_thread.start(timeout=5)
    set_event_loop_thread(loop_thread)
    try:
        yield ours
    finally:
        sessions = resources._state.get("sessions")
        if sessions is not None:
            loop_thread.run_coroutine(sessions.kw["bind"].dispose())
        resources.close()
        loop_thread.stop()
        loop_thread.join()
        set_event_loop_thread(None)
        setup._installed = previous


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
        subscribed = [a for matches, a in routing.SUBSCRIPTIONS if matches(event.name)]
        assert actors.record_settlement in subscribed
        message = event.envelope().to_dict()
        await asyncio.to_thread(actors.record_settlement, message)
        await asyncio.to_thread(actors.record_settlement, message)  # redelivered
    async with session_factory() as session:
        assert await session.scalar(select(func.count(LedgerTransaction.id))) == 2

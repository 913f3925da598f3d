"""The worker glue: the relay routes sale, refund, booth-report and institutional events to
the sales-facts actor, which writes each fact once however often a message comes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from infra.events import EventEnvelope
from infra.outbox import OutboxEvent, relay_batch
from infra.settings import Settings
from shop.analytics.facts import SALES_EVENTS, FactSourceMissing
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import AnalyticsWorld, Factory, daily_net, envelope
from tests.shop.analytics.test_booth_and_institutional_facts import paid_order, report
from tests.shop.settlement.world import Line, place_order, refund


def test_the_sales_facts_actor_hears_its_events_and_bootstrap_no_longer_calls_them_unheard(
) -> None:
    from infra.bootstrap import ANALYTICS_ONLY
    from workers import actors, routing

    for name in SALES_EVENTS:
        heard = [a for matches, a, _batch in routing.SUBSCRIPTIONS if matches(name)]
        assert actors.record_sales_facts in heard and routing.CATCH_ALL in heard, name
        assert name not in ANALYTICS_ONLY
    assert {"order.placed", "vendor_order.refunded", "booth_sales.reported",
            "procurement.order_paid", "market_day.check_in_recorded",
            "market_day.held"} == SALES_EVENTS


async def test_relayed_events_reach_the_actor_and_count_once(
    worker: Settings, world: AnalyticsWorld, session_factory: Factory
) -> None:
    from workers import actors, routing

    vendor = world.vendors[0]
    async with session_factory() as session:
        order = await place_order(session, [Line(vendor, world.variants[0], "food", 10_000, 3)],
                                  placed_at=seoul(dt.date(2025, 5, 1), 14))
        vendor_order = order.vendor_orders[0]
        await refund(session, vendor_order, at=seoul(dt.date(2025, 5, 2)),
                     lines=[(vendor_order.lines[0], 1)])
        await session.commit()

    sent: list[dict[str, Any]] = []

    def publish(envelopes: Sequence[EventEnvelope]) -> None:
        """The relay's publisher, keeping what the subscription table sends our actor."""
        for item in envelopes:
            if any(m(item.name) and a is actors.record_sales_facts
                   for m, a, _batch in routing.SUBSCRIPTIONS):
                sent.append(item.to_dict())

    async with session_factory() as session:
        assert await relay_batch(session, publish) == 2
    at = seoul(dt.date(2025, 5, 11), 18)
    sent += [report(vendor.id, 1, 50_000, 3, at=at).to_dict(),
             envelope("procurement.order_paid", paid_order(vendor.id), at).to_dict()]
    for message in sent * 2:  # every message delivered twice
        await asyncio.to_thread(actors.record_sales_facts, message)

    async with session_factory() as session:
        assert await daily_net(session, vendor.id) == {
            dt.date(2025, 5, 1): 30_000, dt.date(2025, 5, 2): -10_000}
        assert await daily_net(session, vendor.id, "booth_market") == {dt.date(2025, 5, 11): 50_000}
        assert await daily_net(session, vendor.id, "institutional") == {
            dt.date(2025, 5, 11): 209_000}
        assert all(row.published_at for row in (await session.scalars(select(OutboxEvent))).all())


async def test_a_failed_batch_is_split_so_one_bad_event_holds_back_no_other(
    worker: Settings, world: AnalyticsWorld, session_factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A relay batch naming an order that is not there fails as a whole (nothing of it is
    written); the actor sends its events back one message each: the good ones are written,
    only the bad one fails (and is retried on its own)."""
    from workers import actors

    vendor = world.vendors[0]
    async with session_factory() as session:
        order = await place_order(session, [Line(vendor, world.variants[0], "food", 10_000, 1)],
                                  placed_at=seoul(dt.date(2025, 5, 1), 14))
        await session.commit()
    at = seoul(dt.date(2025, 5, 11), 18)
    good = envelope("order.placed", {"id": order.id, "vendor_order_ids": [
        vo.id for vo in order.vendor_orders]}, at).to_dict()
    bad = envelope("order.placed", {"id": order.id + 1_000, "vendor_order_ids": [1]}, at).to_dict()
    booth = report(vendor.id, 1, 50_000, 3, at=at).to_dict()
    resent: list[dict[str, Any]] = []
    monkeypatch.setattr(actors.record_sales_facts, "send", resent.append)

    await asyncio.to_thread(actors.record_sales_facts, {"events": [good, bad, booth]})
    assert resent == [good, bad, booth]
    async with session_factory() as session:
        assert await daily_net(session, vendor.id) == {}  # the batch wrote nothing

    for message in resent:
        if message is bad:
            with pytest.raises(FactSourceMissing):
                await asyncio.to_thread(actors.record_sales_facts, message)
        else:
            await asyncio.to_thread(actors.record_sales_facts, message)
    assert len(resent) == 3  # a single event that fails is not split again: it is retried
    async with session_factory() as session:
        assert await daily_net(session, vendor.id) == {dt.date(2025, 5, 1): 10_000}
        assert await daily_net(session, vendor.id, "booth_market") == {dt.date(2025, 5, 11): 50_000}

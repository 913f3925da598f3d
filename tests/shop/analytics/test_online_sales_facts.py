"""Online orders become sales facts: a paid line counts at its payment time, a refund at its
processing time, a cancellation as a negative on its own day, each on its Seoul business date;
delivery fees are left out; a redelivered event counts once (issue 11's acceptance numbers)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from sqlalchemy import func, select

from shop.analytics import facts
from shop.analytics.models import Channel, FactKind, SalesFact
from shop.vendors.types import District
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import (
    AnalyticsWorld,
    Factory,
    Relay,
    consume_all,
    daily_net,
    monthly_net,
    platform_days,
    product_days,
    product_month,
)
from tests.shop.settlement.world import Line, cancel, place_order, refund

MAY = dt.date(2025, 5, 1)


async def test_a_refund_counts_on_the_day_it_is_processed(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay
) -> None:
    vendor = world.vendors[0]
    cheap, dear = world.variants[0], world.second
    async with session_factory() as session:
        order = await place_order(
            session,
            [Line(vendor, cheap, "food", 10_000, 1), Line(vendor, dear, "food", 20_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 1), 14), delivery_fees={vendor.id: 3_000},
        )
        (vendor_order,) = order.vendor_orders
        refunded_line = next(ln for ln in vendor_order.lines if ln.variant_id == cheap.id)
        await refund(session, vendor_order, at=seoul(dt.date(2025, 5, 2), 10),
                     lines=[(refunded_line, 1)])
        await session.commit()
    assert await relay.deliver() == 3  # two paid lines, one refunded line

    async with session_factory() as session:
        assert await daily_net(session, vendor.id) == {
            dt.date(2025, 5, 1): 30_000,  # 10,000 + 20,000; the 3,000 delivery fee is not sales
            dt.date(2025, 5, 2): -10_000,
        }
        assert await monthly_net(session, vendor.id) == {MAY: 20_000}
        assert await product_month(session, cheap.product_id) == {MAY: (0, 0)}
        assert await product_month(session, dear.product_id) == {MAY: (1, 20_000)}
        assert await product_days(session, cheap.product_id) == {
            dt.date(2025, 5, 1): (1, 10_000), dt.date(2025, 5, 2): (-1, -10_000),
        }
        # The platform view: the vendor's enterprise type and district, per channel.
        assert await platform_days(session) == {
            (dt.date(2025, 5, 1), "online", "village", District.SEONGBUK.value): 30_000,
            (dt.date(2025, 5, 2), "online", "village", District.SEONGBUK.value): -10_000,
        }
        kinds = [(f.kind, f.net_amount, f.quantity) for f in await facts.facts_of(session)]
        assert kinds == [(FactKind.SALE, 10_000, 1), (FactKind.SALE, 20_000, 1),
                         (FactKind.REFUND, -10_000, -1)]


async def test_a_cancellation_is_a_sale_on_its_day_and_a_return_on_the_cancellation_day(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay
) -> None:
    vendor = world.vendors[1]
    async with session_factory() as session:
        order = await place_order(
            session, [Line(vendor, world.variants[1], "food", 15_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 3), 9), delivery_fees={vendor.id: 3_000},
        )
        # Cancelled before shipment: everything refunded, the delivery fee too.
        await cancel(session, order.vendor_orders[0], at=seoul(dt.date(2025, 5, 4), 18))
        await session.commit()
    placed, refunded, cancelled = await relay.pending()
    assert cancelled.name == "vendor_order.cancelled"  # the money is in the refund event
    # The order service marks the refund that cancels a vendor order (``cancels``).
    marked = msgspec.structs.replace(refunded, payload={**refunded.payload, "cancels": True})
    assert await consume_all(session_factory, [placed, marked, cancelled]) == 2

    async with session_factory() as session:
        assert await daily_net(session, vendor.id) == {
            dt.date(2025, 5, 3): 15_000, dt.date(2025, 5, 4): -15_000,
        }
        assert await monthly_net(session, vendor.id) == {MAY: 0}
        _sale, returned = await facts.facts_of(session)
        assert returned.kind is FactKind.CANCELLATION
        assert returned.business_date == dt.date(2025, 5, 4)


async def test_the_seoul_day_starts_at_15_00_utc(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay
) -> None:
    vendor = world.vendors[0]
    async with session_factory() as session:
        for at in (dt.datetime(2025, 3, 31, 15, 0, 0, tzinfo=dt.UTC),
                   dt.datetime(2025, 3, 31, 14, 59, 59, tzinfo=dt.UTC)):
            await place_order(session, [Line(vendor, world.variants[0], "food", 10_000, 1)],
                              placed_at=at)
        await session.commit()
    await relay.deliver()
    async with session_factory() as session:
        days = [f.business_date for f in await facts.facts_of(session)]
        assert days == [dt.date(2025, 4, 1), dt.date(2025, 3, 31)]
        assert await daily_net(session, vendor.id) == {
            dt.date(2025, 4, 1): 10_000, dt.date(2025, 3, 31): 10_000,
        }
        assert await monthly_net(session, vendor.id) == {
            dt.date(2025, 4, 1): 10_000, dt.date(2025, 3, 1): 10_000,
        }


@pytest.mark.parametrize("batch", [False, True], ids=["one by one", "in one batch"])
async def test_the_same_paid_order_event_three_times_counts_once(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay, batch: bool
) -> None:
    vendor = world.vendors[0]
    async with session_factory() as session:
        await place_order(
            session, [Line(vendor, world.variants[0], "food", 10_000, 1),
                      Line(vendor, world.second, "food", 20_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 1), 14),
        )
        await session.commit()
    assert await relay.deliver(times=3, batch=batch) == 2
    async with session_factory() as session:
        assert await daily_net(session, vendor.id) == {dt.date(2025, 5, 1): 30_000}
        assert await monthly_net(session, vendor.id) == {MAY: 30_000}
        assert await session.scalar(select(func.count(SalesFact.id))) == 2


async def test_a_snack_box_counts_per_component_product_and_vendor_in_its_channel(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay
) -> None:
    first, second = world.vendors[0], world.vendors[1]
    async with session_factory() as session:
        order = await place_order(
            session, [Line(first, world.variants[0], "food", 4_000, 10),
                      Line(second, world.variants[1], "food", 3_000, 10)],
            placed_at=seoul(dt.date(2025, 5, 6), 11),
        )
        for vendor_order in order.vendor_orders:
            for line in vendor_order.lines:
                line.bundle_label = "회의 간식 상자 10인 × 1"
        await session.commit()
    await relay.deliver()
    async with session_factory() as session:
        day = dt.date(2025, 5, 6)
        assert await daily_net(session, first.id, Channel.SNACK_BOX) == {day: 40_000}
        assert await daily_net(session, second.id, Channel.SNACK_BOX) == {day: 30_000}
        assert await daily_net(session, first.id) == {}
        assert all(f.buyer_vendor_id is None for f in await facts.facts_of(session))


async def test_events_analytics_does_not_read_write_nothing(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay
) -> None:
    async with session_factory() as session:
        order = await place_order(
            session, [Line(world.vendors[0], world.variants[0], "food", 10_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 1)))
        await cancel(session, order.vendor_orders[0], at=seoul(dt.date(2025, 5, 1), 13))
        await session.commit()
    *_, cancelled = await relay.pending()
    async with session_factory() as session:
        assert await facts.consume(session, cancelled) == 0

"""Facts from other features' event payloads: booth sales reports (the latest revision wins,
whatever order they arrive in) and institutional orders (the public-buying feature's
``procurement.order_paid``, made by hand here)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select, text

from infra.events import EventEnvelope
from markets.days.events import BoothSalesReported
from shop.analytics import facts
from shop.analytics.models import Channel, FactKind, MonthlyPlatformSales
from shop.analytics.rollups import ROLLUPS
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import (
    AnalyticsWorld,
    Factory,
    consume_all,
    daily_net,
    envelope,
    monthly_net,
    platform_days,
    product_days,
)

MARKET_DAY = dt.date(2025, 5, 11)  # a Sunday: 광화문 사회적경제 장터


def report(vendor_id: int, revision: int, amount: int, receipts: int, *, at: dt.datetime
           ) -> EventEnvelope:
    """``booth_sales.reported`` as ``markets.days.sales`` records it (report 41)."""
    event = BoothSalesReported(
        id=41, market_id=3, market_day_id=17, day=MARKET_DAY.isoformat(), vendor_id=vendor_id,
        amount=amount, sales_count=receipts, best_sellers=["유자차"], revision=revision,
    )
    return envelope(event.name, event.to_payload(), at)


def test_analytics_names_the_booth_event_as_markets_does() -> None:
    assert BoothSalesReported.name == facts.BOOTH_SALES_REPORTED


async def _booth(session_factory: Factory, vendor_id: int) -> tuple[int, int]:
    async with session_factory() as session:
        (row,) = (await session.execute(
            select(MonthlyPlatformSales.net_amount, MonthlyPlatformSales.receipts)
            .where(MonthlyPlatformSales.channel == Channel.BOOTH_MARKET.value)
        )).all()
        daily = await daily_net(session, vendor_id, Channel.BOOTH_MARKET)
        monthly = await monthly_net(session, vendor_id, Channel.BOOTH_MARKET)
    assert daily == {MARKET_DAY: row[0]}
    assert monthly == {MARKET_DAY.replace(day=1): row[0]}
    return int(row[0]), int(row[1])


@pytest.mark.parametrize("order", ["2 then 1", "1 then 2"])
async def test_the_latest_booth_report_revision_wins_in_either_order(
    world: AnalyticsWorld, session_factory: Factory, order: str
) -> None:
    vendor = world.vendors[0].id
    first = report(vendor, 1, 120_000, 8, at=seoul(MARKET_DAY, 17))
    second = report(vendor, 2, 150_000, 10, at=seoul(MARKET_DAY + dt.timedelta(days=1), 9))
    arriving = [second, first] if order == "2 then 1" else [first, second]
    assert await consume_all(session_factory, arriving) == 2
    assert await _booth(session_factory, vendor) == (150_000, 10)
    # Redelivered, in any order: nothing moves.
    assert await consume_all(session_factory, [first, second, second, first]) == 0
    assert await _booth(session_factory, vendor) == (150_000, 10)
    async with session_factory() as session:
        current = [(f.revision, f.current) for f in await facts.facts_of(session)]
        assert sorted(current) == [(1, False), (2, True)]


async def test_any_arrival_order_of_three_revisions_gives_the_last(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    vendor = world.vendors[1].id
    at = seoul(MARKET_DAY, 17)
    revisions = [report(vendor, 1, 100_000, 5, at=at), report(vendor, 2, 90_000, 6, at=at),
                 report(vendor, 3, 95_000, 7, at=at)]
    for arriving in itertools.permutations(revisions):
        async with session_factory() as session:
            for table in ("analytics_sales_facts", *(r.name for r in ROLLUPS)):
                await session.execute(text(f'DELETE FROM "{table}"'))
            await session.commit()
        await consume_all(session_factory, list(arriving))
        assert await _booth(session_factory, vendor) == (95_000, 7), arriving


async def test_a_booth_report_counts_on_its_market_day_not_when_it_was_sent(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    vendor = world.vendors[0].id
    late = report(vendor, 1, 80_000, 4, at=seoul(MARKET_DAY + dt.timedelta(days=5), 10))
    await consume_all(session_factory, [late])
    async with session_factory() as session:
        (fact,) = await facts.facts_of(session)
        assert (fact.business_date, fact.kind, fact.product_id) == (
            MARKET_DAY, FactKind.BOOTH_REPORT, None)
        assert await product_days(session, 0) == {}  # no product: in no product summary


def paid_order(vendor_id: int, **extra: object) -> dict[str, object]:
    """``procurement.order_paid`` in the shape the public-buying feature emits."""
    return {
        "id": 7, "institution": {"id": 1, "name": "성북구청"}, "department": "일자리정책과",
        "vendor_id": vendor_id, "contract_date": "2025-05-02", "counted_as": "certified_social",
        "lines": [
            {"id": 31, "product_id": None, "category": "food", "quantity": 10,
             "unit_price": 9_000, "supply_amount": 90_000, "vat": 9_000, "amount": 99_000},
            {"id": 32, "category": "office_it", "quantity": 2, "unit_price": 50_000,
             "supply_amount": 100_000, "vat": 10_000},
        ],
        **extra,
    }


async def test_an_institutional_order_counts_when_its_payment_is_recorded(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    vendor = world.vendors[2]
    # Paid 2025-05-20 00:30 in Seoul (15:30 UTC the day before); recorded by the event then.
    paid = envelope("procurement.order_paid", paid_order(vendor.id),
                    dt.datetime(2025, 5, 19, 15, 30, tzinfo=dt.UTC))
    assert await consume_all(session_factory, [paid, paid]) == 2
    async with session_factory() as session:
        day = dt.date(2025, 5, 20)
        assert await daily_net(session, vendor.id, Channel.INSTITUTIONAL) == {day: 209_000}
        assert await platform_days(session) == {
            (day, "institutional", "certified_social", vendor.district.value): 209_000,
        }
        lines = await facts.facts_of(session, "procurement_line")
        assert [(f.source_id, f.net_amount, f.quantity, f.category) for f in lines] == [
            ("7:31", 99_000, 10, "food"), ("7:32", 110_000, 2, "office_it"),
        ]
        assert {(f.institution, f.department, f.counted_as, f.kind) for f in lines} == {
            ("성북구청", "일자리정책과", "certified_social", FactKind.INSTITUTIONAL)}


async def test_an_institutional_payment_time_in_the_payload_wins_over_the_event_time(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    vendor = world.vendors[2]
    paid = envelope("procurement.order_paid",
                    paid_order(vendor.id, paid_at="2025-05-31T15:00:00+00:00", counted_as=None),
                    dt.datetime(2025, 6, 3, 1, 0, tzinfo=dt.UTC))
    await consume_all(session_factory, [paid])
    async with session_factory() as session:
        assert await monthly_net(session, vendor.id, Channel.INSTITUTIONAL) == {
            dt.date(2025, 6, 1): 209_000}
        assert {f.counted_as for f in await facts.facts_of(session)} == {None}

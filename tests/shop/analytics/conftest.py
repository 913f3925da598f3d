"""Analytics test world: three vendors with a product each and a second product for the first
(orders are written straight into the tables by ``tests.shop.settlement.world``, recording
the same events the order services do), hand-made envelopes for events of other features,
and readers of the summaries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.events import EventEnvelope
from shop.analytics import facts
from shop.analytics.models import (
    DailyPlatformSales,
    DailyProductSales,
    DailyVendorSales,
    MonthlyProductSales,
    MonthlyVendorSales,
)
from shop.catalog.models import ProductVariant
from shop.vendors.models import Vendor
from shop.vendors.types import District, EnterpriseType
from tests.fixtures.outbox import OutboxTail
from tests.shop.factories import make_vendor
from tests.shop.shelf import stocked

Factory = async_sessionmaker[AsyncSession]
_event_ids = itertools.count(1)


@dataclasses.dataclass
class AnalyticsWorld:
    vendors: list[Vendor]
    #: One product per vendor, at 10,000 won.
    variants: list[ProductVariant]
    #: A second product of the first vendor, at 20,000 won.
    second: ProductVariant


@pytest.fixture
async def world(session_factory: Factory) -> AnalyticsWorld:
    async with session_factory() as session:
        vendors = [
            await make_vendor(session, name="햇살협동조합"),
            await make_vendor(session, name="차마을기업",
                              enterprise_type=EnterpriseType.COOPERATIVE, district=District.MAPO),
            await make_vendor(session, name="초록공방",
                              enterprise_type=EnterpriseType.CERTIFIED_SOCIAL),
        ]
        variants = [await stocked(session, vendor, stock=1000) for vendor in vendors]
        second = await stocked(session, vendors[0], stock=100, price=20_000, name="보리차")
        await session.commit()
        return AnalyticsWorld(vendors, variants, second)


def envelope(name: str, payload: dict[str, Any], at: dt.datetime,
             event_id: str | None = None) -> EventEnvelope:
    """An event as the relay hands it over, made by hand (features not in this tree yet)."""
    return EventEnvelope(
        event_id=event_id or f"hand-{next(_event_ids)}", name=name, aggregate=name.split(".")[0],
        aggregate_id=str(payload.get("id", "")), payload=payload, occurred_at=at.isoformat(),
    )


class Relay(OutboxTail):
    """Hands the outbox events recorded since the last call to the analytics consumer, in
    order (or reversed), each in its own session as the worker does; ``times`` delivers
    each that many times."""

    async def deliver(self, *, times: int = 1, reverse: bool = False, batch: bool = False
                      ) -> int:
        """``batch``: all of them in one transaction, as the worker takes a relay batch."""
        envelopes = await self.pending()
        if reverse:
            envelopes.reverse()
        if batch:
            return await consume_batch(self.factory, envelopes * times)
        return await consume_all(self.factory, envelopes * times)


async def consume_all(factory: Factory, envelopes: list[EventEnvelope]) -> int:
    written = 0
    for item in envelopes:
        async with factory() as session:
            written += await facts.consume(session, item)
    return written


async def consume_batch(factory: Factory, envelopes: list[EventEnvelope]) -> int:
    """All of ``envelopes`` in one transaction, as the worker takes a relay batch."""
    async with factory() as session:
        return await facts.consume_all(session, envelopes)


@pytest.fixture
def relay(session_factory: Factory) -> Relay:
    return Relay(session_factory)


async def daily_net(session: AsyncSession, vendor_id: int, channel: str = "online"
                    ) -> dict[dt.date, int]:
    rows = await session.execute(
        select(DailyVendorSales.day, DailyVendorSales.net_amount)
        .where(DailyVendorSales.vendor_id == vendor_id, DailyVendorSales.channel == channel)
    )
    return {day: net for day, net in rows.all()}


async def monthly_net(session: AsyncSession, vendor_id: int, channel: str = "online"
                      ) -> dict[dt.date, int]:
    rows = await session.execute(
        select(MonthlyVendorSales.month, MonthlyVendorSales.net_amount)
        .where(MonthlyVendorSales.vendor_id == vendor_id, MonthlyVendorSales.channel == channel)
    )
    return {month: net for month, net in rows.all()}


async def product_month(session: AsyncSession, product_id: int) -> dict[dt.date, tuple[int, int]]:
    """``{month: (net units, net won)}`` of one product."""
    rows = await session.execute(
        select(MonthlyProductSales.month, MonthlyProductSales.quantity,
               MonthlyProductSales.net_amount)
        .where(MonthlyProductSales.product_id == product_id)
    )
    return {month: (units, net) for month, units, net in rows.all()}


async def product_days(session: AsyncSession, product_id: int) -> dict[dt.date, tuple[int, int]]:
    rows = await session.execute(
        select(DailyProductSales.day, DailyProductSales.quantity, DailyProductSales.net_amount)
        .where(DailyProductSales.product_id == product_id)
    )
    return {day: (units, net) for day, units, net in rows.all()}


async def platform_days(session: AsyncSession) -> dict[tuple[dt.date, str, str, str], int]:
    rows = await session.execute(select(
        DailyPlatformSales.day, DailyPlatformSales.channel, DailyPlatformSales.enterprise_type,
        DailyPlatformSales.district, DailyPlatformSales.net_amount,
    ))
    return {(d, c, e, r): net for d, c, e, r, net in rows.all()}

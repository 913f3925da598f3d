"""Booth sales reports as a source of sales facts for ``jangteo analytics rebuild --facts``.

A report is one row per vendor and day, corrected in place (``revision`` counts the edits),
so what can be read again is its current revision: handed to analytics as the
``booth_sales.reported`` event :func:`markets.days.sales.report_booth_sales` records for it.
A revision analytics has already is left alone; a missing one becomes the current fact.
``infra.bootstrap`` registers :data:`SOURCE` (analytics imports nothing from ``markets``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.events import EventEnvelope
from markets.days.events import BoothSalesReported
from markets.days.models import BoothSalesReport, MarketDay
from shop.analytics.regenerate import FactSource, page, regenerated


async def read(session: AsyncSession, after: int, first: dt.date, end: dt.date
               ) -> tuple[list[EventEnvelope], int]:
    """The reports with an id above ``after`` of market days from ``first`` to before
    ``end``, as events (a page), and the last id read."""
    rows = await page(session, BoothSalesReport, MarketDay,
                      MarketDay.id == BoothSalesReport.market_day_id, MarketDay.day,
                      after, first, end)
    envelopes = [regenerated(BoothSalesReported(
        id=report.id, market_id=day.market_id, market_day_id=day.id, day=day.day.isoformat(),
        vendor_id=report.vendor_id, amount=report.amount, sales_count=report.sales_count,
        best_sellers=list(report.best_sellers or ()), revision=report.revision,
        actor_user_id=report.reported_by_user_id,
    ), f"{report.id}:{report.revision}", report.updated_at) for report, day in rows]
    return envelopes, (rows[-1][0].id if rows else 0)


async def span(session: AsyncSession) -> tuple[dt.date, dt.date] | None:
    """The first and last market day with a report."""
    low, high = (await session.execute(
        select(func.min(MarketDay.day), func.max(MarketDay.day))
        .join(BoothSalesReport, BoothSalesReport.market_day_id == MarketDay.id))).one()
    return None if low is None else (low, high)


SOURCE = FactSource("booth_reports", read, span)

"""Read side of market days: lists for the API, the console sheets and the vendor pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from markets.applications.models import Application
from markets.applications.queries import booked_applications
from markets.days.models import (
    BoothFee,
    BoothFeeStatus,
    BoothSalesReport,
    CheckIn,
    MarketDay,
    MarketDayNotice,
    MarketDayStatus,
)
from markets.models import Market
from shop.vendors.models import Vendor

MAX_DAYS = 400


async def days_of_market(
    session: AsyncSession,
    market_id: int,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    status: MarketDayStatus | None = None,
    limit: int = MAX_DAYS,
) -> list[MarketDay]:
    stmt = select(MarketDay).where(MarketDay.market_id == market_id)
    if since is not None:
        stmt = stmt.where(MarketDay.day >= since)
    if until is not None:
        stmt = stmt.where(MarketDay.day <= until)
    if status is not None:
        stmt = stmt.where(MarketDay.status == status)
    rows = await session.scalars(stmt.order_by(MarketDay.day).limit(min(limit, MAX_DAYS)))
    return list(rows.all())


@dataclass(frozen=True)
class SheetRow:
    """One line of a day's check-in sheet: a booked vendor and what was recorded."""

    application: Application
    vendor: Vendor
    check_in: CheckIn | None
    fee: BoothFee | None
    sales: BoothSalesReport | None


async def day_sheet(session: AsyncSession, day: MarketDay) -> list[SheetRow]:
    """Every vendor booked on the day, with its check-in, fee and sales report if any."""
    applications = await booked_applications(session, day)
    vendor_ids = [a.vendor_id for a in applications]
    vendors = {
        v.id: v
        for v in (await session.scalars(select(Vendor).where(Vendor.id.in_(vendor_ids)))).all()
    }
    check_ins = {
        c.vendor_id: c
        for c in (
            await session.scalars(select(CheckIn).where(CheckIn.market_day_id == day.id))
        ).all()
    }
    fees = {
        f.vendor_id: f
        for f in (
            await session.scalars(select(BoothFee).where(BoothFee.market_day_id == day.id))
        ).all()
    }
    sales = {
        s.vendor_id: s
        for s in (
            await session.scalars(
                select(BoothSalesReport).where(BoothSalesReport.market_day_id == day.id)
            )
        ).all()
    }
    rows = [
        SheetRow(a, vendors[a.vendor_id], check_ins.get(a.vendor_id), fees.get(a.vendor_id),
                 sales.get(a.vendor_id))
        for a in applications
    ]
    return sorted(rows, key=lambda r: r.vendor.name)


async def fees_of_day(session: AsyncSession, day_id: int) -> list[BoothFee]:
    rows = await session.scalars(
        select(BoothFee).where(BoothFee.market_day_id == day_id).order_by(BoothFee.id)
    )
    return list(rows.all())


async def sales_of_day(session: AsyncSession, day_id: int) -> list[BoothSalesReport]:
    rows = await session.scalars(
        select(BoothSalesReport)
        .where(BoothSalesReport.market_day_id == day_id)
        .order_by(BoothSalesReport.vendor_id)
    )
    return list(rows.all())


async def notices_for(
    session: AsyncSession, vendor_ids: Sequence[int], *, limit: int = 50
) -> list[MarketDayNotice]:
    if not vendor_ids:
        return []
    rows = await session.scalars(
        select(MarketDayNotice)
        .where(MarketDayNotice.vendor_id.in_(list(vendor_ids)))
        .order_by(MarketDayNotice.id.desc())
        .limit(limit)
    )
    return list(rows.all())


async def sales_report(
    session: AsyncSession, day_id: int, vendor_id: int
) -> BoothSalesReport | None:
    return await session.scalar(
        select(BoothSalesReport).where(
            BoothSalesReport.market_day_id == day_id, BoothSalesReport.vendor_id == vendor_id
        )
    )


async def fees_of_vendor(session: AsyncSession, vendor_ids: Sequence[int]) -> list[BoothFee]:
    if not vendor_ids:
        return []
    rows = await session.scalars(
        select(BoothFee).where(BoothFee.vendor_id.in_(list(vendor_ids))).order_by(BoothFee.id)
    )
    return list(rows.all())


@dataclass(frozen=True)
class VendorFee:
    """One of a vendor's booth fees with its day and market, for the vendor's fee page."""

    fee: BoothFee
    day: MarketDay
    market: Market

    @property
    def payable(self) -> bool:
        return (
            self.fee.status is BoothFeeStatus.DUE and self.fee.amount > 0
            and self.day.status is not MarketDayStatus.CANCELLED
        )


async def vendor_fees(session: AsyncSession, vendor_id: int) -> list[VendorFee]:
    """The vendor's booth fees, latest day first."""
    rows = await session.execute(
        select(BoothFee, MarketDay, Market)
        .join(MarketDay, MarketDay.id == BoothFee.market_day_id)
        .join(Market, Market.id == MarketDay.market_id)
        .where(BoothFee.vendor_id == vendor_id)
        .order_by(MarketDay.day.desc(), BoothFee.id)
    )
    return [VendorFee(fee, day, market) for fee, day, market in rows.all()]

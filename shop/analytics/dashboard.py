"""What the vendor dashboard shows: its sales per Seoul day for a date range, read from the
daily summaries (never from the facts, so a year costs one indexed query).

The "as of" time is when the figures were read: the summaries follow the events within
seconds (the analytics worker), so figures a person sees are as of that moment, give or take
the events still in the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import Problems
from shop.analytics.errors import AnalyticsErrorCode as Code
from shop.analytics.facts import business_date
from shop.analytics.models import CHANNEL_LABELS, Channel, DailyVendorSales

#: The longest range one request may ask for (days, both ends included).
MAX_DAYS = 366
#: The range shown when none is asked for: the last 30 Seoul days, today included.
DEFAULT_DAYS = 30


@dataclasses.dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def parse_period(first: str | None, last: str | None, *, now: dt.datetime) -> Period:
    """``from``/``to`` as ISO dates (Seoul days); missing ends default to the last
    :data:`DEFAULT_DAYS` days up to today in Seoul. Every wrong field is reported at once."""
    problems = Problems()

    def day(value: str | None, field: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            problems.add(Code.INVALID_PERIOD, field, "날짜는 YYYY-MM-DD 형식으로 입력하세요.")
            return None

    low, high = day(first, "from"), day(last, "to")
    problems.raise_if_any()
    high = high or (low + dt.timedelta(days=DEFAULT_DAYS - 1) if low else business_date(now))
    low = low or high - dt.timedelta(days=DEFAULT_DAYS - 1)
    if low > high:
        problems.add(Code.INVALID_PERIOD, "to", "끝 날짜가 시작 날짜보다 앞설 수 없습니다.")
    elif (high - low).days + 1 > MAX_DAYS:
        problems.add(Code.INVALID_PERIOD, "to", f"한 번에 {MAX_DAYS}일까지 볼 수 있습니다.")
    problems.raise_if_any()
    return Period(low, high)


@dataclasses.dataclass(frozen=True)
class DayRow:
    day: dt.date
    #: Net won per channel value (every channel present, 0 when nothing sold there).
    by_channel: dict[str, int]
    sales: int
    refunds: int
    net: int
    quantity: int
    receipts: int


@dataclasses.dataclass(frozen=True)
class VendorSales:
    vendor_id: int
    period: Period
    as_of: dt.datetime
    days: list[DayRow]
    totals: DayRow

    @property
    def channels(self) -> list[tuple[str, str]]:
        return [(channel.value, CHANNEL_LABELS[channel]) for channel in Channel]


async def vendor_daily_sales(
    session: AsyncSession, vendor_id: int, period: Period, *, now: dt.datetime
) -> VendorSales:
    """Every Seoul day of ``period`` (days without sales too), by channel, with totals."""
    rows = (await session.execute(
        select(DailyVendorSales.day, DailyVendorSales.channel,
               func.sum(DailyVendorSales.sales_amount), func.sum(DailyVendorSales.refund_amount),
               func.sum(DailyVendorSales.net_amount), func.sum(DailyVendorSales.quantity),
               func.sum(DailyVendorSales.receipts))
        .where(DailyVendorSales.vendor_id == vendor_id, DailyVendorSales.day >= period.first,
               DailyVendorSales.day <= period.last)
        .group_by(DailyVendorSales.day, DailyVendorSales.channel)
    )).all()
    found: dict[dt.date, list[tuple[str, int, int, int, int, int]]] = {}
    for day, channel, sales, refunds, net, quantity, receipts in rows:
        found.setdefault(day, []).append(
            (channel, int(sales), int(refunds), int(net), int(quantity), int(receipts)))
    days = [_row(day, found.get(day, [])) for day in period.days]
    totals = DayRow(
        day=period.first,
        by_channel={c.value: sum(r.by_channel[c.value] for r in days) for c in Channel},
        sales=sum(r.sales for r in days), refunds=sum(r.refunds for r in days),
        net=sum(r.net for r in days), quantity=sum(r.quantity for r in days),
        receipts=sum(r.receipts for r in days),
    )
    return VendorSales(vendor_id, period, now, days, totals)


def _row(day: dt.date, cells: list[tuple[str, int, int, int, int, int]]) -> DayRow:
    by_channel = {channel.value: 0 for channel in Channel}
    for channel, _s, _r, net, _q, _n in cells:
        by_channel[channel] = by_channel.get(channel, 0) + net
    return DayRow(
        day=day, by_channel=by_channel, sales=sum(c[1] for c in cells),
        refunds=sum(c[2] for c in cells), net=sum(c[3] for c in cells),
        quantity=sum(c[4] for c in cells), receipts=sum(c[5] for c in cells),
    )

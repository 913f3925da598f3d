"""The vendor dashboard beyond the daily table: the same days against the previous period,
channels, top products, refunds, new vs returning buyers, and booth-market days.

Read from the summaries (daily vendor and product sales, buyers per day with their first
purchase, the market-day attendance and booth facts), never from orders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.web.charts import Series, over_time, shares
from shop.analytics.cache import FiguresCache
from shop.analytics.dashboard import Period, VendorSales, vendor_daily_sales
from shop.analytics.models import (
    CHANNEL_LABELS,
    Channel,
    DailyProductSales,
    DailyVendorBuyers,
    FactKind,
    FirstPurchase,
    MarketDayAttendance,
    SalesFact,
)
from shop.analytics.tables import Column, Table, percent
from shop.catalog.models import Product

TOP_PRODUCTS = 10
STATUS_LABELS = {"present": "출석", "late": "지각", "absent": "결석(사전 연락)",
                 "no_show": "무단 불참", "": "미기록"}


@dataclasses.dataclass(frozen=True)
class VendorReport:
    sales: VendorSales
    previous: VendorSales
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def previous_period(period: Period) -> Period:
    """The same number of days just before ``period``."""
    length = (period.last - period.first).days + 1
    return Period(period.first - dt.timedelta(days=length), period.first - dt.timedelta(days=1))


def _daily(sales: VendorSales, previous: VendorSales) -> Table:
    labels = [f"{d.day:%m-%d}" for d in sales.days]
    chart = over_time("일별 순매출 (이전 기간과 비교)", labels, [
        Series("이번 기간", [d.net for d in sales.days], kind="bar"),
        Series("이전 기간", [d.net for d in previous.days]),
    ])
    channels = [c for c in Channel]
    columns = [Column("날짜"), *(Column(CHANNEL_LABELS[c], "won") for c in channels),
               Column("판매", "won"), Column("환불·취소", "won"), Column("순매출", "won"),
               Column("수량", "count"), Column("부스 판매 건수", "count"),
               Column("이전 기간 같은 순서 날짜"), Column("이전 기간 순매출", "won")]
    rows = [
        [d.day, *(d.by_channel[c.value] for c in channels), d.sales, d.refunds, d.net,
         d.quantity, d.receipts, p.day, p.net]
        for d, p in zip(sales.days, previous.days, strict=True)
    ]
    t = sales.totals
    total = ["합계", *(t.by_channel[c.value] for c in channels), t.sales, t.refunds, t.net,
             t.quantity, t.receipts, "", previous.totals.net]
    return Table("daily-sales", "일별 판매", columns, rows, total, chart,
                 note="판매 채널별 순매출과 합계; 이전 기간은 같은 일수만큼 바로 앞의 기간입니다.")


def _channels(sales: VendorSales) -> Table:
    t = sales.totals
    parts = [(CHANNEL_LABELS[c], t.by_channel[c.value]) for c in Channel]
    positive = sum(max(v, 0) for _l, v in parts)
    rows = [[label, value, percent(max(value, 0), positive)] for label, value in parts]
    return Table("by-channel", "판매 채널별 순매출",
                 [Column("채널"), Column("순매출", "won"), Column("비중", "pct")], rows,
                 ["합계", t.net, 100.0 if positive else None],
                 shares("판매 채널별 순매출", [(name, max(v, 0)) for name, v in parts]))


async def _products(session: AsyncSession, vendor_id: int, period: Period) -> tuple[Table, Table]:
    rows = (await session.execute(
        select(DailyProductSales.product_id, func.sum(DailyProductSales.quantity),
               func.sum(DailyProductSales.sales_amount), func.sum(DailyProductSales.refund_amount),
               func.sum(DailyProductSales.net_amount))
        .where(DailyProductSales.vendor_id == vendor_id, DailyProductSales.day >= period.first,
               DailyProductSales.day <= period.last)
        .group_by(DailyProductSales.product_id)
    )).all()
    ids = [int(r[0]) for r in rows]
    names = dict((await session.execute(
        select(Product.id, Product.name).where(Product.id.in_(ids or [0])))).all())
    figures = [(names.get(int(pid), f"상품 {pid}"), int(q or 0), int(s or 0), int(r or 0),
                int(n or 0)) for pid, q, s, r, n in rows]
    top = sorted(figures, key=lambda f: (-f[4], f[0]))[:TOP_PRODUCTS]
    top_table = Table(
        "top-products", f"많이 팔린 상품 (순매출 상위 {TOP_PRODUCTS})",
        [Column("순위", "count"), Column("상품"), Column("순수량", "count"),
         Column("순매출", "won")],
        [[rank, name, qty, net] for rank, (name, qty, _s, _r, net) in enumerate(top, start=1)],
        chart=over_time("상품별 순매출", [f[0] for f in top],
                        [Series("순매출", [f[4] for f in top], kind="bar")]),
    )
    refunded = sorted((f for f in figures if f[3]), key=lambda f: (f[3], f[0]))
    total_sales = sum(f[2] for f in figures)
    total_refunds = sum(f[3] for f in figures)
    refund_table = Table(
        "refunds", "환불·취소 (처리한 날 기준)",
        [Column("상품"), Column("판매", "won"), Column("환불·취소", "won"),
         Column("환불률", "pct")],
        [[name, sales, refunds, percent(-refunds, sales)]
         for name, _q, sales, refunds, _n in refunded],
        ["합계", total_sales, total_refunds, percent(-total_refunds, total_sales)],
        note="상품 없는 환불(배송비 제외 금액)은 일별 판매 표의 환불·취소에만 들어갑니다.",
    )
    return top_table, refund_table


async def new_and_returning(
    session: AsyncSession, vendor_id: int, period: Period
) -> list[tuple[dt.date, int, int]]:
    """Per day of ``period``: buyers whose first purchase from the vendor was that day (new),
    and other buyers who bought that day (returning)."""
    rows = (await session.execute(
        select(DailyVendorBuyers.day, DailyVendorBuyers.day == FirstPurchase.first_day,
               func.count())
        .join(FirstPurchase, and_(FirstPurchase.vendor_id == DailyVendorBuyers.vendor_id,
                                  FirstPurchase.buyer_key == DailyVendorBuyers.buyer_key))
        .where(DailyVendorBuyers.vendor_id == vendor_id, DailyVendorBuyers.day >= period.first,
               DailyVendorBuyers.day <= period.last, DailyVendorBuyers.sales_amount > 0)
        .group_by(DailyVendorBuyers.day, DailyVendorBuyers.day == FirstPurchase.first_day)
    )).all()
    found: dict[dt.date, list[int]] = {}
    for day, first, count in rows:
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        found.setdefault(day, [0, 0])[0 if first else 1] += int(count)
    return [(day, *found.get(day, [0, 0])) for day in period.days]  # type: ignore[misc]


def _buyers(days: list[tuple[dt.date, int, int]]) -> Table:
    new, returning = sum(d[1] for d in days), sum(d[2] for d in days)
    return Table(
        "buyers", "신규·재구매 고객 (하루 한 번 셈)",
        [Column("날짜"), Column("신규 고객", "count"), Column("재구매 고객", "count")],
        [list(d) for d in days], ["합계", new, returning],
        over_time("신규·재구매 고객", [f"{d[0]:%m-%d}" for d in days], [
            Series("신규", [d[1] for d in days], kind="bar", stack="buyers"),
            Series("재구매", [d[2] for d in days], kind="bar", stack="buyers"),
        ], won=False),
        note="신규: 그날이 이 기업에서 처음 산 날인 고객. 재구매: 전에 산 적이 있는 고객.",
    )


async def _booth_days(session: AsyncSession, vendor_id: int, period: Period) -> Table:
    attendance = {(int(r.market_day_id)): r for r in (await session.scalars(
        select(MarketDayAttendance).where(
            MarketDayAttendance.vendor_id == vendor_id, MarketDayAttendance.day >= period.first,
            MarketDayAttendance.day <= period.last))).all()}
    reports = {int(ref): (day, market, int(amount), int(receipts)) for ref, day, market, amount,
               receipts in (await session.execute(
                   select(SalesFact.order_ref, SalesFact.business_date, SalesFact.market_id,
                          SalesFact.net_amount, SalesFact.receipts)
                   .where(SalesFact.vendor_id == vendor_id,
                          SalesFact.kind == FactKind.BOOTH_REPORT, SalesFact.current.is_(True),
                          SalesFact.business_date >= period.first,
                          SalesFact.business_date <= period.last))).all() if ref}
    found: list[tuple[dt.date, str, str, int | None, int | None]] = []
    for day_id in sorted(set(attendance) | set(reports)):
        seen = attendance.get(day_id)
        report = reports.get(day_id)
        day = seen.day if seen else report[0] if report else period.first
        market = seen.market_id if seen else report[1] if report else None
        found.append((day, f"장터 {market} · 장날 {day_id}",
                      STATUS_LABELS.get(seen.status if seen else "", "미기록"),
                      report[2] if report else None, report[3] if report else None))
    found.sort(key=lambda r: r[0])
    total = ["합계", f"{len(found)}일", "", sum(r[3] or 0 for r in found),
             sum(r[4] or 0 for r in found)]
    return Table(
        "booth-days", "장터 부스 참가일",
        [Column("장날"), Column("장터"), Column("출석"), Column("보고 매출", "won"),
         Column("판매 건수", "count")], [list(r) for r in found], total,
        over_time("장날별 보고 매출", [f"{r[0]:%m-%d}" for r in found],
                  [Series("보고 매출", [r[3] or 0 for r in found], kind="bar")]) if found else None,
    )


async def vendor_report(
    session: AsyncSession, vendor_id: int, period: Period, *, now: dt.datetime,
    cache: FiguresCache | None = None,
) -> VendorReport:
    """The vendor's dashboard; with ``cache``, everything but the booth days (attendance is
    not behind the facts token) comes from it while no fact was written (decision 100)."""

    async def figures() -> tuple[VendorSales, VendorSales, list[Table]]:
        sales = await vendor_daily_sales(session, vendor_id, period, now=now)
        previous = await vendor_daily_sales(session, vendor_id, previous_period(period), now=now)
        top, refunds = await _products(session, vendor_id, period)
        return sales, previous, [
            _daily(sales, previous), _channels(sales), top, refunds,
            _buyers(await new_and_returning(session, vendor_id, period))]

    sales, previous, tables = await (
        cache.get(session, ("vendor", vendor_id, period), figures) if cache else figures())
    return VendorReport(dataclasses.replace(sales, as_of=now), previous,
                        [*tables, await _booth_days(session, vendor_id, period)])

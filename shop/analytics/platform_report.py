"""The admin dashboard: the platform's GMV, orders and active vendors per month, by
enterprise type and district, mutual trade between enterprises, and public-market
(institutional) sales per company with their growth on a year before.

GMV here is the sales amount (paid lines, booth reports, institutional lines, delivery fees
excluded, before commission); net is after refunds and cancellations. Orders are the online and
snack-box orders paid in the month, summed from the monthly platform summary (each order's
first line carries ``opens_order``, decision 78); active vendors are vendors with any sale in
the month.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.web.charts import Series, over_time, shares
from shop.analytics.cache import FiguresCache
from shop.analytics.dashboard import Period
from shop.analytics.models import (
    CHANNEL_LABELS,
    Channel,
    MonthlyMutualTrade,
    MonthlyPlatformSales,
    MonthlyVendorSales,
)
from shop.analytics.rollups import months_between
from shop.analytics.tables import Column, Table, percent
from shop.vendors.models import Vendor
from shop.vendors.types import ENTERPRISE_TYPE_LABELS, EnterpriseType


@dataclasses.dataclass(frozen=True)
class PlatformReport:
    period: Period
    as_of: dt.datetime
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def _month(value: object) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value  # type: ignore[return-value]


def enterprise_label(value: str) -> str:
    chosen = next((e for e in EnterpriseType if e.value == value), None)
    return ENTERPRISE_TYPE_LABELS[chosen] if chosen else (value or "알 수 없음")


async def _months(session: AsyncSession, months: list[dt.date]) -> Table:
    first, last = months[0], months[-1]
    sums = {_month(m): (int(s or 0), int(r or 0), int(n or 0), int(o or 0))
            for m, s, r, n, o in (await session.execute(
                select(MonthlyPlatformSales.month, func.sum(MonthlyPlatformSales.sales_amount),
                       func.sum(MonthlyPlatformSales.refund_amount),
                       func.sum(MonthlyPlatformSales.net_amount),
                       func.sum(MonthlyPlatformSales.orders))
                .where(MonthlyPlatformSales.month >= first, MonthlyPlatformSales.month <= last)
                .group_by(MonthlyPlatformSales.month))).all()}
    active = {_month(m): int(n) for m, n in (await session.execute(
        select(MonthlyVendorSales.month, func.count(distinct(MonthlyVendorSales.vendor_id)))
        .where(MonthlyVendorSales.month >= first, MonthlyVendorSales.month <= last,
               MonthlyVendorSales.sales_amount > 0)
        .group_by(MonthlyVendorSales.month))).all()}
    rows: list[tuple[str, int, int, int, int, int]] = [
        (f"{m:%Y-%m}", *sums.get(m, (0, 0, 0, 0)), active.get(m, 0))
        for m in months]
    return Table(
        "months", "월별 거래액·주문·활동 기업",
        [Column("월"), Column("거래액(GMV)", "won"), Column("환불·취소", "won"),
         Column("순매출", "won"), Column("온라인 주문", "count"), Column("판매한 기업", "count")],
        [list(r) for r in rows],
        ["합계", sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows),
         sum(r[4] for r in rows), ""],
        over_time("월별 거래액", [r[0] for r in rows], [
            Series("거래액", [r[1] for r in rows], kind="bar"),
            Series("순매출", [r[3] for r in rows])]),
        note="판매한 기업은 달마다 따로 셉니다(합계 없음).",
    )


def _label(column: str, value: str) -> str:
    if column == "enterprise_type":
        return enterprise_label(value)
    if column == "channel" and value in {c.value for c in Channel}:
        return CHANNEL_LABELS[Channel(value)]
    return value or "알 수 없음"


async def _by(session: AsyncSession, months: list[dt.date], column: str, key: str, title: str,
              label: str) -> Table:
    dimension = getattr(MonthlyPlatformSales, column)
    rows = (await session.execute(
        select(dimension, func.sum(MonthlyPlatformSales.sales_amount),
               func.sum(MonthlyPlatformSales.net_amount))
        .where(MonthlyPlatformSales.month >= months[0], MonthlyPlatformSales.month <= months[-1])
        .group_by(dimension))).all()
    figures = sorted(((str(k), int(s or 0), int(n or 0)) for k, s, n in rows),
                     key=lambda f: (-f[2], f[0]))
    whole = sum(max(f[2], 0) for f in figures)
    named = [(_label(column, k), s, n) for k, s, n in figures]
    return Table(
        key, title, [Column(label), Column("거래액(GMV)", "won"), Column("순매출", "won"),
                     Column("비중", "pct")],
        [[k, s, n, percent(max(n, 0), whole)] for k, s, n in named],
        ["합계", sum(f[1] for f in figures), sum(f[2] for f in figures), 100.0 if whole else None],
        shares(title, [(k, max(n, 0)) for k, _s, n in named]),
    )


#: Seller–buyer pairs listed in the mutual-trade table (the biggest by net sales; the total
#: row and the chart are over every pair).
MUTUAL_TRADE_PAIRS = 50


async def mutual_trade(session: AsyncSession, months: list[dt.date]) -> list[Table]:
    """Mutual trade in ``months``: the monthly totals (with their chart) and the biggest
    seller–buyer pairs over the whole period, summed by the database (a year holds tens of
    thousands of month × pair rows at the benchmark's volume: no page lists them all)."""
    within = (MonthlyMutualTrade.month >= months[0], MonthlyMutualTrade.month <= months[-1])
    sales, net = func.sum(MonthlyMutualTrade.sales_amount), func.sum(MonthlyMutualTrade.net_amount)
    monthly = {_month(m): (int(g or 0), int(n or 0)) for m, g, n in (await session.execute(
        select(MonthlyMutualTrade.month, sales, net).where(*within)
        .group_by(MonthlyMutualTrade.month))).all()}
    pairs = (await session.execute(
        select(MonthlyMutualTrade.vendor_id, MonthlyMutualTrade.buyer_vendor_id, sales, net)
        .where(*within)
        .group_by(MonthlyMutualTrade.vendor_id, MonthlyMutualTrade.buyer_vendor_id)
        .order_by(net.desc(), MonthlyMutualTrade.vendor_id, MonthlyMutualTrade.buyer_vendor_id)
        .limit(MUTUAL_TRADE_PAIRS))).all()
    ids = {int(r[0]) for r in pairs} | {int(r[1]) for r in pairs}
    names = dict((await session.execute(
        select(Vendor.id, Vendor.name).where(Vendor.id.in_(sorted(ids) or [0])))).all())
    table_rows = [[names.get(int(s), f"기업 {s}"), names.get(int(b), f"기업 {b}"),
                   int(g or 0), int(n or 0)] for s, b, g, n in pairs]
    labels = [f"{m:%Y-%m}" for m in months]
    nets = [monthly.get(m, (0, 0))[1] for m in months]
    total = ["합계", sum(g for g, _n in monthly.values()), sum(n for _g, n in monthly.values())]
    return [Table(
        "mutual-trade", "기업 간 거래 (사회적경제기업이 사회적경제기업에서 산 것)",
        [Column("월"), Column("거래액", "won"), Column("순매출", "won")],
        [[label, monthly.get(m, (0, 0))[0], net] for label, m, net in zip(
            labels, months, nets, strict=True)], total,
        over_time("월별 기업 간 거래 순매출", labels, [Series("기업 간 거래", nets, kind="bar")]),
        note="구매자 계정이 승인된 다른 사회적경제기업 한 곳의 구성원이면 기업 간 거래로 셉니다.",
    ), Table(
        "mutual-trade-pairs", f"기업 간 거래 상위 {MUTUAL_TRADE_PAIRS}쌍 (기간 전체)",
        [Column("판매 기업"), Column("구매 기업"), Column("거래액", "won"),
         Column("순매출", "won")], table_rows, ["합계 (모든 쌍)", "", *total[1:]],
        note=f"순매출이 큰 {MUTUAL_TRADE_PAIRS}쌍까지 보입니다. 합계는 모든 쌍입니다.",
    )]


def year_before(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


async def public_market_growth(session: AsyncSession, months: list[dt.date]) -> Table:
    """Public-market (institutional) sales per company in ``months`` against the same months
    a year before, and their growth (decision 54)."""
    def sums(first: dt.date, last: dt.date) -> Any:
        return (select(MonthlyVendorSales.vendor_id, func.sum(MonthlyVendorSales.sales_amount))
                .where(MonthlyVendorSales.channel == Channel.INSTITUTIONAL.value,
                       MonthlyVendorSales.month >= first, MonthlyVendorSales.month <= last)
                .group_by(MonthlyVendorSales.vendor_id))

    now = {int(v): int(s or 0) for v, s in (await session.execute(
        sums(months[0], months[-1]))).all()}
    before = {int(v): int(s or 0) for v, s in (await session.execute(
        sums(year_before(months[0]), year_before(months[-1])))).all()}
    ids = sorted(v for v in set(now) | set(before) if now.get(v) or before.get(v))
    names = dict((await session.execute(
        select(Vendor.id, Vendor.name).where(Vendor.id.in_(ids or [0])))).all())
    figures = sorted(((names.get(v, f"기업 {v}"), now.get(v, 0), before.get(v, 0)) for v in ids),
                     key=lambda f: (-f[1], f[0]))
    total_now, total_before = sum(f[1] for f in figures), sum(f[2] for f in figures)

    def growth(current: int, earlier: int) -> float | None:
        return percent(current - earlier, earlier)

    shown = figures[:20]
    return Table(
        "public-market-growth", "공공구매 매출과 1년 전 대비 성장 (기업별)",
        [Column("기업"), Column("이번 기간", "won"), Column("1년 전 같은 기간", "won"),
         Column("성장률", "pct")],
        [[name, current, earlier, growth(current, earlier)]
         for name, current, earlier in figures],
        ["합계", total_now, total_before, growth(total_now, total_before)],
        over_time("기업별 공공구매 매출 (상위 20)", [f[0] for f in shown], [
            Series("이번 기간", [f[1] for f in shown], kind="bar"),
            Series("1년 전", [f[2] for f in shown], kind="bar")]) if shown else None,
        note=f"공공구매(기관 주문) 채널의 판매액, {months[0]:%Y-%m}~{months[-1]:%Y-%m}과 "
             "그 1년 전 같은 달들. 1년 전 매출이 없으면 성장률은 –입니다.",
    )


async def platform_report(session: AsyncSession, period: Period, *, now: dt.datetime,
                          cache: FiguresCache | None = None) -> PlatformReport:
    """Whole months touching ``period`` (the monthly summaries); with ``cache``, kept while
    no fact was written (decision 100)."""
    months = months_between(period.first, period.last)

    async def figures() -> list[Table]:
        return [
            await _months(session, months),
            await _by(session, months, "enterprise_type", "enterprise-types", "기업 유형별",
                      "기업 유형"),
            await _by(session, months, "district", "districts", "자치구별", "자치구"),
            await _by(session, months, "channel", "channels", "판매 채널별", "채널"),
            *await mutual_trade(session, months),
            await public_market_growth(session, months),
        ]

    tables = await (cache.get(session, ("platform", tuple(months)), figures) if cache
                    else figures())
    return PlatformReport(period, now, tables)

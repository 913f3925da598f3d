"""The market organizer's dashboard: per market and day, attendance, no-shows, reported booth
sales and receipts, the category mix, and a season calendar; read from
``analytics_market_days`` and the attendance rows.

The rates (decision 41): attendance = (present + late) / booked; no-show rate = no-shows /
booked; reporting rate = vendors with a report / vendors who came (present + late); average
= reported sales / reports. The caller says which markets (the organizer page in
``markets``, where who runs which market is known) and their names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.web.charts import Series, over_time, shares
from shop.analytics.dashboard import Period
from shop.analytics.models import FactKind, MarketDayAttendance, MarketDaySummary, SalesFact
from shop.analytics.tables import Column, Table, percent
from shop.catalog.taxonomy import Category


@dataclasses.dataclass(frozen=True)
class MarketDayFigures:
    market_id: int
    market_name: str
    market_day_id: int
    day: dt.date
    booked: int
    present: int
    late: int
    absent: int
    no_show: int
    reports: int
    reported_sales: int
    receipts: int

    @property
    def came(self) -> int:
        return self.present + self.late

    @property
    def attendance_rate(self) -> float | None:
        return percent(self.came, self.booked)

    @property
    def no_show_rate(self) -> float | None:
        return percent(self.no_show, self.booked)

    @property
    def reporting_rate(self) -> float | None:
        return percent(self.reports, self.came)

    @property
    def average_sales(self) -> int | None:
        return round(self.reported_sales / self.reports) if self.reports else None


@dataclasses.dataclass(frozen=True)
class MarketReport:
    period: Period
    as_of: dt.datetime
    days: list[MarketDayFigures]
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


async def market_day_figures(
    session: AsyncSession, markets: Mapping[int, str], period: Period
) -> list[MarketDayFigures]:
    rows = (await session.scalars(
        select(MarketDaySummary).where(
            MarketDaySummary.market_id.in_(list(markets) or [0]),
            MarketDaySummary.day >= period.first, MarketDaySummary.day <= period.last)
        .order_by(MarketDaySummary.day, MarketDaySummary.market_id)
    )).all()
    return [MarketDayFigures(
        r.market_id, markets.get(r.market_id, f"장터 {r.market_id}"), r.market_day_id, r.day,
        r.booked, r.present, r.late, r.absent, r.no_show, r.reports, r.reported_sales, r.receipts,
    ) for r in rows]


_DAY_COLUMNS = [
    Column("장터"), Column("장날"), Column("선정", "count"), Column("출석", "count"),
    Column("지각", "count"), Column("결석", "count"), Column("무단 불참", "count"),
    Column("출석률", "pct"), Column("무단 불참률", "pct"), Column("매출 보고", "count"),
    Column("보고율", "pct"), Column("보고 매출", "won"), Column("판매 건수", "count"),
    Column("기업당 평균", "won"),
]


def _day_row(f: MarketDayFigures) -> list[object]:
    return [f.market_name, f.day, f.booked, f.present, f.late, f.absent, f.no_show,
            f.attendance_rate, f.no_show_rate, f.reports, f.reporting_rate, f.reported_sales,
            f.receipts, f.average_sales]


def _days_table(days: list[MarketDayFigures]) -> Table:
    whole = MarketDayFigures(0, "합계", 0, dt.date.min, *(
        sum(getattr(d, name) for d in days)
        for name in ("booked", "present", "late", "absent", "no_show", "reports",
                     "reported_sales", "receipts")))
    total = _day_row(whole)
    total[1] = f"{len(days)}일"
    labels = [f"{d.day:%m-%d} {d.market_name}" for d in days]
    return Table(
        "market-days", "장날별 출석과 부스 매출", _DAY_COLUMNS, [_day_row(d) for d in days],
        total, over_time("장날별 보고 매출", labels,
                         [Series("보고 매출", [d.reported_sales for d in days], kind="bar")]),
        note="출석률 = (출석+지각)/선정, 무단 불참률 = 무단 불참/선정, "
             "보고율 = 매출 보고 기업/온 기업(출석+지각), 평균 = 보고 매출/보고 기업.",
    )


def category_label(value: str) -> str:
    chosen = next((c for c in Category if c.value == value), None)
    return chosen.label if chosen else (value or "분류 없음")


async def _category_mix(session: AsyncSession, markets: Mapping[int, str], period: Period
                        ) -> Table:
    attendance = MarketDayAttendance
    where = and_(attendance.market_id.in_(list(markets) or [0]), attendance.day >= period.first,
                 attendance.day <= period.last)
    booked = dict((await session.execute(
        select(attendance.category, func.count()).where(where).group_by(attendance.category)
    )).all())
    sales = dict((await session.execute(
        select(attendance.category, func.sum(SalesFact.net_amount))
        # The report counts on its market day: with the day the join uses the
        # (vendor, day) index instead of reading every fact of the vendor.
        .join(SalesFact, and_(SalesFact.vendor_id == attendance.vendor_id,
                              SalesFact.business_date == attendance.day,
                              SalesFact.order_ref == cast(attendance.market_day_id, String),
                              SalesFact.kind == FactKind.BOOTH_REPORT,
                              SalesFact.current.is_(True)))
        .where(where).group_by(attendance.category)
    )).all())
    keys = sorted(set(booked) | set(sales), key=lambda k: (-(sales.get(k) or 0), k))
    whole = sum(int(v or 0) for v in sales.values())
    rows = [[category_label(k), int(booked.get(k) or 0), int(sales.get(k) or 0),
             percent(int(sales.get(k) or 0), whole)] for k in keys]
    return Table(
        "category-mix", "분류별 참가 기업과 보고 매출",
        [Column("분류"), Column("선정 기업·장날", "count"), Column("보고 매출", "won"),
         Column("매출 비중", "pct")], rows,
        ["합계", sum(int(v or 0) for v in booked.values()), whole, 100.0 if whole else None],
        shares("분류별 보고 매출", [(r[0], r[2]) for r in rows]),  # type: ignore[misc]
        note="분류는 기업이 장터 참가 신청서에 적은 첫 분류입니다.",
    )


WEEKDAYS = ("월", "화", "수", "목", "금", "토", "일")


def season_calendar(days: list[MarketDayFigures], period: Period) -> Table:
    """The period as weeks (Monday first), each market day in its weekday's cell with its
    attendance and reported sales: a season at a glance, printable, no script needed."""
    by_day: dict[dt.date, list[MarketDayFigures]] = {}
    for figures in days:
        by_day.setdefault(figures.day, []).append(figures)

    def entry(f: MarketDayFigures) -> str:
        rate = "–" if f.attendance_rate is None else f"{f.attendance_rate:.1f} %"
        return f"{f.market_name} 출석 {rate} · {f.reported_sales:,}원"

    monday = period.first - dt.timedelta(days=period.first.weekday())
    rows = []
    while monday <= period.last:
        week = [monday + dt.timedelta(days=n) for n in range(7)]
        rows.append([f"{monday:%m-%d}주", *(
            " / ".join(entry(f) for f in by_day.get(day, [])) if period.first <= day <= period.last
            else "" for day in week)])
        monday += dt.timedelta(days=7)
    return Table(
        "season-calendar", "장날 달력",
        [Column("주(월요일)"), *(Column(name) for name in WEEKDAYS)], rows,
        note=f"{len(days)}개 장날. 칸마다 그날 열린 장터, 출석률, 보고 매출입니다.",
    )


async def market_report(
    session: AsyncSession, markets: Mapping[int, str], period: Period, *, now: dt.datetime
) -> MarketReport:
    days = await market_day_figures(session, markets, period)
    return MarketReport(period, now, days, [
        _days_table(days), season_calendar(days, period),
        await _category_mix(session, markets, period)])

"""The institution dashboard: social-economy purchases against the target, month by month
(cumulative) and by enterprise type, drawn with ``infra.web.charts`` above tables of the same
numbers (decision 38), and the same figures as JSON.

Two sides, each labelled with what it is (decision 43 §1):

- *Official results* (인정 실적): the yearly report's counted amounts, by contract month, as
  approval fixed them less what inspection did not accept. These are what the ordinance's
  evaluation uses and what the CSV/XLSX report states.
- *Paid, from analytics* (지급 실적): what the institution actually paid, by Seoul month of
  the payment, by ``counted_as``, read from analytics'
  :func:`shop.analytics.public_body.institution_monthly_totals` (the issue: public buying
  plugs its plan-vs-actual into the analytics dashboards). Its cumulative social-economy line
  is drawn against the same yearly target. An order approved but not paid yet is in the first
  side and not in the second; a December order paid in January is in next year's second side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from infra.web import charts
from shop.analytics.cache import FiguresCache
from shop.analytics.public_body import InstitutionMonth, institution_monthly_totals
from shop.procurement.overdue_inspections import OverdueInspection, OverdueInspectionOut
from shop.procurement.plan_schemas import MonthOut, ReportOut, ResultOut
from shop.procurement.yearly_report import YearlyReport, type_label
from shop.vendors.types import EnterpriseType

OFFICIAL_BASIS = ("공식 실적: 계약일 기준, 승인 때 정해진 인정 금액(검수에서 받지 않은 몫 제외, "
                  "취소 제외)과 가져온 플랫폼 밖 구매(구매일 기준). 연간 구매실적 보고서와 같은 "
                  "숫자입니다.")
PAID_BASIS = ("지급 실적: 기관이 대금을 지급한 날(서울) 기준, 부가세 포함 지급액. 분석 집계에서 "
              "읽으며 공식 실적이 아닙니다.")


@dataclass(frozen=True)
class MonthRow:
    label: str
    social_economy: int
    cumulative: int
    total: int
    target: int


def month_rows(report: YearlyReport) -> list[MonthRow]:
    target = report.institution_result.target_amount
    rows, running = [], 0
    for m in report.months:
        running += m.social_economy
        rows.append(MonthRow(f"{m.month}월", m.social_economy, running, m.total, target))
    return rows


def type_rows(report: YearlyReport) -> list[tuple[str, int]]:
    return [(type_label(t), amount) for t, amount in report.by_type() if t is not None]


def month_chart(report: YearlyReport) -> dict[str, Any]:
    rows = month_rows(report)
    return charts.over_time(
        f"{report.fiscal_year}년 사회적경제 제품 구매: 목표 대비 누적",
        [r.label for r in rows],
        [charts.Series("월별 구매액", [r.social_economy for r in rows], kind="bar"),
         charts.Series("누적 구매액", [r.cumulative for r in rows]),
         charts.Series("구매 목표액", [r.target for r in rows])])


def type_chart(report: YearlyReport) -> dict[str, Any]:
    return charts.shares(f"{report.fiscal_year}년 기업 유형별 구매액", type_rows(report))


@dataclass(frozen=True)
class PaidMonthRow:
    """One month of what the institution paid (analytics), against the yearly target."""

    label: str
    social_economy: int  # paid for purchases counted as an enterprise type
    cumulative: int  # social economy paid from January to this month
    total: int  # everything paid, general purchases included
    target: int  # the plan's yearly target (the line the cumulative should reach)
    by_counted_as: dict[str, int]  # counted_as value ("" = general) → won


def counted_as_label(counted_as: str) -> str:
    return type_label(EnterpriseType(counted_as) if counted_as else None)


def paid_rows(months: Sequence[InstitutionMonth], target: int) -> list[PaidMonthRow]:
    """Monthly paid amounts with the running social-economy sum (pure)."""
    rows, running = [], 0
    for m in months:
        social = sum(a for kind, a in m.by_counted_as.items() if kind)
        running += social
        rows.append(PaidMonthRow(f"{m.month.month}월", social, running, m.amount, target,
                                 dict(m.by_counted_as)))
    return rows


def paid_type_rows(months: Sequence[InstitutionMonth]) -> list[tuple[str, str, int]]:
    """(counted_as, label, won paid in the year), enterprise types first, general last."""
    sums: dict[str, int] = {}
    for m in months:
        for kind, amount in m.by_counted_as.items():
            sums[kind] = sums.get(kind, 0) + amount
    order = [t.value for t in EnterpriseType] + [""]
    return [(k, counted_as_label(k), sums[k]) for k in order if sums.get(k)]


async def paid_months(
    session: AsyncSession, institution_id: int, fiscal_year: int,
    cache: FiguresCache | None = None,
) -> list[InstitutionMonth]:
    """January to December of ``fiscal_year`` from analytics (zeros where nothing was paid;
    ``cache``: the application's analytics figures, decision 100)."""
    return await institution_monthly_totals(
        session, institution_id, dt.date(fiscal_year, 1, 1), dt.date(fiscal_year, 12, 31),
        cache=cache)


def paid_chart(report: YearlyReport, rows: Sequence[PaidMonthRow]) -> dict[str, Any]:
    return charts.over_time(
        f"{report.fiscal_year}년 지급 실적(분석 집계): 목표 대비 누적",
        [r.label for r in rows],
        [charts.Series("월별 사회적경제 지급액", [r.social_economy for r in rows], kind="bar"),
         charts.Series("누적 사회적경제 지급액", [r.cumulative for r in rows]),
         charts.Series("구매 목표액", [r.target for r in rows])])


class TypeAmountOut(msgspec.Struct, kw_only=True):
    enterprise_type: str
    label: str
    amount: int


class PaidMonthOut(msgspec.Struct, kw_only=True):
    month: int
    social_economy: int
    cumulative_social_economy: int
    total: int
    target: int
    by_counted_as: dict[str, int]


class PaidOut(msgspec.Struct, kw_only=True):
    """What was paid, by Seoul month of payment, from analytics (not the official figures)."""

    basis: str
    target_amount: int
    months: list[PaidMonthOut]
    by_counted_as: list[TypeAmountOut]


class DashboardOut(msgspec.Struct, kw_only=True):
    institution_id: int
    fiscal_year: int
    late: bool
    #: What ``institution``, ``months`` and ``by_enterprise_type`` are: the official figures.
    basis: str
    institution: ResultOut
    months: list[MonthOut]
    by_enterprise_type: list[TypeAmountOut]
    paid: PaidOut
    #: Delivered orders not inspected in time, as of today (not of the fiscal year).
    overdue_inspections: list[OverdueInspectionOut]

    @classmethod
    def of(cls, report: YearlyReport, paid: Sequence[InstitutionMonth],
           overdue: Sequence[OverdueInspection] = ()) -> DashboardOut:
        full = ReportOut.of(report)
        target = report.institution_result.target_amount
        return cls(institution_id=full.institution_id, fiscal_year=full.fiscal_year,
                   late=full.late, basis=OFFICIAL_BASIS, institution=full.institution,
                   months=full.months,
                   by_enterprise_type=[
                       TypeAmountOut(enterprise_type=t.value if t else "general",
                                     label=type_label(t), amount=a)
                       for t, a in report.by_type()],
                   paid=PaidOut(
                       basis=PAID_BASIS, target_amount=target,
                       months=[PaidMonthOut(month=m.month.month, social_economy=r.social_economy,
                                            cumulative_social_economy=r.cumulative,
                                            total=r.total, target=r.target,
                                            by_counted_as=r.by_counted_as)
                               for m, r in zip(paid, paid_rows(paid, target), strict=True)],
                       by_counted_as=[TypeAmountOut(enterprise_type=k or "general", label=label,
                                                    amount=a)
                                      for k, label, a in paid_type_rows(paid)]),
                   overdue_inspections=[OverdueInspectionOut.of(r) for r in overdue])

"""The institution dashboard: social-economy purchases against the target, month by month
(cumulative) and by enterprise type, drawn with ``infra.web.charts`` above tables of the same
numbers (decision 38), and the same figures as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from infra.web import charts
from shop.procurement.plan_schemas import MonthOut, ReportOut, ResultOut
from shop.procurement.yearly_report import YearlyReport, type_label


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


class TypeAmountOut(msgspec.Struct, kw_only=True):
    enterprise_type: str
    label: str
    amount: int


class DashboardOut(msgspec.Struct, kw_only=True):
    institution_id: int
    fiscal_year: int
    late: bool
    institution: ResultOut
    months: list[MonthOut]
    by_enterprise_type: list[TypeAmountOut]

    @classmethod
    def of(cls, report: YearlyReport) -> DashboardOut:
        full = ReportOut.of(report)
        return cls(institution_id=full.institution_id, fiscal_year=full.fiscal_year,
                   late=full.late, institution=full.institution, months=full.months,
                   by_enterprise_type=[
                       TypeAmountOut(enterprise_type=t.value if t else "general",
                                     label=type_label(t), amount=a)
                       for t, a in report.by_type()])

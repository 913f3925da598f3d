"""The API bodies of yearly plans, the yearly results report and the institution dashboard
(msgspec). Money is integer won; rates are decimal strings (``"125.7"``) or null when there
is no figure (no target, no purchases), never a float."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from shop.procurement.plan_models import PurchasePlan, PurchasePlanVersion
from shop.procurement.plan_rules import PlanFigures, PlanLineInput
from shop.procurement.plans import plan_status
from shop.procurement.schemas import ExceptionOut, Won
from shop.procurement.yearly_report import Result, YearlyReport, type_label


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


def _rate(value: object) -> str | None:
    return None if value is None else str(value)


class PlanLineIn(msgspec.Struct, forbid_unknown_fields=True):
    department_id: int
    category: str
    planned_amount: Annotated[Won, _d("부서·품목 구매 계획액")]
    target_amount: Annotated[Won, _d("그중 사회적경제 제품 구매 목표액")]


class PlanFiguresIn(msgspec.Struct, forbid_unknown_fields=True):
    planned_total: Annotated[Won, _d("총 구매 계획액")]
    target_amount: Annotated[Won, _d("사회적경제 제품 구매 목표액 (목표 비율은 계산됨)")]
    lines: list[PlanLineIn] = []

    def figures(self) -> PlanFigures:
        return PlanFigures(self.planned_total, self.target_amount, tuple(
            PlanLineInput(x.department_id, x.category, x.planned_amount, x.target_amount)
            for x in self.lines))


class PlanIn(PlanFiguresIn, forbid_unknown_fields=True, kw_only=True):
    fiscal_year: int


class AmendIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, _d("변경 사유 (필수)")]
    figures: Annotated[PlanFiguresIn | None, _d("없으면 공표된 계획을 복사")] = None


class PlanLineOut(msgspec.Struct, kw_only=True):
    department_id: int
    category: str
    planned_amount: Won
    target_amount: Won


class PlanVersionOut(msgspec.Struct, kw_only=True):
    id: int
    version: int
    state: Annotated[str, _d("draft, submitted, published (1판), amended (변경 공표)")]
    state_label: str
    planned_total: Won
    target_amount: Won
    target_rate: Annotated[str | None, _d("목표 비율 %, 소수 둘째 자리")]
    reason: str
    published_on: Annotated[dt.date | None, _d("공표일 (서울 날짜)")]
    published_at: dt.datetime | None
    lines: list[PlanLineOut]

    @classmethod
    def of(cls, row: PurchasePlanVersion) -> PlanVersionOut:
        return cls(id=row.id, version=row.version, state=row.state.value,
                   state_label=row.state.label, planned_total=row.planned_total,
                   target_amount=row.target_amount, target_rate=_rate(row.target_rate),
                   reason=row.reason, published_on=row.published_on,
                   published_at=row.published_at,
                   lines=[PlanLineOut(department_id=x.department_id, category=x.category.value,
                                      planned_amount=x.planned_amount,
                                      target_amount=x.target_amount) for x in row.lines])


class PlanOut(msgspec.Struct, kw_only=True):
    id: int
    institution_id: int
    fiscal_year: int
    status: str
    status_label: str
    first_published_on: dt.date | None
    late: Annotated[bool, _d("1월 1일(서울) 뒤에 처음 공표했거나 아직 공표하지 않음")]
    versions: list[PlanVersionOut]

    @classmethod
    def of(cls, plan: PurchasePlan, versions: list[PurchasePlanVersion], late: bool) -> PlanOut:
        status = plan_status(versions)
        return cls(id=plan.id, institution_id=plan.institution_id,
                   fiscal_year=plan.fiscal_year, status=status.value, status_label=status.label,
                   first_published_on=plan.first_published_on, late=late,
                   versions=[PlanVersionOut.of(v) for v in versions])


class ResultOut(msgspec.Struct, kw_only=True):
    name: str
    planned_total: Won
    target_amount: Won
    target_rate: str | None
    total_purchases: Won
    counted_amount: Annotated[Won, _d("사회적경제 제품 구매액 (결재 때 확정된 집계)")]
    achievement: Annotated[str | None, _d("목표 달성률 %, 소수 첫째 자리")]
    share: Annotated[str | None, _d("총 구매액 중 비율 %, 소수 둘째 자리")]

    @classmethod
    def of(cls, r: Result) -> ResultOut:
        return cls(name=r.name, planned_total=r.planned_total, target_amount=r.target_amount,
                   target_rate=_rate(r.target_rate), total_purchases=r.total_purchases,
                   counted_amount=r.counted_amount, achievement=_rate(r.achievement),
                   share=_rate(r.share))


class AmountOut(msgspec.Struct, kw_only=True):
    category: str
    category_label: str
    enterprise_type: Annotated[str | None, _d("null: 일반 구매")]
    enterprise_type_label: str
    amount: Won


class MonthOut(msgspec.Struct, kw_only=True):
    month: int
    social_economy: Won
    cumulative_social_economy: Won
    total: Won
    by_enterprise_type: dict[str, int]


class ReportOut(msgspec.Struct, kw_only=True):
    institution_id: int
    institution_name: str
    fiscal_year: int
    as_of: dt.date
    plan_version: int | None
    plan_state: str | None
    first_published_on: dt.date | None
    late: bool
    institution: ResultOut
    departments: list[ResultOut]
    amounts: list[AmountOut]
    exceptions: list[ExceptionOut]
    months: list[MonthOut]
    #: Of the institution's totals, what was bought outside the platform (imported files).
    outside_total: int = 0
    outside_social_economy: int = 0

    @classmethod
    def of(cls, report: YearlyReport) -> ReportOut:
        plan = report.plan_in_force
        running = 0
        months = []
        for m in report.months:
            running += m.social_economy
            months.append(MonthOut(
                month=m.month, social_economy=m.social_economy,
                cumulative_social_economy=running, total=m.total,
                by_enterprise_type={(t.value if t else "general"): a
                                    for t, a in m.by_type.items() if a}))
        return cls(
            institution_id=report.institution.id, institution_name=report.institution.name,
            fiscal_year=report.fiscal_year, as_of=report.as_of,
            plan_version=plan.version if plan else None,
            plan_state=plan.state.value if plan else None,
            first_published_on=report.plan.first_published_on if report.plan else None,
            late=report.late, institution=ResultOut.of(report.institution_result),
            departments=[ResultOut.of(r) for r in report.department_results],
            amounts=[AmountOut(category=c.value, category_label=c.label,
                               enterprise_type=t.value if t else None,
                               enterprise_type_label=type_label(t), amount=a)
                     for (c, t), a in sorted(report.amounts.items(),
                                             key=lambda kv: (kv[0][0].value, kv[0][1] or "~"))],
            exceptions=[ExceptionOut.of(e) for e in report.exceptions], months=months,
            outside_total=report.outside_total,
            outside_social_economy=report.outside_social_economy)

"""The yearly results report (연간 구매실적, ordinance art. 17) and the dashboard's figures.

For one institution and fiscal year: the counted amounts by item category × enterprise type
(``None`` = general purchases, the rate's denominator), results against the plan in force
for the institution and per department (target, counted, achievement to 0.1 %, share of all
purchases to 0.01 %: decision 34), the exception register of the year, the late-plan flag,
and the month-by-month figures the dashboard draws.

The purchases count exactly as the monthly disclosures do (decision 35): the orders as
approval fixed them (``counted_as``, counted amount, contract date in the fiscal year), less
what inspection did not accept, without the orders cancelled by ``as_of`` (today, Seoul).
Purchases made outside the platform (나라장터, cards, other; imported from spreadsheets,
:mod:`shop.procurement.outside_purchases`) count too, by purchase date, as the institution
declared them: a general one only in the total (the rate's denominator), a social-economy one
in both; the report states how much of each came from outside (decision 43 §3).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import seoul_date, seoul_today
from shop.catalog.taxonomy import Category
from shop.procurement import corrections, outside_purchases, plans
from shop.procurement.access import institution_or_404
from shop.procurement.amounts import achievement_percent, not_accepted_reduction
from shop.procurement.amounts import purchase_rate_percent as share_percent
from shop.procurement.disclosure import Adjustment, CountedPurchase
from shop.procurement.models import Institution, PurchaseOrder
from shop.procurement.plan_models import PurchasePlan, PurchasePlanVersion
from shop.procurement.record_models import ExceptionEntry, Inspection
from shop.vendors.types import EnterpriseType

GENERAL_LABEL = "일반 구매"


def type_label(enterprise_type: EnterpriseType | None) -> str:
    return enterprise_type.label if enterprise_type is not None else GENERAL_LABEL


@dataclass(frozen=True)
class Result:
    """Results against the plan for the institution or one department."""

    name: str
    planned_total: int  # 총 구매 계획액
    target_amount: int  # 사회적경제 제품 구매 목표액
    total_purchases: int  # 총 구매액 (counted, general included)
    counted_amount: int  # 사회적경제 제품 구매액

    @property
    def achievement(self) -> Decimal | None:
        """목표 달성률: counted against target, 0.1 % half up."""
        return achievement_percent(self.counted_amount, self.target_amount)

    @property
    def share(self) -> Decimal | None:
        """구매 비율: counted as a share of all purchases, 0.01 % half up."""
        return share_percent(self.counted_amount, self.total_purchases)

    @property
    def target_rate(self) -> Decimal | None:
        """목표 비율: target over planned total, 0.01 % half up."""
        return share_percent(self.target_amount, self.planned_total)


def percent_text(value: Decimal | None) -> str:
    """``125.7 %``, or ``-`` when there is no figure (no target, no purchases)."""
    return "-" if value is None else f"{value} %"


@dataclass(frozen=True)
class MonthFigures:
    month: int
    social_economy: int
    total: int
    by_type: dict[EnterpriseType | None, int]


@dataclass
class YearlyReport:
    institution: Institution
    fiscal_year: int
    as_of: dt.date
    plan: PurchasePlan | None
    plan_in_force: PurchasePlanVersion | None
    late: bool
    #: (category, enterprise type or None) → counted amount, only non-zero keys.
    amounts: dict[tuple[Category, EnterpriseType | None], int]
    institution_result: Result
    department_results: list[Result]
    exceptions: list[ExceptionEntry]
    months: list[MonthFigures] = field(default_factory=list)
    department_names: dict[int, str] = field(default_factory=dict)
    #: Of the institution's totals, what was bought outside the platform (imported).
    outside_total: int = 0
    outside_social_economy: int = 0

    @property
    def categories(self) -> list[Category]:
        return [c for c in Category if any(k[0] is c for k in self.amounts)]

    @property
    def enterprise_types(self) -> list[EnterpriseType | None]:
        present = {k[1] for k in self.amounts}
        return [t for t in (*EnterpriseType, None) if t in present]

    def by_type(self) -> list[tuple[EnterpriseType | None, int]]:
        sums: dict[EnterpriseType | None, int] = defaultdict(int)
        for (_, kind), amount in self.amounts.items():
            sums[kind] += amount
        return [(t, sums[t]) for t in self.enterprise_types]

    def by_category(self) -> list[tuple[Category, int, int]]:
        """(category, social-economy amount, all purchases) per category."""
        return [(c, sum(a for (cat, t), a in self.amounts.items() if cat is c and t is not None),
                 sum(a for (cat, _), a in self.amounts.items() if cat is c))
                for c in self.categories]


def results(
    purchases: Sequence[CountedPurchase], as_of: dt.date, *, name: str,
    planned_total: int, target_amount: int,
) -> Result:
    counted = sum(p.amount_as_of(as_of) for p in purchases if p.enterprise_type is not None)
    total = sum(p.amount_as_of(as_of) for p in purchases)
    return Result(name, planned_total, target_amount, total, counted)


def build(
    *, institution: Institution, fiscal_year: int, as_of: dt.date, plan: PurchasePlan | None,
    versions: Sequence[PurchasePlanVersion], purchases: Sequence[CountedPurchase],
    exceptions: list[ExceptionEntry], names: dict[int, str],
    outside: Sequence[CountedPurchase] = (),
) -> YearlyReport:
    """The report from what was read (pure: the benchmark and the tests call it too);
    ``outside`` are the purchases made outside the platform, counted with the others."""
    current = plans.in_force(list(versions))
    purchases = [*purchases, *outside]
    amounts: dict[tuple[Category, EnterpriseType | None], int] = defaultdict(int)
    month_se: dict[int, int] = defaultdict(int)
    month_total: dict[int, int] = defaultdict(int)
    month_type: dict[int, dict[EnterpriseType | None, int]] = defaultdict(
        lambda: defaultdict(int))
    by_department: dict[str, list[CountedPurchase]] = defaultdict(list)
    for p in purchases:
        amount = p.amount_as_of(as_of)
        if not amount:
            continue
        amounts[(p.category, p.enterprise_type)] += amount
        month = p.contract_date.month
        month_total[month] += amount
        month_type[month][p.enterprise_type] += amount
        if p.enterprise_type is not None:
            month_se[month] += amount
        by_department[p.department].append(p)
    planned: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in current.lines if current else ():
        pair = planned[names.get(line.department_id, str(line.department_id))]
        pair[0] += line.planned_amount
        pair[1] += line.target_amount
    department_results = [
        results(by_department.get(name, ()), as_of, name=name,
                planned_total=planned[name][0], target_amount=planned[name][1])
        for name in sorted({*planned, *by_department},
                           key=lambda n: ([*names.values()].index(n) if n in names.values()
                                          else len(names), n))
    ]
    institution_result = results(
        purchases, as_of, name=institution.name,
        planned_total=current.planned_total if current else 0,
        target_amount=current.target_amount if current else 0)
    months = [MonthFigures(m, month_se[m], month_total[m], dict(month_type[m]))
              for m in range(1, 13)]
    return YearlyReport(
        institution=institution, fiscal_year=fiscal_year, as_of=as_of, plan=plan,
        plan_in_force=current,
        late=plans.late_flag(plan, fiscal_year, as_of),
        amounts={k: v for k, v in amounts.items() if v}, institution_result=institution_result,
        department_results=department_results, exceptions=exceptions, months=months,
        department_names=names,
        outside_total=sum(p.amount_as_of(as_of) for p in outside),
        outside_social_economy=sum(p.amount_as_of(as_of) for p in outside
                                   if p.enterprise_type is not None))


async def purchases_of_year(
    session: AsyncSession, institution_id: int, fiscal_year: int
) -> list[CountedPurchase]:
    """The institution's approved orders contracted in the fiscal year, as results count
    them (columns only: a year may hold thousands of orders)."""
    rows = (await session.execute(
        select(PurchaseOrder.id, PurchaseOrder.department_id, PurchaseOrder.category,
               PurchaseOrder.counted_as, PurchaseOrder.contract_date,
               PurchaseOrder.counted_amount, PurchaseOrder.supply_amount,
               PurchaseOrder.approved_at, PurchaseOrder.cancelled_at,
               Inspection.accepted_supply, Inspection.inspected_on)
        .outerjoin(Inspection, Inspection.order_id == PurchaseOrder.id)
        .where(PurchaseOrder.institution_id == institution_id,
               PurchaseOrder.counted_amount.is_not(None),
               PurchaseOrder.contract_date >= dt.date(fiscal_year, 1, 1),
               PurchaseOrder.contract_date <= dt.date(fiscal_year, 12, 31))
        .order_by(PurchaseOrder.id)
    )).all()
    names = await plans.department_names(session, institution_id)
    corrected = await corrections.adjustments_by_order(session, institution_id)
    purchases = []
    for (order_id, department_id, category, counted_as, contract_date, counted_amount, supply,
         approved_at, cancelled_at, accepted_supply, inspected_on) in rows:
        adjustments: tuple[Adjustment, ...] = ()
        if accepted_supply is not None and accepted_supply < supply:
            adjustments = (Adjustment(inspected_on,
                                      -not_accepted_reduction(supply, accepted_supply)),)
        adjustments += corrected.get(order_id, ())
        purchases.append(CountedPurchase(
            order_id=str(order_id), department=names.get(department_id, ""), category=category,
            enterprise_type=counted_as, contract_date=contract_date, amount=counted_amount or 0,
            recorded_on=seoul_date(approved_at) if approved_at else None,
            cancelled_on=seoul_date(cancelled_at) if cancelled_at else None,
            adjustments=adjustments))
    return purchases


async def exceptions_of_year(
    session: AsyncSession, institution_id: int, fiscal_year: int
) -> list[ExceptionEntry]:
    rows = await session.scalars(
        select(ExceptionEntry).where(
            ExceptionEntry.institution_id == institution_id,
            ExceptionEntry.decided_on >= dt.date(fiscal_year, 1, 1),
            ExceptionEntry.decided_on <= dt.date(fiscal_year, 12, 31))
        .order_by(ExceptionEntry.decided_on, ExceptionEntry.id))
    return list(rows.all())


async def yearly_report(
    session: AsyncSession, institution_id: int, fiscal_year: int,
    as_of: dt.date | None = None,
) -> YearlyReport:
    """Read and build the report (who may read it is the caller's check)."""
    institution = await institution_or_404(session, institution_id)
    plan = await plans.plan_of_year(session, institution_id, fiscal_year)
    versions = await plans.versions_of(session, plan.id) if plan else []
    return build(
        institution=institution, fiscal_year=fiscal_year, as_of=as_of or seoul_today(),
        plan=plan, versions=versions,
        purchases=await purchases_of_year(session, institution_id, fiscal_year),
        exceptions=await exceptions_of_year(session, institution_id, fiscal_year),
        names=await plans.department_names(session, institution_id),
        outside=await outside_purchases.counted_purchases(session, institution_id,
                                                         fiscal_year=fiscal_year))

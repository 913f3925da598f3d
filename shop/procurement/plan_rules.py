"""The yearly purchase plan's rules (구매계획, ordinance art. 6), without a database.

A plan is written per institution and fiscal year (the calendar year, as public bodies'
budgets are) in versions. A version is drafted, submitted and published; a published version
is never changed again, and a change after publication is an amendment: the next version,
drafted from the one in force and published as ``amended``.

What a plan says: the total the institution plans to buy, the part of it it aims to buy from
social-economy enterprises (target amount), and the same two figures per department × item
category. The target rate is never typed: it is the target amount over the planned total,
to 0.01 % (decision 34's rounding), so the two can never disagree.

A plan is *late* when its first publication falls after 1 January of its fiscal year, as a
Seoul date (decision 39): published any time on 1 January is on time, from 2 January late.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from infra.errors import Problems
from infra.state_machine import StateMachine
from shop.catalog.taxonomy import Category
from shop.procurement.amounts import purchase_rate_percent
from shop.procurement.errors import ProcurementErrorCode as Code

#: The largest amount a plan may name (one trillion won): a typing error guard, and within
#: a PostgreSQL BIGINT with room to sum.
MAX_PLAN_AMOUNT = 1_000_000_000_000
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2000, 2100


class PlanState(enum.StrEnum):
    DRAFT = "draft"  # 작성 중
    SUBMITTED = "submitted"  # 제출 (결재 대기)
    PUBLISHED = "published"  # 공표
    AMENDED = "amended"  # 변경 공표 (2판 이상)

    @property
    def label(self) -> str:
        return PLAN_STATE_LABELS[self]

    @property
    def in_force(self) -> bool:
        """Published (first or amended): frozen, and what results are measured against."""
        return self in (PlanState.PUBLISHED, PlanState.AMENDED)


PLAN_STATE_LABELS = {
    PlanState.DRAFT: "작성 중",
    PlanState.SUBMITTED: "제출됨",
    PlanState.PUBLISHED: "공표됨",
    PlanState.AMENDED: "변경 공표됨",
}

#: A version's life: a submitted version may go back to draft for corrections; publication
#: is ``published`` for version 1 and ``amended`` for every later version. Nothing leaves
#: a published state.
PLAN_TRANSITIONS = StateMachine(
    {
        PlanState.DRAFT: {PlanState.SUBMITTED},
        PlanState.SUBMITTED: {PlanState.DRAFT, PlanState.PUBLISHED, PlanState.AMENDED},
    },
    label=lambda s: s.label,
    code=Code.PLAN_INVALID_TRANSITION,
)


def published_state(version: int) -> PlanState:
    return PlanState.PUBLISHED if version == 1 else PlanState.AMENDED


def is_late(fiscal_year: int, first_published_on: dt.date | None, today: dt.date) -> bool:
    """Whether the plan for ``fiscal_year`` is late: first published (Seoul date) after
    1 January of that year, or not published and 1 January has passed."""
    deadline = dt.date(fiscal_year, 1, 1)
    return (first_published_on or today) > deadline


def target_rate(target_amount: int, planned_total: int) -> Decimal | None:
    """목표 비율: target amount over planned total, 0.01 % half up (``None`` with no total)."""
    return purchase_rate_percent(target_amount, planned_total)


@dataclass(frozen=True)
class PlanLineInput:
    department_id: int
    category: str
    planned_amount: int
    target_amount: int


@dataclass(frozen=True)
class PlanFigures:
    """What a person types into a plan version."""

    planned_total: int
    target_amount: int
    lines: tuple[PlanLineInput, ...] = ()


def check_fiscal_year(problems: Problems, fiscal_year: int) -> None:
    if not FIRST_FISCAL_YEAR <= fiscal_year <= LAST_FISCAL_YEAR:
        problems.add(Code.INVALID_PLAN, "fiscal_year",
                     f"회계연도는 {FIRST_FISCAL_YEAR}~{LAST_FISCAL_YEAR} 사이여야 합니다.")


def _amount(problems: Problems, field: str, value: int, what: str) -> bool:
    if not 0 <= value <= MAX_PLAN_AMOUNT:
        problems.add(Code.INVALID_PLAN, field,
                     f"{what}은(는) 0원 이상 {MAX_PLAN_AMOUNT:,}원 이하여야 합니다.")
        return False
    return True


def check_figures(figures: PlanFigures, department_ids: Sequence[int]) -> None:
    """400 naming every wrong field: amounts in range, each target within its total, known
    departments and categories, one line per department × category, and lines adding up to
    no more than the plan's own figures (a plan may keep part of its total unallocated)."""
    problems = Problems()
    totals_ok = _amount(problems, "planned_total", figures.planned_total, "총 구매 계획액")
    totals_ok &= _amount(problems, "target_amount", figures.target_amount, "구매 목표액")
    if totals_ok and figures.target_amount > figures.planned_total:
        problems.add(Code.INVALID_PLAN, "target_amount",
                     "구매 목표액은 총 구매 계획액보다 클 수 없습니다.")
    seen: set[tuple[int, str]] = set()
    for n, line in enumerate(figures.lines):
        prefix = f"lines[{n}]"
        if line.department_id not in department_ids:
            problems.add(Code.DEPARTMENT_NOT_FOUND, f"{prefix}.department_id",
                         "이 기관의 부서가 아닙니다.")
        if line.category not in Category.__members__.values():
            problems.add(Code.INVALID_PLAN, f"{prefix}.category", "품목 분류를 골라 주세요.")
        ok = _amount(problems, f"{prefix}.planned_amount", line.planned_amount, "계획액")
        ok &= _amount(problems, f"{prefix}.target_amount", line.target_amount, "목표액")
        if ok and line.target_amount > line.planned_amount:
            problems.add(Code.INVALID_PLAN, f"{prefix}.target_amount",
                         "목표액은 그 줄의 계획액보다 클 수 없습니다.")
        key = (line.department_id, line.category)
        if key in seen:
            problems.add(Code.INVALID_PLAN, f"{prefix}.category",
                         "같은 부서·품목이 두 번 있습니다.")
        seen.add(key)
    if sum(line.planned_amount for line in figures.lines) > figures.planned_total:
        problems.add(Code.INVALID_PLAN, "lines",
                     "부서별 계획액의 합이 총 구매 계획액을 넘습니다.")
    if sum(line.target_amount for line in figures.lines) > figures.target_amount:
        problems.add(Code.INVALID_PLAN, "lines", "부서별 목표액의 합이 구매 목표액을 넘습니다.")
    problems.raise_if_any()

"""Exceptions to priority purchase (우선구매 예외): only for a listed reason, always recorded.

The ordinance (art. 10) lets a public body buy elsewhere than from social-economy
enterprises only for one of these reasons, and the reason must be on record; "other
reasonable judgement" is acceptable only with a written explanation, because it is the one
reason nobody can check against facts.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from infra.errors import Problems
from shop.catalog.taxonomy import Category
from shop.procurement.errors import ProcurementErrorCode

#: Longest explanation kept (characters).
EXPLANATION_MAX = 1000


class ExceptionReason(enum.StrEnum):
    """우선구매 예외 사유."""

    QUALITY_COMPLAINTS = "quality_complaints"  # 품질에 대한 정당하고 지속적인 민원
    SUPPLY_DELAY = "supply_delay"  # 장기간 납품 지연
    EMERGENCY = "emergency"  # 긴급한 수요
    OVER_BUDGET = "over_budget"  # 예산 범위를 넘는 가격
    PRIVATE_CONTRACT_NOT_ALLOWED = "private_contract_not_allowed"  # 법령상 수의계약 불가
    OTHER = "other"  # 그 밖의 합리적 판단 (사유 기재 필수)

    @property
    def label(self) -> str:
        return EXCEPTION_REASON_LABELS[self]

    @property
    def needs_explanation(self) -> bool:
        return self is ExceptionReason.OTHER


EXCEPTION_REASON_LABELS = {
    ExceptionReason.QUALITY_COMPLAINTS: "품질에 대한 정당하고 지속적인 민원",
    ExceptionReason.SUPPLY_DELAY: "장기간 납품 지연",
    ExceptionReason.EMERGENCY: "긴급한 수요",
    ExceptionReason.OVER_BUDGET: "예산 범위를 넘는 가격",
    ExceptionReason.PRIVATE_CONTRACT_NOT_ALLOWED: "법령상 수의계약 불가",
    ExceptionReason.OTHER: "그 밖의 합리적 판단",
}


@dataclass(frozen=True)
class ExceptionRecord:
    """One recorded exception: who decided, on what, when and why."""

    department: str
    category: Category
    reason: ExceptionReason
    explanation: str
    decided_on: dt.date
    decided_by: int


def record_exception(
    *,
    department: str,
    category: Category,
    reason: str,
    explanation: str,
    decided_on: dt.date,
    decided_by: int,
) -> ExceptionRecord:
    """A validated exception record; every wrong field is reported at once (400).

    ``reason`` is the raw value a form or API sends. The explanation is trimmed; it is
    required for :attr:`ExceptionReason.OTHER` and optional (but kept) for the others.
    """
    problems = Problems()
    department = department.strip()
    if not department:
        problems.add(ProcurementErrorCode.REQUIRED, "department", "부서를 입력해 주세요.")
    try:
        chosen: ExceptionReason | None = ExceptionReason(reason)
    except ValueError:
        chosen = None
        problems.add(
            ProcurementErrorCode.INVALID_EXCEPTION_REASON,
            "reason",
            "목록에 있는 예외 사유를 골라 주세요.",
        )
    explanation = explanation.strip()
    if chosen is not None and chosen.needs_explanation and not explanation:
        problems.add(
            ProcurementErrorCode.EXCEPTION_EXPLANATION_REQUIRED,
            "explanation",
            f"'{chosen.label}'을(를) 사유로 들 때는 구체적인 판단 근거를 적어 주세요.",
        )
    if len(explanation) > EXPLANATION_MAX:
        problems.add(
            ProcurementErrorCode.EXCEPTION_EXPLANATION_TOO_LONG,
            "explanation",
            f"사유는 {EXPLANATION_MAX:,}자 이내로 적어 주세요.",
        )
    problems.raise_if_any()
    assert chosen is not None
    return ExceptionRecord(department, category, chosen, explanation, decided_on, decided_by)

"""Skipping priority purchase needs a listed reason; "other judgement" needs it written down."""

from __future__ import annotations

import datetime as dt

import pytest

from infra.errors import InvalidInput
from shop.catalog.taxonomy import Category
from shop.procurement.errors import ProcurementErrorCode
from shop.procurement.exceptions import (
    EXPLANATION_MAX,
    ExceptionReason,
    ExceptionRecord,
    record_exception,
)


def _record(reason: str, explanation: str = "", department: str = "총무과") -> ExceptionRecord:
    return record_exception(
        department=department, category=Category.OFFICE_IT, reason=reason,
        explanation=explanation, decided_on=dt.date(2025, 5, 2), decided_by=11,
    )


@pytest.mark.parametrize("reason", [r for r in ExceptionReason if r is not ExceptionReason.OTHER])
def test_a_listed_reason_is_enough_on_its_own(reason: ExceptionReason) -> None:
    record = _record(reason.value)
    assert record.reason is reason
    assert record.explanation == ""


def test_other_reasonable_judgement_needs_an_explanation() -> None:
    with pytest.raises(InvalidInput) as caught:
        _record("other", "   ")
    assert caught.value.code == ProcurementErrorCode.EXCEPTION_EXPLANATION_REQUIRED
    assert caught.value.field == "explanation"
    assert "그 밖의 합리적 판단" in caught.value.message

    record = _record("other", "  해당 품목을 공급하는 사회적경제기업이 없음  ")
    assert record.explanation == "해당 품목을 공급하는 사회적경제기업이 없음"


def test_an_unlisted_reason_and_a_missing_department_are_reported_together() -> None:
    with pytest.raises(InvalidInput) as caught:
        _record("cheaper_elsewhere", department=" ")
    fields = {e["field"]: e["code"] for e in caught.value.extra["errors"]}
    assert fields == {
        "department": ProcurementErrorCode.REQUIRED,
        "reason": ProcurementErrorCode.INVALID_EXCEPTION_REASON,
    }


def test_explanations_have_a_length_limit() -> None:
    _record("emergency", "가" * EXPLANATION_MAX)
    with pytest.raises(InvalidInput) as caught:
        _record("emergency", "가" * (EXPLANATION_MAX + 1))
    assert caught.value.code == ProcurementErrorCode.EXCEPTION_EXPLANATION_TOO_LONG


def test_every_reason_has_its_korean_label() -> None:
    assert ExceptionReason.QUALITY_COMPLAINTS.label == "품질에 대한 정당하고 지속적인 민원"
    assert len({r.label for r in ExceptionReason}) == 6

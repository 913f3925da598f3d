"""Single-quote ceilings on the estimated price before VAT; approvals; purchase-order states."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.errors import Conflict, InvalidInput
from shop.procurement.contracting import (
    PURCHASE_ORDER_TRANSITIONS,
    Approvals,
    ContractingMethod,
    ContractingSettings,
    PurchaseOrderStatus,
    approvals_for,
    approvers_required,
    contracting_method,
    single_quote_ceiling,
)
from shop.procurement.errors import ProcurementErrorCode

S = PurchaseOrderStatus


def test_fifty_million_single_quote_is_allowed_for_a_35_percent_vulnerable_vendor() -> None:
    method = contracting_method(50_000_000, 1, Decimal("35"))
    assert method is ContractingMethod.SINGLE_QUOTE


def test_one_won_over_fifty_million_needs_two_quotes() -> None:
    with pytest.raises(Conflict) as caught:
        contracting_method(50_000_001, 1, Decimal("35"))
    assert caught.value.status_code == 409
    assert caught.value.code == ProcurementErrorCode.QUOTES_REQUIRED
    assert caught.value.extra["rule"] == "single_quote_ceiling"
    assert "1인 견적 수의계약 한도 50,000,000원" in caught.value.message

    assert contracting_method(50_000_001, 2, Decimal("35")) is ContractingMethod.MULTIPLE_QUOTES


def test_thirty_million_from_a_20_percent_vendor_needs_two_quotes() -> None:
    with pytest.raises(Conflict) as caught:
        contracting_method(30_000_000, 1, Decimal("20"))
    assert caught.value.extra["ceiling"] == 20_000_000
    assert contracting_method(30_000_000, 2, Decimal("20")) is ContractingMethod.MULTIPLE_QUOTES


def test_the_higher_ceiling_starts_at_exactly_30_percent_and_needs_a_certificate() -> None:
    assert single_quote_ceiling(Decimal("30")) == 50_000_000
    assert single_quote_ceiling(Decimal("29.99")) == 20_000_000
    assert single_quote_ceiling(None) == 20_000_000


def test_ceilings_are_settings() -> None:
    settings = ContractingSettings(single_quote_ceiling=22_000_000, minimum_quotes=3)
    assert contracting_method(22_000_000, 1, None, settings) is ContractingMethod.SINGLE_QUOTE
    with pytest.raises(Conflict):
        contracting_method(22_000_001, 2, None, settings)


def test_a_request_without_a_quote_or_with_a_negative_price_is_bad_input() -> None:
    with pytest.raises(InvalidInput):
        contracting_method(1_000_000, 0, None)
    with pytest.raises(InvalidInput):
        contracting_method(-1, 1, None)


def test_ten_million_is_where_a_second_approver_is_needed() -> None:
    assert approvers_required(9_999_999) == 1
    assert approvers_required(10_000_000) == 2
    custom = ContractingSettings(approval_thresholds=(5_000_000, 30_000_000))
    assert [approvers_required(p, custom) for p in (4_999_999, 5_000_000, 30_000_000)] == [1, 2, 3]


def test_a_requester_cannot_approve_their_own_order() -> None:
    approvals = approvals_for(requester=7, estimated_price=9_999_999)
    with pytest.raises(Conflict) as caught:
        approvals.approve(7)
    assert caught.value.code == ProcurementErrorCode.SELF_APPROVAL


def test_the_same_approver_twice_counts_once() -> None:
    approvals = approvals_for(requester=7, estimated_price=10_000_000).approve(8).approve(8)
    assert approvals.approvers == (8,)
    assert not approvals.complete
    with pytest.raises(Conflict) as caught:
        approvals.check_complete()
    assert caught.value.code == ProcurementErrorCode.APPROVAL_INCOMPLETE

    done = approvals.approve(9)
    assert done.complete
    done.check_complete()


@given(approvers=st.lists(st.integers(1, 6)), required=st.integers(1, 4))
def test_approvals_count_distinct_people_other_than_the_requester(
    approvers: list[int], required: int
) -> None:
    approvals = Approvals(requester=0, required=required)
    for person in approvers:
        approvals = approvals.approve(person)
    assert approvals.complete is (len(set(approvers)) >= required)


def test_a_purchase_order_walks_from_draft_to_paid() -> None:
    path = [S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.PARTIALLY_DELIVERED, S.DELIVERED,
            S.INSPECTED, S.INVOICED, S.PAID]
    for current, target in itertools.pairwise(path):
        PURCHASE_ORDER_TRANSITIONS.check(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.DRAFT, S.APPROVED), (S.APPROVED, S.INVOICED), (S.DELIVERED, S.INVOICED),
     (S.DELIVERED, S.CANCELLED), (S.PAID, S.CANCELLED), (S.CANCELLED, S.DRAFT)],
)
def test_skipping_approval_or_inspection_is_refused(
    current: PurchaseOrderStatus, target: PurchaseOrderStatus
) -> None:
    with pytest.raises(Conflict) as caught:
        PURCHASE_ORDER_TRANSITIONS.check(current, target)
    assert caught.value.code == ProcurementErrorCode.PURCHASE_ORDER_INVALID_TRANSITION
    assert current.label in caught.value.message


def test_every_status_has_a_korean_label() -> None:
    assert {s.label for s in S} >= {"작성 중", "결재 중", "검수 완료", "취소"}
    assert len({s.label for s in S}) == len(S)

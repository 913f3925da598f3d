"""An invoice comes only after inspection, and only for what inspection accepted.

The acceptance case: 400 units at 11,000 won (before VAT) ordered, 300 accepted. The invoice
amounts are supply amounts (공급가액): 3,300,000 (+330,000 VAT = 3,630,000) is approved,
4,400,000 (the whole order) is refused.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.errors import Conflict, InvalidInput
from shop.procurement.errors import ProcurementErrorCode
from shop.procurement.inspection import (
    InspectionOutcome,
    Invoice,
    OrderLine,
    check_invoice,
    inspect,
    inspection_due,
    is_inspection_overdue,
)

D = dt.date
LINES = [OrderLine("towels", quantity=400, unit_price=11_000)]



def test_300_of_400_accepted_allows_3_300_000_and_refuses_4_400_000() -> None:
    inspection = inspect(LINES, {"towels": 300}, delivered_on=D(2025, 3, 3),
                         inspected_on=D(2025, 3, 5))
    assert inspection.outcome is InspectionOutcome.PARTIAL
    assert inspection.accepted_amounts.supply == 3_300_000
    assert inspection.accepted_amounts.total == 3_630_000

    check_invoice(Invoice(supply=3_300_000, vat=330_000), inspection)
    with pytest.raises(Conflict) as caught:
        check_invoice(Invoice(supply=4_400_000, vat=440_000), inspection)
    assert caught.value.status_code == 409
    assert caught.value.code == ProcurementErrorCode.INVOICE_EXCEEDS_ACCEPTED
    assert caught.value.extra == {"accepted_supply": 3_300_000, "accepted_total": 3_630_000}


def test_any_invoice_before_inspection_is_a_conflict() -> None:
    for invoice in (Invoice(0, 0), Invoice(3_300_000, 330_000)):
        with pytest.raises(Conflict) as caught:
            check_invoice(invoice, None)
        assert caught.value.code == ProcurementErrorCode.INVOICE_BEFORE_INSPECTION


def test_an_invoice_must_state_the_vat_of_its_supply() -> None:
    inspection = inspect(LINES, {"towels": 300}, delivered_on=D(2025, 3, 3),
                         inspected_on=D(2025, 3, 3))
    with pytest.raises(InvalidInput) as caught:
        check_invoice(Invoice(supply=3_000_000, vat=330_000), inspection)
    assert caught.value.code == ProcurementErrorCode.INVOICE_VAT_MISMATCH


def test_outcome_follows_from_the_accepted_quantities() -> None:
    lines = [OrderLine("a", 10, 1_000), OrderLine("b", 5, 2_000)]
    args = {"delivered_on": D(2025, 1, 2), "inspected_on": D(2025, 1, 2)}
    assert inspect(lines, {"a": 10, "b": 5}, **args).outcome is InspectionOutcome.PASSED
    assert inspect(lines, {"a": 10}, **args).outcome is InspectionOutcome.PARTIAL
    rejected = inspect(lines, {}, **args)
    assert rejected.outcome is InspectionOutcome.REJECTED
    assert rejected.accepted_supply == 0
    assert dict(rejected.accepted) == {"a": 0, "b": 0}


def test_impossible_inspections_report_every_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        inspect(LINES, {"towels": 401, "ghost": 1}, delivered_on=D(2025, 3, 3),
                inspected_on=D(2025, 3, 2))
    codes = {e["code"] for e in caught.value.extra["errors"]}
    assert codes == {
        ProcurementErrorCode.ACCEPTED_EXCEEDS_ORDERED,
        ProcurementErrorCode.UNKNOWN_ORDER_LINE,
        ProcurementErrorCode.INSPECTION_BEFORE_DELIVERY,
    }


def test_inspection_is_due_fourteen_days_after_delivery_inclusive() -> None:
    delivered = D(2025, 3, 3)
    assert inspection_due(delivered) == D(2025, 3, 17)
    assert not is_inspection_overdue(delivered, D(2025, 3, 17))
    assert is_inspection_overdue(delivered, D(2025, 3, 18))
    assert inspection_due(delivered, days=7) == D(2025, 3, 10)
    late = inspect(LINES, {"towels": 400}, delivered_on=delivered, inspected_on=D(2025, 3, 18))
    assert not late.on_time()  # recorded all the same: the buyer's delay is the buyer's


@given(quantity=st.integers(0, 10_000), price=st.integers(0, 1_000_000), data=st.data())
def test_the_accepted_supply_is_the_largest_invoice_approved(
    quantity: int, price: int, data: st.DataObject
) -> None:
    accepted = data.draw(st.integers(0, quantity))
    inspection = inspect([OrderLine("x", quantity, price)], {"x": accepted},
                         delivered_on=D(2025, 1, 1), inspected_on=D(2025, 1, 1))
    ceiling = accepted * price
    check_invoice(Invoice(ceiling, ceiling // 10), inspection)
    with pytest.raises(Conflict):
        check_invoice(Invoice(ceiling + 1, (ceiling + 1) // 10), inspection)

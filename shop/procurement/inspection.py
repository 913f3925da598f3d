"""Inspection (검수) of delivered goods, and the invoice (대금 청구) it allows.

The buyer inspects within a number of days of delivery (default 14) and records, per order
line, how many units it accepts. The vendor may then invoice, and only for what was
accepted.

Decisions (docs/decisions.md):

- Unit prices are before VAT. The invoice is a tax invoice with a supply amount (공급가액)
  and a VAT amount (세액); its **supply** may not exceed Σ accepted quantity × unit price,
  and its VAT must be exactly :func:`shop.procurement.amounts.vat_of` of its supply. So for
  400 units at 11,000 won with 300 accepted, an invoice of 3,300,000 won supply (+330,000
  VAT = 3,630,000) is approved and one of 4,400,000 supply is refused.
- The due date is ``delivered_on + N days``: delivery day is day 0, the inspection is on
  time through the due date inclusive. A late inspection is still recorded (the buyer's
  delay must not cost the vendor its payment); it is only reported as overdue.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from infra.errors import Conflict, InvalidInput, Problems
from shop.procurement.amounts import Amounts, amounts_of, line_supply, vat_of
from shop.procurement.errors import ProcurementErrorCode

#: 검수 기한: days after delivery.
DEFAULT_INSPECTION_DAYS = 14


class InspectionOutcome(enum.StrEnum):
    PASSED = "passed"  # 합격
    PARTIAL = "partial"  # 부분 합격
    REJECTED = "rejected"  # 불합격

    @property
    def label(self) -> str:
        return INSPECTION_OUTCOME_LABELS[self]


INSPECTION_OUTCOME_LABELS = {
    InspectionOutcome.PASSED: "합격",
    InspectionOutcome.PARTIAL: "부분 합격",
    InspectionOutcome.REJECTED: "불합격",
}


@dataclass(frozen=True)
class OrderLine:
    """One line of a purchase order: ``quantity`` units at ``unit_price`` won before VAT."""

    line_id: str
    quantity: int
    unit_price: int

    @property
    def supply(self) -> int:
        return line_supply(self.quantity, self.unit_price)


def inspection_due(delivered_on: dt.date, days: int = DEFAULT_INSPECTION_DAYS) -> dt.date:
    """The last day the inspection is on time."""
    return delivered_on + dt.timedelta(days=days)


def is_inspection_overdue(
    delivered_on: dt.date, today: dt.date, days: int = DEFAULT_INSPECTION_DAYS
) -> bool:
    """Whether a delivery not inspected by ``today`` is past its due date."""
    return today > inspection_due(delivered_on, days)


@dataclass(frozen=True)
class Inspection:
    """The recorded result: accepted units per line, and the outcome they make."""

    delivered_on: dt.date
    inspected_on: dt.date
    accepted: Mapping[str, int]
    outcome: InspectionOutcome
    accepted_supply: int
    ordered_supply: int

    @property
    def accepted_amounts(self) -> Amounts:
        """Supply, VAT and total of the accepted goods: the most the vendor may invoice."""
        return amounts_of(self.accepted_supply)

    def on_time(self, days: int = DEFAULT_INSPECTION_DAYS) -> bool:
        return self.inspected_on <= inspection_due(self.delivered_on, days)


def inspect(
    lines: Sequence[OrderLine],
    accepted: Mapping[str, int],
    *,
    delivered_on: dt.date,
    inspected_on: dt.date,
) -> Inspection:
    """Record an inspection. A line missing from ``accepted`` is taken as fully rejected.

    The outcome follows from the numbers, so it can never disagree with them: everything
    accepted is 합격, nothing accepted is 불합격, anything between is 부분 합격.
    """
    problems = Problems()
    by_id = {line.line_id: line for line in lines}
    for line_id, quantity in accepted.items():
        field = f"accepted.{line_id}"
        line = by_id.get(line_id)
        if line is None:
            problems.add(
                ProcurementErrorCode.UNKNOWN_ORDER_LINE, field, "주문에 없는 품목입니다."
            )
        elif quantity < 0:
            problems.add(
                ProcurementErrorCode.INVALID_QUANTITY, field, "합격 수량은 0 이상이어야 합니다."
            )
        elif quantity > line.quantity:
            problems.add(
                ProcurementErrorCode.ACCEPTED_EXCEEDS_ORDERED,
                field,
                f"합격 수량({quantity:,})이 주문 수량({line.quantity:,})보다 많습니다.",
            )
    if inspected_on < delivered_on:
        problems.add(
            ProcurementErrorCode.INSPECTION_BEFORE_DELIVERY,
            "inspected_on",
            "검수일은 납품일보다 빠를 수 없습니다.",
        )
    problems.raise_if_any()

    counts = {line.line_id: accepted.get(line.line_id, 0) for line in lines}
    ordered_units = sum(line.quantity for line in lines)
    accepted_units = sum(counts.values())
    if accepted_units == ordered_units:
        outcome = InspectionOutcome.PASSED
    elif accepted_units == 0:
        outcome = InspectionOutcome.REJECTED
    else:
        outcome = InspectionOutcome.PARTIAL
    return Inspection(
        delivered_on=delivered_on,
        inspected_on=inspected_on,
        accepted=MappingProxyType(counts),
        outcome=outcome,
        accepted_supply=sum(line_supply(counts[line.line_id], line.unit_price) for line in lines),
        ordered_supply=sum(line.supply for line in lines),
    )


@dataclass(frozen=True)
class Invoice:
    """A tax invoice (세금계산서) as the vendor issued it: supply and VAT in won."""

    supply: int
    vat: int

    @property
    def total(self) -> int:
        return self.supply + self.vat


def check_invoice(invoice: Invoice, inspection: Inspection | None) -> None:
    """Approve an invoice, or refuse it: 409 before inspection or above what was accepted.

    A VAT that does not match the supply is bad input (400): the vendor must reissue it.
    """
    if inspection is None:
        raise Conflict(
            ProcurementErrorCode.INVOICE_BEFORE_INSPECTION,
            "검수가 끝나기 전에는 대금을 청구할 수 없습니다.",
            field="invoice",
        )
    if invoice.supply < 0:
        raise InvalidInput(
            ProcurementErrorCode.INVALID_AMOUNT,
            "공급가액은 0 이상이어야 합니다.",
            field="supply",
        )
    ceiling = inspection.accepted_supply
    if invoice.supply > ceiling:
        raise Conflict(
            ProcurementErrorCode.INVOICE_EXCEEDS_ACCEPTED,
            f"청구 공급가액 {invoice.supply:,}원이 검수 합격분 {ceiling:,}원(부가세 별도)을 "
            "넘습니다.",
            field="supply",
            extra={"accepted_supply": ceiling, "accepted_total": amounts_of(ceiling).total},
        )
    if invoice.vat != vat_of(invoice.supply):
        raise InvalidInput(
            ProcurementErrorCode.INVOICE_VAT_MISMATCH,
            f"세액은 공급가액의 10%(원 미만 절사)인 {vat_of(invoice.supply):,}원이어야 합니다.",
            field="vat",
        )

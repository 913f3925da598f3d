"""Bodies of the quotation API and of the vendor's institutional orders (msgspec).

Money is JSON integers of won; dates are ISO dates (Seoul business dates); a deadline is an
ISO date-time, read as Seoul time when it has no offset, and answered both as UTC and as
Seoul wall-clock text. Fields the use case checks (deadline, dates, estimated price) may be
left out, so that one answer names every missing field at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from infra.clock import as_utc, seoul_time
from shop.procurement.models import PurchaseOrder
from shop.procurement.quotation_models import Quote, QuoteRequest, QuoteRequestLine
from shop.procurement.vendor_orders import InstitutionalOrder


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class RequestLineIn(msgspec.Struct, forbid_unknown_fields=True):
    category: Annotated[str, _d("food, household, fashion_beauty, office_it, travel_leisure, "
                                "books_education")]
    description: str
    quantity: int
    unit: Annotated[str, _d("단위: 개, 박스, 식 …")]


class QuoteRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    institution_id: int
    department_id: int
    title: str
    lines: list[RequestLineIn]
    delivery_place: str
    delivery_date: dt.date | None = None
    estimated_price: Annotated[int | None, _d("추정가격, 부가세 별도 (원)")] = None
    deadline: Annotated[dt.datetime | None,
                        _d("견적 마감 일시; 오프셋이 없으면 서울 시각")] = None
    vendor_ids: Annotated[list[int], _d("지정 기업 (또는 category / strategic_item)")] = []
    category: str | None = None
    strategic_item: Annotated[str | None, _d("green_cycle, green_remodeling, green_energy, "
                                             "green_agriculture, green_forest")] = None


class RequestLineOut(msgspec.Struct, kw_only=True):
    id: int
    position: int
    category: str
    category_label: str
    description: str
    quantity: int
    unit: str

    @classmethod
    def of(cls, row: QuoteRequestLine) -> RequestLineOut:
        return cls(id=row.id, position=row.position, category=row.category.value,
                   category_label=row.category.label, description=row.description,
                   quantity=row.quantity, unit=row.unit)


class QuoteLineOut(msgspec.Struct, kw_only=True):
    request_line_id: int
    unit_price: int


class QuoteOut(msgspec.Struct, kw_only=True):
    id: int
    request_id: int
    vendor_id: int
    submitted_at: dt.datetime
    submitted_at_seoul: str
    valid_until: dt.date
    supply_amount: int
    vat_amount: int
    total: int
    revision: int
    lines: list[QuoteLineOut]

    @classmethod
    def of(cls, row: Quote) -> QuoteOut:
        return cls(id=row.id, request_id=row.request_id, vendor_id=row.vendor_id,
                   submitted_at=as_utc(row.submitted_at),
                   submitted_at_seoul=seoul_time(row.submitted_at), valid_until=row.valid_until,
                   supply_amount=row.supply_amount, vat_amount=row.vat_amount, total=row.total,
                   revision=row.revision,
                   lines=[QuoteLineOut(request_line_id=q.request_line_id, unit_price=q.unit_price)
                          for q in row.lines])


class QuoteRequestOut(msgspec.Struct, kw_only=True):
    id: int
    number: str
    institution_id: int
    department_id: int
    title: str
    status: str
    status_label: str
    delivery_place: str
    delivery_date: dt.date
    estimated_price: int
    deadline: dt.datetime
    deadline_seoul: str
    basis: str
    basis_value: str
    vendor_ids: list[int]
    lines: list[RequestLineOut]
    #: Every quote (buyer's view); only the vendor's own in the vendor's view.
    quotes: list[QuoteOut]
    awarded_quote_id: int | None
    order_id: int | None

    @classmethod
    def of(cls, row: QuoteRequest, quotes: list[Quote]) -> QuoteRequestOut:
        return cls(id=row.id, number=row.number, institution_id=row.institution_id,
                   department_id=row.department_id, title=row.title, status=row.status.value,
                   status_label=row.status.label, delivery_place=row.delivery_place,
                   delivery_date=row.delivery_date, estimated_price=row.estimated_price,
                   deadline=as_utc(row.deadline), deadline_seoul=seoul_time(row.deadline),
                   basis=row.basis.value, basis_value=row.basis_value,
                   vendor_ids=row.vendor_ids, lines=[RequestLineOut.of(li) for li in row.lines],
                   quotes=[QuoteOut.of(q) for q in quotes],
                   awarded_quote_id=row.awarded_quote_id, order_id=row.order_id)


class PriceIn(msgspec.Struct, forbid_unknown_fields=True):
    line_id: int
    unit_price: Annotated[int, _d("단가, 부가세 별도 (원)")]


class QuoteIn(msgspec.Struct, forbid_unknown_fields=True):
    prices: list[PriceIn]
    valid_until: Annotated[dt.date | None, _d("견적 유효기한 (서울 날짜)")] = None


class AwardIn(msgspec.Struct, forbid_unknown_fields=True):
    quote_id: int


class AwardOut(msgspec.Struct, kw_only=True):
    request_id: int
    quote_id: int
    order_id: int
    order_number: str
    method: str
    method_label: str
    quotes: int
    status: str


class InstitutionalOrderLineOut(msgspec.Struct, kw_only=True):
    id: int
    category: str
    description: str
    quantity: int
    unit_price: int
    delivered: int
    accepted: int | None


class InstitutionalOrderOut(msgspec.Struct, kw_only=True):
    """A purchase order as its vendor sees it: amounts and where it stands."""

    id: int
    number: str
    institution_name: str
    department_name: str
    title: str
    method: str
    method_label: str
    status: str
    status_label: str
    contract_date: dt.date
    supply_amount: int
    vat_amount: int
    total: int
    lines: list[InstitutionalOrderLineOut] = []
    delivered_on: list[dt.date] = []
    inspection_outcome: str | None = None
    inspected_on: dt.date | None = None
    accepted_supply: int | None = None
    invoice_number: str | None = None
    invoice_total: int | None = None
    paid_on: dt.date | None = None
    paid_amount: int | None = None

    @classmethod
    def summary(cls, row: PurchaseOrder, institution: str, department: str
                ) -> InstitutionalOrderOut:
        return cls(id=row.id, number=row.number, institution_name=institution,
                   department_name=department, title=row.title, method=row.method.value,
                   method_label=row.method.label, status=row.status.value,
                   status_label=row.status.label, contract_date=row.contract_date,
                   supply_amount=row.supply_amount, vat_amount=row.vat_amount, total=row.total)

    @classmethod
    def of(cls, view: InstitutionalOrder) -> InstitutionalOrderOut:
        out = cls.summary(view.order, view.institution, view.department)
        accepted = view.accepted
        out.lines = [InstitutionalOrderLineOut(
            id=li.id, category=li.category.value, description=li.description,
            quantity=li.quantity, unit_price=li.unit_price,
            delivered=view.delivered.get(li.id, 0),
            accepted=accepted.get(li.id) if view.inspection else None)
            for li in view.order.lines]
        out.delivered_on = [d.delivered_on for d in view.deliveries]
        if view.inspection is not None:
            out.inspection_outcome = view.inspection.outcome.value
            out.inspected_on = view.inspection.inspected_on
            out.accepted_supply = view.inspection.accepted_supply
        if view.invoice is not None:
            out.invoice_number, out.invoice_total = view.invoice.number, view.invoice.total
        if view.payment is not None:
            out.paid_on, out.paid_amount = view.payment.paid_on, view.payment.amount
        return out

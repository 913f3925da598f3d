"""The procurement API's bodies (msgspec). Money and quantities are JSON integers (decision 8);
dates are ISO dates, read as Seoul business dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from shop.procurement.models import (
    Department,
    Institution,
    Membership,
    PurchaseOrder,
    VendorCertificate,
)
from shop.procurement.record_models import ExceptionEntry, PublishedDisclosure

Won = Annotated[int, msgspec.Meta(description="원 단위 정수")]


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class InstitutionIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Annotated[str, _d("district_office(구청), health_center(보건소), "
                            "community_center(주민센터), council_secretariat(의회사무국), "
                            "public_corporation(공단)")]
    name: str
    business_registration_number: Annotated[str, _d("사업자등록번호 10자리 (하이픈 허용)")]
    district: Annotated[str, _d("자치구 이름, 예: 성북구")]


class DepartmentIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str


class DepartmentOut(msgspec.Struct, kw_only=True):
    id: int
    name: str

    @classmethod
    def of(cls, row: Department) -> DepartmentOut:
        return cls(id=row.id, name=row.name)


class InstitutionOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    kind_label: str
    name: str
    business_registration_number: str
    district: str
    departments: list[DepartmentOut]

    @classmethod
    def of(cls, row: Institution) -> InstitutionOut:
        return cls(id=row.id, kind=row.kind.value, kind_label=row.kind.label, name=row.name,
                   business_registration_number=row.business_registration_number,
                   district=row.district.value,
                   departments=[DepartmentOut.of(d) for d in row.departments])


class MembershipIn(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    role: Annotated[str, _d("requester, approver, inspector, accountant, discloser, "
                            "institution_admin")]
    department_id: int | None = None


class MembershipOut(msgspec.Struct, kw_only=True):
    id: int
    user_id: int
    role: str
    role_label: str
    department_id: int | None

    @classmethod
    def of(cls, row: Membership) -> MembershipOut:
        return cls(id=row.id, user_id=row.user_id, role=row.role.value,
                   role_label=row.role.label, department_id=row.department_id)


class CertificateIn(msgspec.Struct, forbid_unknown_fields=True):
    enterprise_type: str
    number: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    vulnerable_share_bp: Annotated[int, _d("취약계층 고용 비율, 0.01% 단위 (3000 = 30%)")] = 0


class RevocationIn(msgspec.Struct, forbid_unknown_fields=True):
    revoked_on: dt.date


class CertificateOut(msgspec.Struct, kw_only=True):
    id: int
    vendor_id: int
    enterprise_type: str
    enterprise_type_label: str
    number: str
    valid_from: dt.date
    valid_to: dt.date | None
    revoked_on: dt.date | None
    vulnerable_share_bp: int

    @classmethod
    def of(cls, row: VendorCertificate) -> CertificateOut:
        return cls(id=row.id, vendor_id=row.vendor_id, enterprise_type=row.enterprise_type.value,
                   enterprise_type_label=row.enterprise_type.label, number=row.number,
                   valid_from=row.valid_from, valid_to=row.valid_to, revoked_on=row.revoked_on,
                   vulnerable_share_bp=row.vulnerable_share_bp)


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    category: str
    description: str
    quantity: int
    unit_price: Annotated[Won, _d("단가 (부가세 별도)")]


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    institution_id: int
    department_id: int
    vendor_id: int
    title: str
    method: Annotated[str, _d("single_quote, multiple_quotes, direct")]
    lines: list[LineIn]
    quotes: int = 1
    estimated_price: Annotated[Won | None, _d("추정가격 (부가세 별도); 없으면 품목 합계")] = None
    contract_date: dt.date | None = None


class LineOut(msgspec.Struct, kw_only=True):
    id: int
    category: str
    description: str
    quantity: int
    unit_price: Won


class OrderOut(msgspec.Struct, kw_only=True):
    id: int
    number: str
    institution_id: int
    department_id: int
    vendor_id: int
    requester_id: int
    title: str
    method: str
    method_label: str
    quotes: int
    estimated_price: Won
    supply_amount: Won
    vat_amount: Won
    total: Won
    contract_date: dt.date
    status: str
    status_label: str
    approvals_required: int
    counted_as: Annotated[str | None, _d("결재 때 확정된 기업 유형 (null: 일반 또는 미확정)")]
    counted_label: str
    counted_certificate_id: int | None
    counted_amount: Won | None
    counted_reason: str
    lines: list[LineOut]

    @classmethod
    def of(cls, row: PurchaseOrder) -> OrderOut:
        return cls(
            id=row.id, number=row.number, institution_id=row.institution_id,
            department_id=row.department_id, vendor_id=row.vendor_id,
            requester_id=row.requester_id, title=row.title, method=row.method.value,
            method_label=row.method.label, quotes=row.quotes,
            estimated_price=row.estimated_price, supply_amount=row.supply_amount,
            vat_amount=row.vat_amount, total=row.total, contract_date=row.contract_date,
            status=row.status.value, status_label=row.status.label,
            approvals_required=row.approvals_required,
            counted_as=row.counted_as.value if row.counted_as else None,
            counted_label=row.counted_label, counted_certificate_id=row.counted_certificate_id,
            counted_amount=row.counted_amount, counted_reason=row.counted_reason,
            lines=[LineOut(id=line.id, category=line.category.value,
                           description=line.description, quantity=line.quantity,
                           unit_price=line.unit_price) for line in row.lines])


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class CorrectionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A signed change (won, VAT included) of an approved order's counted amount."""

    amount_change: int
    reason: str


class CorrectionOut(msgspec.Struct, kw_only=True):
    id: int
    order_id: int
    amount_change: int
    effective_on: dt.date
    reason: str
    recorded_by: int
    recorded_at: dt.datetime


class DeliveryIn(msgspec.Struct, forbid_unknown_fields=True):
    delivered_on: dt.date | None = None
    quantities: Annotated[dict[str, int] | None,
                          _d("주문 품목 id별 납품 수량; 없으면 남은 수량 전부")] = None


class InspectionIn(msgspec.Struct, forbid_unknown_fields=True):
    accepted: Annotated[dict[str, int], _d("주문 품목 id별 합격 수량 (빠진 품목은 불합격)")]
    inspected_on: dt.date | None = None


class InvoiceIn(msgspec.Struct, forbid_unknown_fields=True):
    number: Annotated[str, _d("세금계산서 승인번호 (기업별로 유일)")]
    supply: Annotated[Won, _d("공급가액")]
    vat: Annotated[Won, _d("세액 (공급가액의 10%, 원 미만 절사)")]
    issued_on: dt.date | None = None


class PaymentIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[Won, _d("지급액 (세금계산서 합계)")]
    bank_reference: str
    paid_on: dt.date | None = None


class ExceptionIn(msgspec.Struct, forbid_unknown_fields=True):
    department_id: int
    category: str
    reason: Annotated[str, _d("quality_complaints, supply_delay, emergency, over_budget, "
                              "private_contract_not_allowed, other (설명 필수)")]
    explanation: str = ""
    order_id: int | None = None
    decided_on: dt.date | None = None


class ExceptionOut(msgspec.Struct, kw_only=True):
    id: int
    department_id: int
    order_id: int | None
    category: str
    reason: str
    reason_label: str
    explanation: str
    decided_on: dt.date
    decided_by: int

    @classmethod
    def of(cls, row: ExceptionEntry) -> ExceptionOut:
        return cls(id=row.id, department_id=row.department_id, order_id=row.order_id,
                   category=row.category.value, reason=row.reason.value,
                   reason_label=row.reason.label, explanation=row.explanation,
                   decided_on=row.decided_on, decided_by=row.decided_by)


class DisclosureIn(msgspec.Struct, forbid_unknown_fields=True):
    year: int
    month: int
    published_on: dt.date | None = None


class DisclosureRowOut(msgspec.Struct, kw_only=True):
    kind: Annotated[str, _d("figure(공시 금액) 또는 change(이전 판과의 차이)")]
    department: str
    category: str
    enterprise_type: str | None
    amount: Won


class DisclosureOut(msgspec.Struct, kw_only=True):
    id: int
    institution_id: int
    year: int
    month: int
    version: int
    published_on: dt.date
    rows: list[DisclosureRowOut]

    @classmethod
    def of(cls, row: PublishedDisclosure) -> DisclosureOut:
        return cls(id=row.id, institution_id=row.institution_id, year=row.year,
                   month=row.month, version=row.version, published_on=row.published_on,
                   rows=[DisclosureRowOut(kind=r.kind, department=r.department,
                                          category=r.category.value,
                                          enterprise_type=r.enterprise_type.value
                                          if r.enterprise_type else None, amount=r.amount)
                         for r in row.rows])

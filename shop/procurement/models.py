"""Procurement tables, part one: institutions and their people, vendors' certificate history,
purchase orders with their lines, approvals and status history.

What happens to an order after approval (deliveries, inspections, invoices, payments) and
the institution's registers (exceptions, published disclosures) are in
:mod:`shop.procurement.record_models`.

An approved order keeps, never to change, the certificate it counted under, ``counted_as``
and the counted amount (issue 10 §5): they are written once by ``approval.approve`` from the
vendor's certificate history on the contract date, so a later change of certificate changes
no past result.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from shop.catalog.taxonomy import Category
from shop.procurement.certificates import Certificate
from shop.procurement.contracting import ContractingMethod, PurchaseOrderStatus
from shop.vendors.types import District, EnterpriseType


class InstitutionKind(enum.StrEnum):
    DISTRICT_OFFICE = "district_office"  # 구청
    HEALTH_CENTER = "health_center"  # 보건소
    COMMUNITY_CENTER = "community_center"  # 주민센터
    COUNCIL_SECRETARIAT = "council_secretariat"  # 의회사무국
    PUBLIC_CORPORATION = "public_corporation"  # 공단

    @property
    def label(self) -> str:
        return INSTITUTION_KIND_LABELS[self]


INSTITUTION_KIND_LABELS = {
    InstitutionKind.DISTRICT_OFFICE: "구청",
    InstitutionKind.HEALTH_CENTER: "보건소",
    InstitutionKind.COMMUNITY_CENTER: "주민센터",
    InstitutionKind.COUNCIL_SECRETARIAT: "의회사무국",
    InstitutionKind.PUBLIC_CORPORATION: "공단",
}


class ProcurementRole(enum.StrEnum):
    REQUESTER = "requester"  # 구매 요청
    APPROVER = "approver"  # 결재
    INSPECTOR = "inspector"  # 검수
    ACCOUNTANT = "accountant"  # 회계 (대금 청구·지급)
    DISCLOSER = "discloser"  # 실적 공시
    INSTITUTION_ADMIN = "institution_admin"  # 기관 관리자

    @property
    def label(self) -> str:
        return PROCUREMENT_ROLE_LABELS[self]


PROCUREMENT_ROLE_LABELS = {
    ProcurementRole.REQUESTER: "구매 요청자",
    ProcurementRole.APPROVER: "결재자",
    ProcurementRole.INSPECTOR: "검수자",
    ProcurementRole.ACCOUNTANT: "회계 담당자",
    ProcurementRole.DISCLOSER: "공시 담당자",
    ProcurementRole.INSTITUTION_ADMIN: "기관 관리자",
}


class PurchaseMethod(enum.StrEnum):
    """How the order was placed: a private contract on quotes, or a direct catalog order."""

    SINGLE_QUOTE = "single_quote"  # 1인 견적 수의계약
    MULTIPLE_QUOTES = "multiple_quotes"  # 2인 이상 견적 수의계약
    DIRECT = "direct"  # 몰 상품 직접 구매 (후불)

    @property
    def label(self) -> str:
        return PURCHASE_METHOD_LABELS[self]

    @property
    def contracting(self) -> ContractingMethod:
        """The contracting rule that governs it: a direct order is a single-source contract."""
        if self is PurchaseMethod.MULTIPLE_QUOTES:
            return ContractingMethod.MULTIPLE_QUOTES
        return ContractingMethod.SINGLE_QUOTE


PURCHASE_METHOD_LABELS = {
    PurchaseMethod.SINGLE_QUOTE: "1인 견적 수의계약",
    PurchaseMethod.MULTIPLE_QUOTES: "2인 이상 견적 수의계약",
    PurchaseMethod.DIRECT: "직접 구매",
}


class Institution(BigIntAuditBase):
    """A public body that buys: a district office, its health centre, a community centre …"""

    __tablename__ = "procurement_institutions"

    kind: Mapped[InstitutionKind] = mapped_column(str_enum(InstitutionKind, "institution_kind"))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    business_registration_number: Mapped[str] = mapped_column(String(10), unique=True)
    district: Mapped[District] = mapped_column(str_enum(District, "district"))

    departments: Mapped[list[Department]] = relationship(
        back_populates="institution", lazy="selectin", order_by="Department.id"
    )


class Department(BigIntAuditBase):
    __tablename__ = "procurement_departments"
    __table_args__ = (UniqueConstraint("institution_id", "name", name="uq_department_name"),)

    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))

    institution: Mapped[Institution] = relationship(back_populates="departments")


class Membership(BigIntAuditBase):
    """One role of one person in one institution (a person may hold several)."""

    __tablename__ = "procurement_memberships"
    __table_args__ = (
        UniqueConstraint("institution_id", "user_id", "role", name="uq_procurement_membership"),
    )

    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_departments.id", ondelete="SET NULL"), nullable=True
    )
    role: Mapped[ProcurementRole] = mapped_column(str_enum(ProcurementRole, "procurement_role"))


class VendorCertificate(BigIntAuditBase):
    """Every certificate a vendor has held (issue 10 §2), so past results never change.

    ``vulnerable_share_bp`` is the share of vulnerable employees in hundredths of a percent
    (3000 = 30 %), an integer so both databases store it exactly.
    """

    __tablename__ = "vendor_certificates"
    __table_args__ = (
        CheckConstraint(
            "vulnerable_share_bp BETWEEN 0 AND 10000", name="ck_certificate_vulnerable_share"
        ),
    )

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    enterprise_type: Mapped[EnterpriseType] = mapped_column(
        str_enum(EnterpriseType, "enterprise_type")
    )
    number: Mapped[str] = mapped_column(String(60))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    revoked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    vulnerable_share_bp: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def vulnerable_share(self) -> Decimal:
        return Decimal(self.vulnerable_share_bp).scaleb(-2)

    def rule(self) -> Certificate:
        """The pure certificate the counting rules read."""
        return Certificate(
            enterprise_type=self.enterprise_type,
            number=self.number,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            revoked_on=self.revoked_on,
            vulnerable_employee_share=self.vulnerable_share,
        )


class PurchaseOrder(BigIntAuditBase):
    """A purchase order (발주): who buys what from whom, and how it was counted at approval.

    ``category`` is the order's item (품목) for disclosure and the OCDS export: the category
    of its first line. ``counted_as`` is ``None`` both before approval and for a general
    (non social-economy) purchase; ``counted_amount`` tells them apart (set at approval).
    """

    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint("estimated_price >= 0", name="ck_purchase_order_estimated_price"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_departments.id", ondelete="RESTRICT"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="RESTRICT"), index=True
    )
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    method: Mapped[PurchaseMethod] = mapped_column(str_enum(PurchaseMethod, "purchase_method"))
    quotes: Mapped[int] = mapped_column(Integer, default=1)
    estimated_price: Mapped[int] = mapped_column(Integer)
    supply_amount: Mapped[int] = mapped_column(Integer)
    vat_amount: Mapped[int] = mapped_column(Integer)
    contract_date: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[PurchaseOrderStatus] = mapped_column(
        str_enum(PurchaseOrderStatus, "purchase_order_status"),
        default=PurchaseOrderStatus.DRAFT, index=True,
    )
    approvals_required: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # Fixed at final approval, never changed afterwards.
    counted_as: Mapped[EnterpriseType | None] = mapped_column(
        str_enum(EnterpriseType, "enterprise_type"), nullable=True
    )
    counted_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_certificates.id", ondelete="RESTRICT"), nullable=True
    )
    counted_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counted_reason: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="order", lazy="selectin", order_by="PurchaseOrderLine.position",
        cascade="all, delete-orphan",
    )

    @property
    def total(self) -> int:
        return self.supply_amount + self.vat_amount

    @property
    def counted_label(self) -> str:
        if self.counted_amount is None:
            return "미확정"
        return self.counted_as.label if self.counted_as is not None else "일반"


class PurchaseOrderLine(BigIntAuditBase):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "position", name="uq_purchase_order_line_position"),
        CheckConstraint("quantity > 0", name="ck_purchase_order_line_quantity"),
        CheckConstraint("unit_price >= 0", name="ck_purchase_order_line_unit_price"),
    )

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")

    @property
    def supply(self) -> int:
        return self.quantity * self.unit_price


class PurchaseOrderApproval(BigIntAuditBase):
    """One approver's approval (결재) of one order; an approver counts once."""

    __tablename__ = "purchase_order_approvals"
    __table_args__ = (
        UniqueConstraint("order_id", "approver_id", name="uq_purchase_order_approval"),
    )

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    approved_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class PurchaseOrderStatusChange(BigIntAuditBase):
    """The audit trail of an order: who moved it from which state to which, why, when."""

    __tablename__ = "purchase_order_status_changes"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    from_status: Mapped[PurchaseOrderStatus | None] = mapped_column(
        str_enum(PurchaseOrderStatus, "purchase_order_status"), nullable=True
    )
    to_status: Mapped[PurchaseOrderStatus] = mapped_column(
        str_enum(PurchaseOrderStatus, "purchase_order_status")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))

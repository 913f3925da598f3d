"""Vendors (입점기업): the enterprise, its documents, its members and its status history."""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from shop.vendors.errors import VendorErrorCode
from shop.vendors.types import District, EnterpriseType


class VendorStatus(enum.StrEnum):
    APPLIED = "applied"  # 심사 대기
    APPROVED = "approved"  # 승인
    REJECTED = "rejected"  # 반려
    SUSPENDED = "suspended"  # 정지

    @property
    def label(self) -> str:
        return VENDOR_STATUS_LABELS[self]


VENDOR_STATUS_LABELS = {
    VendorStatus.APPLIED: "심사 대기",
    VendorStatus.APPROVED: "승인",
    VendorStatus.REJECTED: "반려",
    VendorStatus.SUSPENDED: "정지",
}

VENDOR_TRANSITIONS: StateMachine[VendorStatus] = StateMachine(
    {
        VendorStatus.APPLIED: {VendorStatus.APPROVED, VendorStatus.REJECTED},
        VendorStatus.REJECTED: {VendorStatus.APPLIED},  # resubmitted after fixing the reason
        VendorStatus.APPROVED: {VendorStatus.SUSPENDED},
        VendorStatus.SUSPENDED: {VendorStatus.APPROVED},  # reinstated
    },
    label=lambda s: s.label,
    code=VendorErrorCode.INVALID_TRANSITION,
)


class MemberRole(enum.StrEnum):
    OWNER = "owner"  # 대표 관리자
    STAFF = "staff"  # 직원

    @property
    def label(self) -> str:
        return {"owner": "대표 관리자", "staff": "직원"}[self.value]


class DocumentKind(enum.StrEnum):
    BUSINESS_REGISTRATION = "business_registration"  # 사업자등록증
    CERTIFICATE = "certificate"  # 사회적경제기업 인증서·지정서
    OTHER = "other"  # 기타

    @property
    def label(self) -> str:
        return {
            "business_registration": "사업자등록증",
            "certificate": "인증서·지정서",
            "other": "기타 서류",
        }[self.value]


class Vendor(BigIntAuditBase):
    __tablename__ = "vendors"

    name: Mapped[str] = mapped_column(String(120), index=True)
    enterprise_type: Mapped[EnterpriseType] = mapped_column(
        str_enum(EnterpriseType, "enterprise_type")
    )
    business_registration_number: Mapped[str] = mapped_column(String(10), unique=True)
    representative: Mapped[str] = mapped_column(String(60))
    district: Mapped[District] = mapped_column(str_enum(District, "district"))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    description: Mapped[str] = mapped_column(Text, default="")
    certification_number: Mapped[str] = mapped_column(String(60))
    certified_from: Mapped[dt.date] = mapped_column(Date)
    certified_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[VendorStatus] = mapped_column(
        str_enum(VendorStatus, "vendor_status"), default=VendorStatus.APPLIED, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    applied_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    delivery_fee: Mapped[int] = mapped_column(Integer, default=3000)
    free_delivery_over: Mapped[int | None] = mapped_column(Integer, default=50000)

    documents: Mapped[list[VendorDocument]] = relationship(
        back_populates="vendor", lazy="selectin", cascade="all, delete-orphan"
    )
    members: Mapped[list[VendorMember]] = relationship(
        back_populates="vendor", lazy="selectin", cascade="all, delete-orphan"
    )

    def certification_valid_on(self, day: dt.date) -> bool:
        """A purchase counts for procurement only if the certification was valid that day."""
        return self.certified_from <= day and (
            self.certified_to is None or day <= self.certified_to
        )

    @property
    def can_sell(self) -> bool:
        return self.status is VendorStatus.APPROVED


class VendorDocument(BigIntAuditBase):
    __tablename__ = "vendor_documents"

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(500))

    vendor: Mapped[Vendor] = relationship(back_populates="documents")


class VendorMember(BigIntAuditBase):
    __tablename__ = "vendor_members"
    __table_args__ = (UniqueConstraint("vendor_id", "user_id", name="uq_vendor_member"),)

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role"))

    vendor: Mapped[Vendor] = relationship(back_populates="members")


class VendorInvitation(BigIntAuditBase):
    __tablename__ = "vendor_invitations"

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class VendorStatusChange(BigIntAuditBase):
    """The audit trail of every decision on a vendor: who, from what, to what, and why."""

    __tablename__ = "vendor_status_changes"

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[VendorStatus | None] = mapped_column(
        str_enum(VendorStatus, "vendor_status"), nullable=True
    )
    to_status: Mapped[VendorStatus] = mapped_column(str_enum(VendorStatus, "vendor_status"))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")

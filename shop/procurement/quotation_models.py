"""Procurement tables, part three: requests for quotation (견적 요청), the vendors invited to
answer, their quotes, and which quote was awarded (issue 10 §4).

A request is addressed to a fixed list of vendors, written when it is sent (chosen by name, or
every approved vendor selling in a category or strategic item on that day), so a vendor that
joins the category later is not invited after the fact. One vendor answers once per request;
answering again before the deadline replaces its prices (``revision`` counts the answers).
The award fixes the quote and the purchase order it became; the order then lives in
:mod:`shop.procurement.models` like any other.
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from shop.catalog.taxonomy import Category
from shop.procurement.errors import ProcurementErrorCode


class QuoteRequestStatus(enum.StrEnum):
    OPEN = "open"  # 견적 접수 중 (마감 뒤에도 낙찰 전까지)
    AWARDED = "awarded"  # 낙찰
    CANCELLED = "cancelled"  # 취소

    @property
    def label(self) -> str:
        return QUOTE_REQUEST_STATUS_LABELS[self]


QUOTE_REQUEST_STATUS_LABELS = {
    QuoteRequestStatus.OPEN: "견적 접수",
    QuoteRequestStatus.AWARDED: "낙찰",
    QuoteRequestStatus.CANCELLED: "취소",
}

QUOTE_REQUEST_TRANSITIONS: StateMachine[QuoteRequestStatus] = StateMachine(
    {QuoteRequestStatus.OPEN: {QuoteRequestStatus.AWARDED, QuoteRequestStatus.CANCELLED}},
    label=lambda s: s.label,
    code=ProcurementErrorCode.QUOTE_REQUEST_INVALID_TRANSITION,
)


class InvitationBasis(enum.StrEnum):
    """How the invited vendors were chosen."""

    VENDORS = "vendors"  # 지정 기업
    CATEGORY = "category"  # 품목 분류의 모든 승인 기업
    STRATEGIC_ITEM = "strategic_item"  # 전략 품목의 모든 승인 기업

    @property
    def label(self) -> str:
        return {"vendors": "지정 기업", "category": "품목 분류 전체",
                "strategic_item": "전략 품목 전체"}[self.value]


class QuoteRequest(BigIntAuditBase):
    """A department's request for quotation. ``deadline`` is an instant (stored UTC, shown in
    Seoul time); ``estimated_price`` is before VAT, the figure the single-quote ceiling reads."""

    __tablename__ = "procurement_quote_requests"
    __table_args__ = (
        CheckConstraint("estimated_price >= 0", name="ck_quote_request_estimated_price"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_departments.id", ondelete="RESTRICT"), index=True
    )
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    delivery_place: Mapped[str] = mapped_column(String(200))
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    estimated_price: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    basis: Mapped[InvitationBasis] = mapped_column(
        str_enum(InvitationBasis, "quote_invitation_basis"))
    #: The category or strategic item invited (empty for chosen vendors).
    basis_value: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[QuoteRequestStatus] = mapped_column(
        str_enum(QuoteRequestStatus, "quote_request_status"),
        default=QuoteRequestStatus.OPEN, index=True,
    )
    awarded_quote_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="RESTRICT"), nullable=True
    )
    awarded_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    awarded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True
    )

    lines: Mapped[list[QuoteRequestLine]] = relationship(
        back_populates="request", lazy="selectin", order_by="QuoteRequestLine.position",
        cascade="all, delete-orphan",
    )
    invitations: Mapped[list[QuoteInvitation]] = relationship(
        lazy="selectin", order_by="QuoteInvitation.vendor_id", cascade="all, delete-orphan",
    )

    @property
    def vendor_ids(self) -> list[int]:
        return [i.vendor_id for i in self.invitations]


class QuoteRequestLine(BigIntAuditBase):
    __tablename__ = "procurement_quote_request_lines"
    __table_args__ = (
        UniqueConstraint("request_id", "position", name="uq_quote_request_line_position"),
        CheckConstraint("quantity > 0", name="ck_quote_request_line_quantity"),
    )

    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quote_requests.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    #: 단위: 개, 박스, 식, 명 …
    unit: Mapped[str] = mapped_column(String(20))

    request: Mapped[QuoteRequest] = relationship(back_populates="lines")


class QuoteInvitation(BigIntAuditBase):
    """One vendor asked to quote on one request."""

    __tablename__ = "procurement_quote_invitations"
    __table_args__ = (
        UniqueConstraint("request_id", "vendor_id", name="uq_quote_invitation"),
    )

    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quote_requests.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), index=True
    )


class Quote(BigIntAuditBase):
    """A vendor's answer: a unit price per request line, valid until a date (Seoul)."""

    __tablename__ = "procurement_quotes"
    __table_args__ = (
        UniqueConstraint("request_id", "vendor_id", name="uq_quote_per_vendor"),
        CheckConstraint("supply_amount >= 0", name="ck_quote_supply_amount"),
    )

    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quote_requests.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="RESTRICT"), index=True
    )
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    supply_amount: Mapped[int] = mapped_column(Integer)
    vat_amount: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)

    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", lazy="selectin", order_by="QuoteLine.request_line_id",
        cascade="all, delete-orphan",
    )

    @property
    def total(self) -> int:
        return self.supply_amount + self.vat_amount

    def price_of(self, request_line_id: int) -> int | None:
        return next((q.unit_price for q in self.lines if q.request_line_id == request_line_id),
                    None)


class QuoteLine(BigIntAuditBase):
    __tablename__ = "procurement_quote_lines"
    __table_args__ = (
        UniqueConstraint("quote_id", "request_line_id", name="uq_quote_line"),
        CheckConstraint("unit_price >= 0", name="ck_quote_line_unit_price"),
    )

    quote_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quotes.id", ondelete="CASCADE"), index=True
    )
    request_line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quote_request_lines.id", ondelete="CASCADE")
    )
    unit_price: Mapped[int] = mapped_column(Integer)

    quote: Mapped[Quote] = relationship(back_populates="lines")

"""Stock held for a checkout (재고 예약) and stock promised to paid orders (재고 할당).

A variant's ``stock`` is what is on the shelf. Units leave the shelf only when goods ship;
until then a sale is an :class:`StockAllocation` (paid) and a checkout in progress is a
:class:`StockReservation` with a deadline. What may still be sold is

    available = stock − Σ allocations − Σ live reservations

where a reservation is live while it is ``active`` and its ``expires_at`` is in the future.
Confirming a reservation writes its allocations in the same transaction that marks it
confirmed, so a unit is counted once at every instant: never twice, never zero times.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from shop.checkout.errors import StockErrorCode


class ReservationStatus(enum.StrEnum):
    ACTIVE = "active"  # 예약 중 (결제 대기)
    CONFIRMED = "confirmed"  # 결제 완료 (할당으로 전환)
    RELEASED = "released"  # 해제 (취소)
    EXPIRED = "expired"  # 시간 만료

    @property
    def label(self) -> str:
        return RESERVATION_STATUS_LABELS[self]


RESERVATION_STATUS_LABELS = {
    ReservationStatus.ACTIVE: "예약 중",
    ReservationStatus.CONFIRMED: "결제 완료",
    ReservationStatus.RELEASED: "해제",
    ReservationStatus.EXPIRED: "시간 만료",
}

#: EXPIRED → CONFIRMED is a payment that arrived after the deadline (a slow 3-D Secure, a
#: late webhook): it succeeds only if the units are still free when it is re-checked.
RESERVATION_TRANSITIONS: StateMachine[ReservationStatus] = StateMachine(
    {
        ReservationStatus.ACTIVE: {
            ReservationStatus.CONFIRMED,
            ReservationStatus.RELEASED,
            ReservationStatus.EXPIRED,
        },
        ReservationStatus.EXPIRED: {ReservationStatus.CONFIRMED},
    },
    label=lambda s: s.label,
    code=StockErrorCode.INVALID_TRANSITION,
)


class StockReservation(BigIntAuditBase):
    __tablename__ = "stock_reservations"
    __table_args__ = (Index("ix_stock_reservations_status_expires", "status", "expires_at"),)

    status: Mapped[ReservationStatus] = mapped_column(
        str_enum(ReservationStatus, "reservation_status"), default=ReservationStatus.ACTIVE
    )
    #: Who checks out (None for a guest); the checkout service decides who may act on it.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: Caller's idempotency key: reserving twice with one key returns the first reservation.
    key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    lines: Mapped[list[ReservationLine]] = relationship(
        back_populates="reservation", lazy="selectin", cascade="all, delete-orphan",
        order_by="ReservationLine.variant_id",
    )


class ReservationLine(BigIntAuditBase):
    """Units of one variant held by a reservation: demand already summed per variant."""

    __tablename__ = "reservation_lines"
    __table_args__ = (
        UniqueConstraint("reservation_id", "variant_id", name="uq_reservation_line_variant"),
        CheckConstraint("quantity > 0", name="ck_reservation_line_quantity_positive"),
    )

    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)

    reservation: Mapped[StockReservation] = relationship(back_populates="lines")


class StockAllocation(BigIntAuditBase):
    """Paid units of one variant, still on the shelf until shipped.

    One row per (reservation, variant): the unique constraint is what makes a repeated or
    racing confirmation unable to allocate twice.
    """

    __tablename__ = "stock_allocations"
    __table_args__ = (
        UniqueConstraint("reservation_id", "variant_id", name="uq_allocation_reservation_variant"),
        CheckConstraint("quantity > 0", name="ck_allocation_quantity_positive"),
    )

    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="RESTRICT"), index=True
    )
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)


class ReservationStatusChange(BigIntAuditBase):
    """The audit trail of every reservation: who moved it, from what, to what, and why."""

    __tablename__ = "reservation_status_changes"

    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ReservationStatus | None] = mapped_column(
        str_enum(ReservationStatus, "reservation_status"), nullable=True
    )
    to_status: Mapped[ReservationStatus] = mapped_column(
        str_enum(ReservationStatus, "reservation_status")
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")


class CheckoutStatus(enum.StrEnum):
    OPEN = "open"  # 결제 대기
    PAID = "paid"  # 결제 완료 (주문 생성됨)
    EXPIRED = "expired"  # 결제 시간 만료
    ABANDONED = "abandoned"  # 구매자가 취소
    FAILED = "failed"  # 결제 후 재고 없음 → 전액 환불

    @property
    def label(self) -> str:
        return CHECKOUT_STATUS_LABELS[self]


CHECKOUT_STATUS_LABELS = {
    CheckoutStatus.OPEN: "결제 대기",
    CheckoutStatus.PAID: "결제 완료",
    CheckoutStatus.EXPIRED: "결제 시간 만료",
    CheckoutStatus.ABANDONED: "주문 취소",
    CheckoutStatus.FAILED: "재고 부족으로 환불됨",
}


class Checkout(BigIntAuditBase):
    """A shopper's "place order": what they buy (a price snapshot), where it goes, and the
    stock held for it while they pay. It becomes exactly one order when the payment succeeds.

    Its payment is the one of kind ``checkout`` whose reference is this checkout's id,
    written after it (``shop.checkout.services.payment_of_checkout``, decision 76).
    """

    __tablename__ = "checkouts"

    #: The unguessable name of this checkout in URLs (guests have no account to check).
    token: Mapped[str] = mapped_column(String(43), unique=True)
    #: Caller's idempotency key: placing an order twice with one key returns the first.
    key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    status: Mapped[CheckoutStatus] = mapped_column(
        str_enum(CheckoutStatus, "checkout_status"), default=CheckoutStatus.OPEN
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    cart_id: Mapped[int | None] = mapped_column(
        ForeignKey("carts.id", ondelete="SET NULL"), nullable=True
    )
    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="RESTRICT"), unique=True
    )
    email: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(20))
    postal_code: Mapped[str] = mapped_column(String(5))
    road_address: Mapped[str] = mapped_column(String(200))
    detail_address: Mapped[str] = mapped_column(String(200), default="")
    delivery_note: Mapped[str] = mapped_column(String(200), default="")
    #: The priced lines as the shopper saw them: see ``shop.checkout.services.SnapshotLine``.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Delivery fee per vendor id (as a string key, JSON objects have string keys).
    delivery_fees: Mapped[dict[str, int]] = mapped_column(JSON)
    items_total: Mapped[int] = mapped_column(Integer)
    delivery_total: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    failure_reason: Mapped[str] = mapped_column(Text, default="")

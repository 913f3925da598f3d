"""Payments through Stripe: the webhook events as received (stored once by Stripe's event
id), the payments our features ask for, and the refunds given back."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from advanced_alchemy.base import BigIntAuditBase, BigIntBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from shop.payments.errors import PaymentErrorCode as Code


class StripeWebhookEvent(BigIntBase):
    __tablename__ = "stripe_webhook_events"

    stripe_event_id: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    #: The id of the object the event is about (pi_…, re_…), for ordering by object.
    object_id: Mapped[str] = mapped_column(String(100), index=True, default="")
    #: Stripe's own creation time, so consumers can ignore an older state arriving late.
    stripe_created: Mapped[int] = mapped_column(default=0)
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # 결제 대기 (카드 입력 전, 거절 후 다시 시도 가능)
    SUCCEEDED = "succeeded"  # 결제 완료
    REFUNDED = "refunded"  # 전액 환불
    CANCELLED = "cancelled"  # 결제 취소 (결제 전 포기, 시간 만료)

    @property
    def label(self) -> str:
        return PAYMENT_STATUS_LABELS[self]


PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: "결제 대기",
    PaymentStatus.SUCCEEDED: "결제 완료",
    PaymentStatus.REFUNDED: "전액 환불",
    PaymentStatus.CANCELLED: "결제 취소",
}

PAYMENT_TRANSITIONS: StateMachine[PaymentStatus] = StateMachine(
    {
        PaymentStatus.PENDING: {PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED},
        PaymentStatus.SUCCEEDED: {PaymentStatus.REFUNDED},
        # A card charged after the shopper gave up (a slow 3-D Secure) is still money taken.
        PaymentStatus.CANCELLED: {PaymentStatus.SUCCEEDED},
    },
    label=lambda s: s.label,
    code=Code.INVALID_TRANSITION,
)


class Payment(BigIntAuditBase):
    """One Stripe PaymentIntent and what it pays for (``kind`` + ``reference``).

    The pair ``(kind, reference)`` is unique, so asking twice to pay for the same checkout or
    booth fee returns the same payment and never a second PaymentIntent. ``token`` is the
    unguessable name the payment page is reached by, for guests as well as members.
    """

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("kind", "reference", name="uq_payment_kind_reference"),
        CheckConstraint("amount > 0", name="ck_payment_amount_positive"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount", name="ck_payment_refunded_range"
        ),
    )

    token: Mapped[str] = mapped_column(String(43), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    description: Mapped[str] = mapped_column(String(200), default="")
    #: Whole won (KRW is zero-decimal in Stripe).
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="krw")
    status: Mapped[PaymentStatus] = mapped_column(
        str_enum(PaymentStatus, "payment_status"), default=PaymentStatus.PENDING
    )
    intent_id: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    client_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0)
    #: What the card network said last time (a decline), shown on the payment page.
    last_error: Mapped[str] = mapped_column(Text, default="")
    succeeded_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    #: Loaded only when asked for (``selectinload``): every payment read is on a hot path
    #: (checkout, webhook) and almost none of them needs its refunds.
    refunds: Mapped[list[PaymentRefund]] = relationship(
        back_populates="payment", lazy="raise_on_sql", order_by="PaymentRefund.id"
    )

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded_amount if self.status is PaymentStatus.SUCCEEDED else 0


class PaymentRefund(BigIntAuditBase):
    """Money given back through Stripe: how much, who decided, why. One row per Stripe refund;
    ``key`` makes a retried refund request return the first one instead of paying twice."""

    __tablename__ = "payment_refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_payment_refund_amount_positive"),)

    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), index=True
    )
    key: Mapped[str] = mapped_column(String(120), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    stripe_refund_id: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(40), default="succeeded")
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    payment: Mapped[Payment] = relationship(back_populates="refunds")

"""Orders (주문): one per paid checkout, split into one vendor order per enterprise.

The order keeps the shopper's side (address, totals, the payment); each :class:`VendorOrder`
is what one enterprise must ship and is worked through its own states from the vendor
console. Lines are snapshots taken at checkout (name, option, price), so later catalog edits
never change what was bought. Every state change and every refund leaves an audit row.
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from shop.orders.errors import OrderErrorCode as Code


class VendorOrderStatus(enum.StrEnum):
    PAID = "paid"  # 결제 완료 (판매자 확인 전)
    ACCEPTED = "accepted"  # 주문 확인 (상품 준비 중)
    SHIPPED = "shipped"  # 배송 중
    DELIVERED = "delivered"  # 배송 완료
    COMPLETED = "completed"  # 구매 확정
    CANCELLED = "cancelled"  # 주문 취소 (발송 전, 전액 환불)
    REFUNDED = "refunded"  # 환불 완료 (발송 후 전부 환불)

    @property
    def label(self) -> str:
        return VENDOR_ORDER_STATUS_LABELS[self]


VENDOR_ORDER_STATUS_LABELS = {
    VendorOrderStatus.PAID: "결제 완료",
    VendorOrderStatus.ACCEPTED: "주문 확인",
    VendorOrderStatus.SHIPPED: "배송 중",
    VendorOrderStatus.DELIVERED: "배송 완료",
    VendorOrderStatus.COMPLETED: "구매 확정",
    VendorOrderStatus.CANCELLED: "주문 취소",
    VendorOrderStatus.REFUNDED: "환불 완료",
}

VENDOR_ORDER_TRANSITIONS: StateMachine[VendorOrderStatus] = StateMachine(
    {
        VendorOrderStatus.PAID: {VendorOrderStatus.ACCEPTED, VendorOrderStatus.CANCELLED},
        VendorOrderStatus.ACCEPTED: {VendorOrderStatus.SHIPPED, VendorOrderStatus.CANCELLED},
        VendorOrderStatus.SHIPPED: {VendorOrderStatus.DELIVERED, VendorOrderStatus.REFUNDED},
        VendorOrderStatus.DELIVERED: {VendorOrderStatus.COMPLETED, VendorOrderStatus.REFUNDED},
        VendorOrderStatus.COMPLETED: {VendorOrderStatus.REFUNDED},
    },
    label=lambda s: s.label,
    code=Code.INVALID_TRANSITION,
)

#: States in which the goods have not left the vendor: cancelling returns them to sale.
NOT_SHIPPED = frozenset({VendorOrderStatus.PAID, VendorOrderStatus.ACCEPTED})


class Order(BigIntAuditBase):
    __tablename__ = "orders"

    #: Shown to people: JT-YYMMDD-000123 (set right after the id is known).
    number: Mapped[str] = mapped_column(String(24), unique=True)
    #: One order per checkout: the unique key is what makes completing a checkout idempotent.
    checkout_id: Mapped[int] = mapped_column(
        ForeignKey("checkouts.id", ondelete="RESTRICT"), unique=True
    )
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(20))
    postal_code: Mapped[str] = mapped_column(String(5))
    road_address: Mapped[str] = mapped_column(String(200))
    detail_address: Mapped[str] = mapped_column(String(200), default="")
    delivery_note: Mapped[str] = mapped_column(String(200), default="")
    items_total: Mapped[int] = mapped_column(Integer)
    delivery_total: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    placed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))

    vendor_orders: Mapped[list[VendorOrder]] = relationship(
        back_populates="order", lazy="selectin", order_by="VendorOrder.id"
    )


class VendorOrder(BigIntAuditBase):
    __tablename__ = "vendor_orders"
    __table_args__ = (
        UniqueConstraint("order_id", "vendor_id", name="uq_vendor_order_order_vendor"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= total", name="ck_vendor_order_refunded"
        ),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="RESTRICT"), index=True
    )
    #: Vendor name at the time of the order (the vendor may rename itself later).
    vendor_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[VendorOrderStatus] = mapped_column(
        str_enum(VendorOrderStatus, "vendor_order_status"), default=VendorOrderStatus.PAID,
        index=True,
    )
    items_total: Mapped[int] = mapped_column(Integer)
    delivery_fee: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0)
    carrier: Mapped[str] = mapped_column(String(40), default="")
    tracking_number: Mapped[str] = mapped_column(String(40), default="")
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    order: Mapped[Order] = relationship(back_populates="vendor_orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="vendor_order", lazy="selectin", order_by="OrderLine.id"
    )

    @property
    def refundable(self) -> int:
        return self.total - self.refunded_amount


class OrderLine(BigIntAuditBase):
    """Units of one variant in one vendor order, with the price paid for each.

    A snack-box component is a line too (``bundle_label`` names the box it belongs to), so a
    vendor ships, and is paid for, exactly its own goods.
    """

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_order_line_quantity_positive"),
        CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity",
            name="ck_order_line_refunded_range",
        ),
    )

    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int] = mapped_column(Integer)
    product_name: Mapped[str] = mapped_column(String(200))
    option_label: Mapped[str] = mapped_column(String(100))
    sku: Mapped[str] = mapped_column(String(64))
    #: Category code at the time of sale: the platform commission rate depends on it.
    category: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(Integer)
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0)
    bundle_label: Mapped[str] = mapped_column(String(200), default="")

    vendor_order: Mapped[VendorOrder] = relationship(back_populates="lines")


class VendorOrderStatusChange(BigIntAuditBase):
    """Who moved a vendor order, from what, to what, and why."""

    __tablename__ = "vendor_order_status_changes"

    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[VendorOrderStatus | None] = mapped_column(
        str_enum(VendorOrderStatus, "vendor_order_status"), nullable=True
    )
    to_status: Mapped[VendorOrderStatus] = mapped_column(
        str_enum(VendorOrderStatus, "vendor_order_status")
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")


class OrderRefund(BigIntAuditBase):
    """A refund of (part of) one vendor order: the lines and delivery fee it gives back, who
    decided it and why, and whether the goods came back to the shelf."""

    __tablename__ = "order_refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_order_refund_amount_positive"),)

    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), index=True
    )
    payment_refund_id: Mapped[int] = mapped_column(
        ForeignKey("payment_refunds.id", ondelete="RESTRICT"), unique=True
    )
    amount: Mapped[int] = mapped_column(Integer)
    delivery_fee_refunded: Mapped[int] = mapped_column(Integer, default=0)
    restocked: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    lines: Mapped[list[OrderRefundLine]] = relationship(
        lazy="selectin", order_by="OrderRefundLine.id"
    )


class OrderRefundLine(BigIntAuditBase):
    __tablename__ = "order_refund_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_order_refund_line_quantity"),)

    refund_id: Mapped[int] = mapped_column(
        ForeignKey("order_refunds.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)

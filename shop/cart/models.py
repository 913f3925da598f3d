"""Carts (장바구니) and their lines.

A signed-in shopper has one cart for good (``user_id`` is unique); a guest's cart is found by
a random token kept in the server-side session (the browser only ever holds the session id).
At sign-in the guest cart is merged into the shopper's and marked ``merged``. A cart line
holds a variant and a quantity, never a price: prices and delivery fees are read live, and a
checkout takes its own snapshot when the shopper pays.
"""

from __future__ import annotations

import enum

from advanced_alchemy.base import BigIntAuditBase
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from shop.cart.errors import CartErrorCode


class CartStatus(enum.StrEnum):
    OPEN = "open"  # 사용 중
    MERGED = "merged"  # 로그인하며 회원 장바구니로 합쳐짐

    @property
    def label(self) -> str:
        return {"open": "사용 중", "merged": "회원 장바구니로 합쳐짐"}[self.value]


CART_TRANSITIONS: StateMachine[CartStatus] = StateMachine(
    {CartStatus.OPEN: {CartStatus.MERGED}},
    label=lambda s: s.label,
    code=CartErrorCode.INVALID_TRANSITION,
)


class Cart(BigIntAuditBase):
    __tablename__ = "carts"
    __table_args__ = (
        CheckConstraint(
            "(user_id IS NULL) <> (guest_token IS NULL)", name="ck_cart_user_xor_guest"
        ),
    )

    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    guest_token: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    status: Mapped[CartStatus] = mapped_column(
        str_enum(CartStatus, "cart_status"), default=CartStatus.OPEN
    )
    #: The shopper's cart a guest cart was merged into.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("carts.id", ondelete="SET NULL"), nullable=True
    )

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", lazy="selectin", cascade="all, delete-orphan",
        order_by="CartLine.id",
    )


class CartLine(BigIntAuditBase):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_line_variant"),
        CheckConstraint("quantity > 0", name="ck_cart_line_quantity_positive"),
    )

    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)

    cart: Mapped[Cart] = relationship(back_populates="lines")

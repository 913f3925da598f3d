"""Snack boxes (다과꾸러미), their sizes and components, delivery slots and the boxes booked on
them.

A :class:`SnackBox` is what the catalogue shows; each :class:`SnackBoxSize` (10인, 20인 …)
has a set price for one box and its own :class:`SnackBoxComponent` rows (variant × units per
box). A :class:`SnackBoxSlot` is a delivery date (and optional time window) that takes at
most ``capacity`` boxes of that snack box. A :class:`SnackBoxBooking` is the boxes one
checkout takes on a slot; it counts against the capacity while the checkout's stock
reservation is live or confirmed (decision 28), so an abandoned or expired checkout gives its
boxes back without a sweeper.
"""

from __future__ import annotations

import datetime as dt

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship


class SnackBox(BigIntAuditBase):
    __tablename__ = "snack_boxes"
    __table_args__ = (CheckConstraint("lead_days >= 0", name="ck_snack_box_lead_days"),)

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Path under the public upload directory (served at ``/media``), or None.
    image_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: Shown in the catalogue and orderable only while active.
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Days needed to assemble: a slot is orderable from today (Asia/Seoul) + lead_days on.
    lead_days: Mapped[int] = mapped_column(Integer, default=3)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: Who assembles the boxes and delivers them: an approved vendor (an assembling
    #: enterprise), or None when the organizer does it (decision 37).
    assembler_vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: The organizer's own closed days (ISO dates, one per line): no delivery then, like on
    #: Korean public holidays.
    closed_days: Mapped[str] = mapped_column(Text, default="")

    sizes: Mapped[list[SnackBoxSize]] = relationship(
        back_populates="box", lazy="selectin", cascade="all, delete-orphan",
        order_by="SnackBoxSize.headcount",
    )


class SnackBoxSize(BigIntAuditBase):
    """One size of a box: for ``headcount`` people at a set ``price`` (whole won) per box.

    A size that was ordered is never deleted (bookings name it); recomposing a box without it
    marks it inactive instead.
    """

    __tablename__ = "snack_box_sizes"
    __table_args__ = (
        UniqueConstraint("box_id", "headcount", name="uq_snack_box_size_headcount"),
        CheckConstraint("headcount > 0", name="ck_snack_box_size_headcount"),
        CheckConstraint("price > 0", name="ck_snack_box_size_price"),
    )

    box_id: Mapped[int] = mapped_column(
        ForeignKey("snack_boxes.id", ondelete="CASCADE"), index=True
    )
    headcount: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    box: Mapped[SnackBox] = relationship(back_populates="sizes")
    components: Mapped[list[SnackBoxComponent]] = relationship(
        back_populates="size", lazy="selectin", cascade="all, delete-orphan",
        order_by="SnackBoxComponent.position",
    )

    @property
    def price_per_person(self) -> int:
        """The set price per head, rounded to whole won (for display)."""
        return (self.price + self.headcount // 2) // self.headcount


class SnackBoxComponent(BigIntAuditBase):
    """Units of one variant in one box of a size."""

    __tablename__ = "snack_box_components"
    __table_args__ = (
        UniqueConstraint("size_id", "variant_id", name="uq_snack_box_component_variant"),
        CheckConstraint("quantity > 0", name="ck_snack_box_component_quantity"),
    )

    size_id: Mapped[int] = mapped_column(
        ForeignKey("snack_box_sizes.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    size: Mapped[SnackBoxSize] = relationship(back_populates="components")


class SnackBoxSlot(BigIntAuditBase):
    """A delivery date (Asia/Seoul), an optional window ("오전 10~12시") and how many boxes it
    takes. Closing a slot (``is_active`` False) stops new orders; booked boxes stay."""

    __tablename__ = "snack_box_slots"
    __table_args__ = (
        UniqueConstraint(
            "box_id", "delivery_date", "window_label", name="uq_snack_box_slot_date_window"
        ),
        CheckConstraint("capacity >= 0", name="ck_snack_box_slot_capacity"),
    )

    box_id: Mapped[int] = mapped_column(
        ForeignKey("snack_boxes.id", ondelete="CASCADE"), index=True
    )
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    window_label: Mapped[str] = mapped_column(String(40), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class SnackBoxBooking(BigIntAuditBase):
    """Boxes of one size that one checkout takes on a slot.

    Written in the checkout's own transaction under the slot's row lock; it counts while the
    checkout's stock reservation (``reservation_id``) is active and before its deadline, or
    confirmed (paid).
    """

    __tablename__ = "snack_box_bookings"
    __table_args__ = (CheckConstraint("boxes > 0", name="ck_snack_box_booking_boxes"),)

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("snack_box_slots.id", ondelete="RESTRICT"), index=True
    )
    size_id: Mapped[int] = mapped_column(
        ForeignKey("snack_box_sizes.id", ondelete="RESTRICT"), index=True
    )
    checkout_id: Mapped[int] = mapped_column(
        ForeignKey("checkouts.id", ondelete="CASCADE"), index=True
    )
    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="CASCADE"), index=True
    )
    boxes: Mapped[int] = mapped_column(Integer)
    #: What the shopper and the vendors read: "햇음 다과꾸러미 20인 ×2 구성품 · 6월 12일(목) 배송".
    label: Mapped[str] = mapped_column(String(200))
    #: Set when the buyer cancelled the boxes (all their parts at once): they stop counting.
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )

"""The shop's event vocabulary: what happened to vendors and the catalog.

Each event is written to the outbox in the transaction of the change it names, and the
workers turn it into index updates, analytics and notifications. Payloads carry ids and the
facts a consumer needs to act without guessing; consumers that need the full current state
read it from the database (the event says *that* it changed, the row says *what it is now*).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorEvent(DomainEvent):
    aggregate: ClassVar[str] = "vendor"
    id: int
    actor_user_id: int | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorApplied(VendorEvent):
    name: ClassVar[str] = "vendor.applied"
    vendor_name: str
    enterprise_type: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorApproved(VendorEvent):
    name: ClassVar[str] = "vendor.approved"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorRejected(VendorEvent):
    name: ClassVar[str] = "vendor.rejected"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorSuspended(VendorEvent):
    name: ClassVar[str] = "vendor.suspended"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorReinstated(VendorEvent):
    name: ClassVar[str] = "vendor.reinstated"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorResubmitted(VendorEvent):
    name: ClassVar[str] = "vendor.resubmitted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorProfileUpdated(VendorEvent):
    name: ClassVar[str] = "vendor.profile_updated"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorMemberInvited(VendorEvent):
    name: ClassVar[str] = "vendor.member_invited"
    email: str
    role: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorMemberJoined(VendorEvent):
    name: ClassVar[str] = "vendor.member_joined"
    user_id: int
    role: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductEvent(DomainEvent):
    aggregate: ClassVar[str] = "product"
    id: int
    vendor_id: int
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductCreated(ProductEvent):
    name: ClassVar[str] = "product.created"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductUpdated(ProductEvent):
    name: ClassVar[str] = "product.updated"
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductPublished(ProductEvent):
    name: ClassVar[str] = "product.published"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductUnpublished(ProductEvent):
    name: ClassVar[str] = "product.unpublished"
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockChanged(ProductEvent):
    name: ClassVar[str] = "product.stock_changed"
    sku: str
    stock: int


#: Events after which the product's search document must be rebuilt from the database.
PRODUCT_INDEX_EVENTS = frozenset(
    {"product.created", "product.updated", "product.published", "product.unpublished"}
)
#: Vendor events that change what the mall may show (a suspended vendor's products vanish).
VENDOR_INDEX_EVENTS = frozenset(
    {"vendor.approved", "vendor.suspended", "vendor.reinstated", "vendor.profile_updated"}
)


# -- cart and stock reservations (shop/cart, shop/checkout) --------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class CartEvent(DomainEvent):
    aggregate: ClassVar[str] = "cart"
    id: int
    #: The signed-in owner, or None for a guest's cart.
    user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CartItemAdded(CartEvent):
    name: ClassVar[str] = "cart.item_added"
    variant_id: int
    quantity: int  # the line's quantity after the addition


@dataclasses.dataclass(frozen=True, kw_only=True)
class CartItemUpdated(CartEvent):
    name: ClassVar[str] = "cart.item_updated"
    variant_id: int
    quantity: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class CartItemRemoved(CartEvent):
    name: ClassVar[str] = "cart.item_removed"
    variant_id: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class CartMerged(CartEvent):
    """A guest's cart was folded into the cart of the person who just signed in (``id``)."""

    name: ClassVar[str] = "cart.merged"
    guest_cart_id: int
    moved_lines: int
    capped_lines: int = 0
    dropped_lines: int = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationEvent(DomainEvent):
    aggregate: ClassVar[str] = "stock_reservation"
    id: int
    actor_user_id: int | None = None
    reason: str = ""
    #: ``[{"variant_id": …, "quantity": …}]``: demand already summed per variant.
    lines: tuple[dict[str, int], ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReserved(StockReservationEvent):
    name: ClassVar[str] = "stock.reserved"
    expires_at: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationConfirmed(StockReservationEvent):
    """Paid: the reserved units are now allocations (still in stock until shipped)."""

    name: ClassVar[str] = "stock.reservation_confirmed"


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationReleased(StockReservationEvent):
    name: ClassVar[str] = "stock.reservation_released"


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationExpired(StockReservationEvent):
    name: ClassVar[str] = "stock.reservation_expired"


# -- snack boxes (shop/snackboxes) ---------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class SnackBoxEvent(DomainEvent):
    aggregate: ClassVar[str] = "snack_box"
    id: int
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class SnackBoxComposed(SnackBoxEvent):
    """A box was created or recomposed (name, sizes, prices, components, lead time, image)."""

    name: ClassVar[str] = "snack_box.composed"
    created: bool
    is_active: bool
    #: ``[{"size_id": …, "headcount": …, "price": …}]`` of the active sizes.
    sizes: tuple[dict[str, int], ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class SnackBoxSlotSaved(SnackBoxEvent):
    """A delivery slot was opened or its capacity / open state changed."""

    name: ClassVar[str] = "snack_box.slot_saved"
    slot_id: int
    delivery_date: str  # ISO date, Asia/Seoul
    window_label: str
    capacity: int
    is_active: bool
    created: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class SnackBoxBooked(SnackBoxEvent):
    """A checkout took boxes on a slot (held while its stock reservation lives, kept once
    paid)."""

    name: ClassVar[str] = "snack_box.booked"
    slot_id: int
    size_id: int
    boxes: int
    checkout_id: int

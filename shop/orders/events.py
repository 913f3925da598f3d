"""What happens to orders. Mail, settlement and analytics consumers read these.

``order.placed`` is recorded in the transaction that creates the order from a paid checkout;
vendor-order events in the transaction of each state change or refund.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderPlaced(DomainEvent):
    name: ClassVar[str] = "order.placed"
    aggregate: ClassVar[str] = "order"
    id: int
    number: str
    checkout_id: int
    payment_id: int
    user_id: int | None
    email: str
    total: int
    vendor_order_ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorOrderEvent(DomainEvent):
    aggregate: ClassVar[str] = "vendor_order"
    id: int
    order_id: int
    vendor_id: int
    actor_user_id: int | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorOrderAccepted(VendorOrderEvent):
    name: ClassVar[str] = "vendor_order.accepted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorOrderShipped(VendorOrderEvent):
    name: ClassVar[str] = "vendor_order.shipped"
    carrier: str
    tracking_number: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorOrderDelivered(VendorOrderEvent):
    name: ClassVar[str] = "vendor_order.delivered"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorOrderCompleted(VendorOrderEvent):
    name: ClassVar[str] = "vendor_order.completed"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorOrderCancelled(VendorOrderEvent):
    """Cancelled before shipment: every unit went back to sale and the rest was refunded."""

    name: ClassVar[str] = "vendor_order.cancelled"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorOrderRefunded(VendorOrderEvent):
    """Money given back on (part of) a vendor order; ``refund_id`` is the OrderRefund row."""

    name: ClassVar[str] = "vendor_order.refunded"
    refund_id: int
    amount: int
    delivery_fee_refunded: int = 0
    restocked: bool = False
    #: This refund cancels the vendor order (``vendor_order.cancelled`` follows in the same
    #: transaction): the cancellation mail tells the shopper about the money too.
    cancels: bool = False
    #: ``[{"order_line_id": …, "quantity": …, "amount": …}]``
    lines: tuple[dict[str, int], ...] = ()

"""What happens to snack boxes: composed, their delivery slots opened or changed, and
boxes booked by a checkout, or cancelled whole by their buyer. Recorded in the transaction of
each change."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


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


@dataclasses.dataclass(frozen=True, kw_only=True)
class SnackBoxCancelled(SnackBoxEvent):
    """The buyer cancelled bought boxes whole: every part refunded, the slot place freed."""

    name: ClassVar[str] = "snack_box.cancelled"
    booking_ids: tuple[int, ...]
    order_id: int
    boxes: int
    amount: int
    vendor_order_ids: tuple[int, ...]
    reason: str

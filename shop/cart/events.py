"""What happens to carts (analytics reads these); recorded in the transaction of each
change."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


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

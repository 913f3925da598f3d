"""Cart error codes (the stock-related ones share their values with checkout's)."""

from __future__ import annotations

import enum


class CartErrorCode(enum.StrEnum):
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_VARIANT = "invalid_variant"
    UNKNOWN_VARIANT = "unknown_variant"
    NOT_FOR_SALE = "not_for_sale"
    OUT_OF_STOCK = "out_of_stock"
    CART_ITEM_NOT_FOUND = "cart_item_not_found"
    CART_FULL = "cart_full"
    CART_CHANGED = "cart_changed"
    INVALID_TRANSITION = "cart_invalid_transition"

"""Checkout error codes, so API clients and pages can act on them: ``StockErrorCode`` for the
stock reservations, ``CheckoutErrorCode`` for the checkout (주문서) itself."""

from __future__ import annotations

import enum


class StockErrorCode(enum.StrEnum):
    NO_LINES = "no_lines"
    TOO_MANY_LINES = "too_many_lines"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_VARIANT = "invalid_variant"  # not an id at all
    UNKNOWN_VARIANT = "unknown_variant"  # an id no variant has
    NOT_FOR_SALE = "not_for_sale"  # option stopped, product off sale, or vendor not approved
    OUT_OF_STOCK = "out_of_stock"
    INVALID_KEY = "invalid_key"
    KEY_REUSED = "reservation_key_reused"
    RESERVATION_NOT_FOUND = "reservation_not_found"
    RESERVATION_EXPIRED = "reservation_expired"
    INVALID_REASON = "invalid_reason"
    INVALID_TRANSITION = "reservation_invalid_transition"


class CheckoutErrorCode(enum.StrEnum):
    """Codes of the checkout itself (주문서), beyond the stock it reserves."""

    NO_LINES = "no_lines"
    INVALID_ADDRESS = "invalid_address"
    INVALID_EMAIL = "invalid_email"
    KEY_REUSED = "checkout_key_reused"
    CHECKOUT_NOT_FOUND = "checkout_not_found"

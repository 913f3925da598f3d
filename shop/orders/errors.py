"""Order error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class OrderErrorCode(enum.StrEnum):
    ORDER_NOT_FOUND = "order_not_found"
    NOT_YOUR_ORDER = "not_your_order"
    VENDOR_ORDER_NOT_FOUND = "vendor_order_not_found"
    INVALID_STATUS = "invalid_status"
    INVALID_TRANSITION = "vendor_order_invalid_transition"
    UNKNOWN_ACTION = "unknown_action"
    NOT_THE_BUYER = "not_the_buyer"
    REASON_REQUIRED = "reason_required"
    REASON_TOO_LONG = "reason_too_long"
    INVALID_CARRIER = "invalid_carrier"
    INVALID_TRACKING_NUMBER = "invalid_tracking_number"
    ALREADY_SHIPPED = "already_shipped"
    VENDOR_ORDER_CLOSED = "vendor_order_closed"
    UNKNOWN_ORDER_LINE = "unknown_order_line"
    INVALID_QUANTITY = "invalid_quantity"
    REFUND_EXCEEDS_LINE = "refund_exceeds_line"
    NOTHING_TO_REFUND = "nothing_to_refund"
    INVALID_KEY = "invalid_key"
    PART_OF_BUNDLE = "part_of_snack_box"  # a vendor order holding part of a box

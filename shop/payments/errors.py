"""Payment error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class PaymentErrorCode(enum.StrEnum):
    PAYMENT_NOT_FOUND = "payment_not_found"
    PAYMENT_NOT_PAYABLE = "payment_not_payable"  # already paid, refunded …
    INVALID_AMOUNT = "invalid_amount"
    PAYMENT_AMOUNT_CHANGED = "payment_amount_changed"
    PAYMENT_AMOUNT_MISMATCH = "payment_amount_mismatch"
    REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"
    TEST_CARDS_DISABLED = "test_cards_disabled"
    UNKNOWN_TEST_CARD = "unknown_test_card"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_TRANSITION = "payment_invalid_transition"
    PAYMENT_CANCELLED = "payment_cancelled"  # nobody may pay it any more; the detail says why
    PAYMENT_IN_PROGRESS = "payment_in_progress"  # Stripe is still busy with an earlier attempt

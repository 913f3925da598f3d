"""Payment error codes, so API clients (and the payment page) can act on them."""

from __future__ import annotations

import enum


class PaymentErrorCode(enum.StrEnum):
    PAYMENT_NOT_PAYABLE = "payment_not_payable"  # already paid, refunded …
    PAYMENT_CANCELLED = "payment_cancelled"  # nobody may pay it any more; the detail says why
    PAYMENT_IN_PROGRESS = "payment_in_progress"  # Stripe is still busy with an earlier attempt

"""Settlement error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class SettlementErrorCode(enum.StrEnum):
    INVALID_RATE = "invalid_commission_rate"
    UNKNOWN_CATEGORY = "unknown_category"
    VENDOR_NOT_FOUND = "vendor_not_found"
    INVALID_WEEK = "invalid_week"
    WEEK_NOT_ENDED = "week_not_ended"
    LATER_WEEK_CLOSED = "later_week_closed"
    STATEMENT_NOT_FOUND = "statement_not_found"
    INVALID_BANK_CODE = "invalid_bank_code"
    INVALID_ACCOUNT_NUMBER = "invalid_account_number"
    INVALID_HOLDER = "invalid_account_holder"
    INVALID_STRIPE_ACCOUNT = "invalid_stripe_account"
    INVALID_PAYOUT_METHOD = "invalid_payout_method"
    NOTHING_TO_PAY = "nothing_to_pay"
    BATCH_NOT_FOUND = "payout_batch_not_found"
    BATCH_WRONG_STATE = "payout_batch_wrong_state"
    NOT_A_BANK_BATCH = "not_a_bank_transfer_batch"
    NOT_A_STRIPE_BATCH = "not_a_stripe_batch"
    STATEMENT_ALREADY_PAID = "statement_already_paid"
    VENDOR_REQUIRED = "vendor_required"
    PAYOUT_ACCOUNT_NOT_FOUND = "payout_account_not_found"

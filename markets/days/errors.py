"""Error codes of the market, market-day and application use cases.

API clients act on ``code``; people read the Korean message beside the field it names.
Who may act at all (``login_required``, ``organizer_only``) is ``infra.errors.AccessErrorCode``,
raised by ``infra.auth.require_organizer``; every wrong field of one submission is gathered
by ``infra.errors.Problems``.
"""

from __future__ import annotations

import enum


class MarketErrorCode(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_NUMBER = "invalid_number"
    INVALID_CHOICE = "invalid_choice"
    REASON_REQUIRED = "reason_required"
    MARKET_NOT_FOUND = "market_not_found"
    MARKET_DAY_NOT_FOUND = "market_day_not_found"
    DAY_NOT_BOOKED = "market_day_not_booked"
    DAY_CANCELLED = "market_day_cancelled"
    DAY_NOT_STARTED = "market_day_not_started"
    DAY_IN_PAST = "market_day_in_past"
    SALES_WINDOW_CLOSED = "booth_sales_window_closed"
    FEE_NOT_FOUND = "booth_fee_not_found"
    FEE_NOT_DUE = "booth_fee_not_due"
    FEE_PAID_BY_CARD = "booth_fee_paid_by_card"
    CONCURRENT_CHANGE = "concurrent_change"
    DAY_INVALID_TRANSITION = "market_day_invalid_transition"
    FEE_INVALID_TRANSITION = "booth_fee_invalid_transition"
    # who runs a market
    NOT_MARKET_ORGANIZER = "not_market_organizer"
    MARKET_OWNER_ONLY = "market_owner_only"
    ADMIN_ONLY = "admin_only"
    USER_NOT_FOUND = "user_not_found"
    NOT_AN_ORGANIZER = "not_an_organizer"
    # applications
    APPLICATION_NOT_FOUND = "application_not_found"
    APPLICATION_INVALID_TRANSITION = "application_invalid_transition"
    ALREADY_APPLIED = "already_applied"
    VENDOR_NOT_APPROVED = "vendor_not_approved"
    INVALID_SEASON = "invalid_season"
    INVALID_DAYS = "invalid_market_days"
    INVALID_CATEGORY = "invalid_category"
    INVALID_SCORE = "invalid_score"
    CRITERION_NOT_FOUND = "criterion_not_found"
    CRITERION_SCORED = "criterion_already_scored"
    CRITERION_TAKEN = "criterion_name_taken"
    OWN_APPLICATION = "jury_own_application"
    NOT_SCORABLE = "application_not_scorable"
    MARKET_FULL = "market_full"
    PLACE_HELD_BY_OFFER = "place_held_by_offer"
    OFFER_NOT_FOUND = "waitlist_offer_not_found"
    OFFER_NOT_OPEN = "waitlist_offer_not_open"
    OFFER_EXPIRED = "waitlist_offer_expired"
    DOCUMENT_TOO_LARGE = "document_too_large"
    DOCUMENT_TYPE_NOT_ALLOWED = "document_type_not_allowed"
    DOCUMENT_EMPTY = "document_empty"
    TOO_MANY_DOCUMENTS = "too_many_documents"
    DOCUMENT_NOT_FOUND = "document_not_found"
    KIT_UNAVAILABLE = "kit_unavailable"
    VENDOR_NOT_FOUND = "vendor_not_found"
    CALENDAR_NOT_FOUND = "calendar_not_found"
    PAYMENT_NOT_FOUND = "payment_not_found"


def clean_reason(reason: str | None) -> str:
    return (reason or "").strip()[:2000]

"""Lending error codes: every code a lending refusal can carry, in one place.

API clients act on the code (``problem.code`` and each ``errors[].code``); people read the
Korean message beside the field it names. Field errors are gathered with
:class:`infra.errors.Problems`; who may act at all is :class:`infra.errors.AccessErrorCode`.
"""

from __future__ import annotations

import enum


class LendingErrorCode(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_DATE = "invalid_date"
    INVALID_PERIOD = "invalid_period"  # end before start, too long
    PERIOD_IN_PAST = "period_in_past"
    PERIOD_CHOICE = "period_choice"  # neither or both of market day and date range
    NOTHING_REQUESTED = "nothing_requested"
    DUPLICATE_ITEM = "duplicate_item"
    INVALID_PICKUP = "invalid_pickup"
    INVALID_CONDITION = "invalid_condition"
    INVALID_NAME = "invalid_name"
    INVALID_SETTING = "invalid_setting"
    UNKNOWN_KIT = "unknown_kit"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_MARKET = "unknown_market"
    UNKNOWN_MARKET_DAY = "unknown_market_day"
    LOAN_NOT_FOUND = "loan_not_found"
    MAINTENANCE_NOT_FOUND = "maintenance_not_found"
    MARKET_DAY_NOT_OPEN = "market_day_not_open"
    VENDOR_NOT_APPROVED = "vendor_not_approved"
    NOT_ENOUGH_UNITS = "not_enough_units"
    SLOT_FULL = "pickup_slot_full"
    UNIT_BUSY = "unit_busy"
    NAME_TAKEN = "name_taken"
    ALREADY_RESOLVED = "maintenance_already_resolved"
    REASON_REQUIRED = "reason_required"
    INVALID_TRANSITION = "loan_invalid_transition"  # a loan status change its state forbids

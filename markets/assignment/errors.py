"""Assignment error codes, so API clients can act on them."""

from __future__ import annotations

import enum


class AssignmentErrorCode(enum.StrEnum):
    MARKET_DAY_NOT_FOUND = "market_day_not_found"
    DAY_NOT_SCHEDULED = "market_day_not_scheduled"
    NO_BOOTHS = "no_booths"
    NO_DAYS = "no_market_days"
    BOARD_NOT_FOUND = "assignment_board_not_found"
    BOARD_PUBLISHED = "assignment_published"
    VENDOR_NOT_ON_DAY = "vendor_not_on_day"
    VENDOR_NOT_PLACED = "vendor_not_placed"
    BOOTH_NOT_FOUND = "booth_not_found"
    BOOTH_INACTIVE = "booth_inactive"
    BOOTH_TAKEN = "booth_taken"
    BOOTH_UNSUITABLE = "booth_unsuitable"
    SAME_VENDOR = "same_vendor"
    INVALID_ACTION = "invalid_action"
    INVALID_CAP = "invalid_category_cap"
    CONCURRENT_CHANGE = "concurrent_change"
    INVALID_TRANSITION = "assignment_invalid_transition"
    INACTIVE_BOOTH_ASSIGNED = "inactive_booth_assigned"
    INVALID_REGULAR = "invalid_regular_booth"
    NO_ADJACENT_BLOCK = "no_adjacent_block"

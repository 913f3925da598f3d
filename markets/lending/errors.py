"""Lending error codes, and the collector that reports every wrong field of a request at once.

API clients act on the code (``problem.code`` and each ``errors[].code``); people read the
Korean message beside the field it names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from infra.errors import InvalidInput


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
    ORGANIZER_ONLY = "organizer_only"
    REASON_REQUIRED = "reason_required"


@dataclass(frozen=True)
class FieldProblem:
    code: LendingErrorCode
    field: str
    message: str


@dataclass
class Problems:
    """Gathers every field error of one request, then raises them as one 400 problem."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, code: LendingErrorCode, field: str, message: str) -> None:
        if not any(p.field == field for p in self.items):  # the first message per field wins
            self.items.append(FieldProblem(code, field, message))

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        raise InvalidInput(
            first.code,
            first.message,
            field=first.field,
            extra={
                "errors": [
                    {"field": p.field, "message": p.message, "code": p.code.value}
                    for p in self.items
                ]
            },
        )

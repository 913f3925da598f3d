"""Error codes of the market-day and application use cases, and a field-error collector.

API clients act on ``code``; people read the Korean message beside the field it names.
The collector gathers every wrong field of one submission so a form shows them all at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from infra.accounts.models import Role, User
from infra.errors import DomainError, Forbidden, InvalidInput


class MarketErrorCode(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_NUMBER = "invalid_number"
    INVALID_CHOICE = "invalid_choice"
    REASON_REQUIRED = "reason_required"
    MARKET_NOT_FOUND = "market_not_found"
    MARKET_DAY_NOT_FOUND = "market_day_not_found"
    ORGANIZER_ONLY = "organizer_only"
    LOGIN_REQUIRED = "login_required"
    DAY_NOT_BOOKED = "market_day_not_booked"
    DAY_CANCELLED = "market_day_cancelled"
    DAY_NOT_STARTED = "market_day_not_started"
    DAY_IN_PAST = "market_day_in_past"
    SALES_WINDOW_CLOSED = "booth_sales_window_closed"
    FEE_NOT_FOUND = "booth_fee_not_found"
    FEE_NOT_DUE = "booth_fee_not_due"
    FEE_PAID_BY_CARD = "booth_fee_paid_by_card"
    CONCURRENT_CHANGE = "concurrent_change"
    # who runs a market
    NOT_MARKET_ORGANIZER = "not_market_organizer"
    MARKET_OWNER_ONLY = "market_owner_only"
    ADMIN_ONLY = "admin_only"
    USER_NOT_FOUND = "user_not_found"
    NOT_AN_ORGANIZER = "not_an_organizer"
    # applications
    APPLICATION_NOT_FOUND = "application_not_found"
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


@dataclass(frozen=True)
class FieldProblem:
    code: MarketErrorCode
    field: str
    message: str
    status: int = 400


@dataclass
class Problems:
    """Every field error of one submission, raised together as one 4xx problem."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, code: MarketErrorCode, field: str, message: str, status: int = 400) -> None:
        if not any(p.field == field for p in self.items):  # the first message per field wins
            self.items.append(FieldProblem(code, field, message, status))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        statuses = {p.status for p in self.items}
        status = statuses.pop() if len(statuses) == 1 else 400
        raise InvalidInput(
            first.code,
            first.message,
            field=first.field,
            status_code=status,
            extra={
                "errors": [
                    {"field": p.field, "message": p.message, "code": p.code.value}
                    for p in self.items
                ]
            },
        )


def field_errors(exc: DomainError) -> dict[str, str]:
    """``{field: message}`` of a domain error, for showing each message beside its field."""
    listed: Any = exc.extra.get("errors")
    if isinstance(listed, list) and listed:
        return {str(e["field"]): str(e["message"]) for e in listed if isinstance(e, dict)}
    return {exc.field or "_form": exc.message}


def require_organizer(actor: User | None) -> User:
    """Market organizers (and platform admins) run markets; everyone else gets a 403."""
    if actor is None:
        raise Forbidden(MarketErrorCode.LOGIN_REQUIRED, "로그인이 필요합니다.")
    if not actor.has_role(Role.ORGANIZER):
        raise Forbidden(MarketErrorCode.ORGANIZER_ONLY, "장터 운영자만 할 수 있습니다.")
    return actor


def clean_reason(reason: str | None) -> str:
    return (reason or "").strip()[:2000]

"""What happens to market days, in the outbox's vocabulary.

Payloads carry what a consumer needs without a second look-up at a state that may have
moved on: a cancellation names the vendors who were booked *at the moment of cancelling*,
so the notices go to exactly them even if applications change later.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class MarketDayEvent(DomainEvent):
    aggregate: ClassVar[str] = "market_day"
    id: int  # the market day
    market_id: int
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class MarketDaysGenerated(DomainEvent):
    """New days were scheduled for a market (one event per run, not per day)."""

    name: ClassVar[str] = "market.days_generated"
    aggregate: ClassVar[str] = "market"
    id: int  # the market
    days: list[str]  # ISO dates


@dataclasses.dataclass(frozen=True, kw_only=True)
class MarketDayCancelled(MarketDayEvent):
    name: ClassVar[str] = "market_day.cancelled"
    day: str  # ISO date, Asia/Seoul
    market_name: str
    reason: str
    vendor_ids: list[int]
    fees_waived: int
    fees_refund_due: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class MarketDayHeld(MarketDayEvent):
    name: ClassVar[str] = "market_day.held"
    day: str
    #: The vendors booked when the day closed, ``[{"vendor_id": 3, "category": "food"}]``
    #: (analytics counts them as booked; a no-show that gave its place up is not among them).
    booked: list[dict[str, object]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MarketDayFeeChanged(MarketDayEvent):
    name: ClassVar[str] = "market_day.fee_changed"
    booth_fee: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckInRecorded(MarketDayEvent):
    name: ClassVar[str] = "market_day.check_in_recorded"
    vendor_id: int
    application_id: int
    status: str
    previous_status: str | None
    #: The day's Seoul date and the vendor's first category on its application (analytics).
    day: str = ""
    category: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoothFeeStatusChanged(DomainEvent):
    name: ClassVar[str] = "booth_fee.status_changed"
    aggregate: ClassVar[str] = "booth_fee"
    id: int  # the fee
    market_day_id: int
    vendor_id: int
    amount: int
    from_status: str
    to_status: str
    actor_user_id: int | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoothSalesReported(DomainEvent):
    """A vendor reported (or corrected) its takings for a day: input for market analytics."""

    name: ClassVar[str] = "booth_sales.reported"
    aggregate: ClassVar[str] = "booth_sales"
    id: int  # the report
    market_id: int
    market_day_id: int
    day: str
    vendor_id: int
    amount: int
    sales_count: int
    best_sellers: list[str]
    revision: int
    actor_user_id: int | None = None


NOTIFY_EVENTS = frozenset({MarketDayCancelled.name})

"""What happens to market applications, in the outbox's vocabulary."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationEvent(DomainEvent):
    aggregate: ClassVar[str] = "market_application"
    id: int  # the application
    market_id: int
    vendor_id: int
    season: int
    actor_user_id: int | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationSubmitted(ApplicationEvent):
    name: ClassVar[str] = "market_application.submitted"
    whole_season: bool
    market_day_ids: list[int]
    categories: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationAccepted(ApplicationEvent):
    name: ClassVar[str] = "market_application.accepted"
    via_offer_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationWaitlisted(ApplicationEvent):
    name: ClassVar[str] = "market_application.waitlisted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationRejected(ApplicationEvent):
    name: ClassVar[str] = "market_application.rejected"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationWithdrawn(ApplicationEvent):
    name: ClassVar[str] = "market_application.withdrawn"
    #: True when an accepted place was given up (and offered down the waitlist).
    freed_place: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationPriorityChanged(ApplicationEvent):
    name: ClassVar[str] = "market_application.priority_changed"
    priority_tier: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationStrikeChanged(ApplicationEvent):
    """A no-show added a strike, or a corrected check-in took one back."""

    name: ClassVar[str] = "market_application.strike_changed"
    strikes: int
    market_day_id: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class JuryScored(ApplicationEvent):
    name: ClassVar[str] = "market_application.jury_scored"
    juror_user_id: int
    criterion_ids: list[int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitlistOfferEvent(DomainEvent):
    aggregate: ClassVar[str] = "waitlist_offer"
    id: int  # the offer
    application_id: int
    market_id: int
    vendor_id: int
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitlistOffered(WaitlistOfferEvent):
    name: ClassVar[str] = "waitlist_offer.offered"
    expires_at: str
    freed_by_application_id: int | None
    #: Set when the place is one market day a no-show gave up (and the booth it freed).
    freed_market_day_id: int | None = None
    freed_booth_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoShowPlaceReleased(ApplicationEvent):
    """A no-show gave up its place on one market day: its booth was freed that day and the
    place offered down the waitlist (``offer_id``), like a withdrawal does for a booking."""

    name: ClassVar[str] = "market_application.no_show_place_released"
    market_day_id: int
    booth_code: str | None
    offer_id: int | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoShowPlaceRestored(ApplicationEvent):
    """A no-show was corrected: open offers of its day were voided, its booth given back if
    nobody took it (``booth_code``)."""

    name: ClassVar[str] = "market_application.no_show_place_restored"
    market_day_id: int
    booth_code: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitlistOfferAccepted(WaitlistOfferEvent):
    name: ClassVar[str] = "waitlist_offer.accepted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitlistOfferDeclined(WaitlistOfferEvent):
    name: ClassVar[str] = "waitlist_offer.declined"


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitlistOfferExpired(WaitlistOfferEvent):
    name: ClassVar[str] = "waitlist_offer.expired"

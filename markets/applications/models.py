"""Vendors' applications to sell at a market: for a season or for chosen days.

An application moves through :data:`APPLICATION_TRANSITIONS`; each move leaves an
:class:`ApplicationStatusChange` row (who, from, to, why). Organizers publish the criteria
(:class:`MarketCriterion`) the jury scores by (:class:`JuryScore`); a place freed by a
withdrawal is offered down the waitlist (:class:`WaitlistOffer`).
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import str_enum
from infra.state_machine import StateMachine
from markets.days.errors import MarketErrorCode


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # 접수
    ACCEPTED = "accepted"  # 선정
    WAITLISTED = "waitlisted"  # 대기
    REJECTED = "rejected"  # 미선정
    WITHDRAWN = "withdrawn"  # 철회

    @property
    def label(self) -> str:
        return {
            "submitted": "접수", "accepted": "선정", "waitlisted": "대기",
            "rejected": "미선정", "withdrawn": "철회",
        }[self.value]


APPLICATION_TRANSITIONS: StateMachine[ApplicationStatus] = StateMachine(
    {
        ApplicationStatus.SUBMITTED: {
            ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED,
            ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN,
        },
        ApplicationStatus.WAITLISTED: {
            ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN,
        },
        ApplicationStatus.ACCEPTED: {ApplicationStatus.WITHDRAWN},
    },
    label=lambda s: s.label,
    code=MarketErrorCode.APPLICATION_INVALID_TRANSITION,
)


class Application(BigIntAuditBase):
    __tablename__ = "market_applications"
    __table_args__ = (UniqueConstraint("market_id", "vendor_id", "season", name="uq_application"),)

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    #: The season year applied for (e.g. 2027).
    season: Mapped[int] = mapped_column(Integer)
    #: True for the whole season; otherwise the chosen market-day ids.
    whole_season: Mapped[bool] = mapped_column(Boolean, default=True)
    market_day_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: Category codes (shop.catalog.taxonomy.Category values) the vendor will sell.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_power: Mapped[bool] = mapped_column(Boolean, default=False)
    tables_needed: Mapped[int] = mapped_column(Integer, default=1)
    needs_tent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Smallest booth that fits (a BoothSize value).
    min_booth_size: Mapped[str] = mapped_column(String(20), default="small")
    preferred_zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Wished booths, best first (the first is worth more than the second).
    preferred_booth_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: 희망 부스만: place the vendor in one of its wished booths or nowhere ("anywhere"
    #: when False).
    only_wishes: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Booth properties the vendor cannot do without (e.g. "cooking" for a fire permit).
    needs_properties: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Several booths side by side in one row (a food truck, a large stall): at least
    #: ``booths_min``, up to ``booths_max`` when booths are left over.
    booths_min: Mapped[int] = mapped_column(Integer, default=1)
    booths_max: Mapped[int] = mapped_column(Integer, default=1)
    #: 프리미엄·코너 부스 희망: the vendor asks for a premium or corner booth. Only vendors
    #: who ask take part in (and are kept fair by) the premium/corner rotation.
    wants_premium_booth: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"), default=ApplicationStatus.SUBMITTED,
        index=True,
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    #: Priority tier set by the organizer (higher first), e.g. seniority or enterprise type.
    priority_tier: Mapped[int] = mapped_column(Integer, default=0)
    #: No-show strikes; each lowers the effective priority.
    strikes: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    def covers(self, market_day_id: int, day_season: int) -> bool:
        """Whether this application books the given market day (of the given year)."""
        if self.whole_season:
            return day_season == self.season
        return market_day_id in self.market_day_ids


class ApplicationStatusChange(BigIntAuditBase):
    """The audit trail of an application: who moved it, from what, to what, and why."""

    __tablename__ = "market_application_status_changes"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("market_applications.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ApplicationStatus | None] = mapped_column(
        str_enum(ApplicationStatus, "application_status"), nullable=True
    )
    to_status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status")
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")


class ApplicationDocument(BigIntAuditBase):
    """A file attached to an application (a menu, a permit); stored privately like vendor
    documents and served to the vendor's members and organizers only."""

    __tablename__ = "market_application_documents"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("market_applications.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(500))


class MarketCriterion(BigIntAuditBase):
    """A published review criterion of a market (e.g. 사회적 가치, 상품 완성도), weighted."""

    __tablename__ = "market_criteria"
    __table_args__ = (UniqueConstraint("market_id", "name", name="uq_market_criterion"),)

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Relative weight (1-100); a total is the weighted mean of the criteria's mean scores.
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class JuryScore(BigIntAuditBase):
    """One juror's score (0-10) of one application on one criterion; re-scoring replaces it."""

    __tablename__ = "market_jury_scores"
    __table_args__ = (
        UniqueConstraint("application_id", "juror_user_id", "criterion_id", name="uq_jury_score"),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("market_applications.id", ondelete="CASCADE"), index=True
    )
    juror_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("market_criteria.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class OfferStatus(enum.StrEnum):
    OPEN = "open"  # 응답 대기
    ACCEPTED = "accepted"  # 수락
    DECLINED = "declined"  # 거절
    EXPIRED = "expired"  # 기한 만료
    VOID = "void"  # 무효 (신청 철회·결정 등)

    @property
    def label(self) -> str:
        return {
            "open": "응답 대기", "accepted": "수락", "declined": "거절",
            "expired": "기한 만료", "void": "무효",
        }[self.value]


class WaitlistOffer(BigIntAuditBase):
    """A freed place offered to a waitlisted application, until it is answered or expires.

    An open offer holds the place: nobody else can be accepted into it meanwhile. At most one
    open offer per application (a partial unique index on both databases).
    """

    __tablename__ = "market_waitlist_offers"
    __table_args__ = (
        Index(
            "uq_waitlist_offer_open",
            "application_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("market_applications.id", ondelete="CASCADE"), index=True
    )
    #: The accepted application whose withdrawal freed the place (the chain of offers).
    freed_by_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_applications.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: Set when the freed place is one market day only (its vendor was a no-show that day);
    #: ``None`` when a whole booking was freed (a withdrawal).
    freed_market_day_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_days.id", ondelete="SET NULL"), nullable=True, default=None
    )
    #: The booth the no-show left empty that day; the vendor who takes the place gets it.
    freed_booth_id: Mapped[int | None] = mapped_column(
        ForeignKey("booths.id", ondelete="SET NULL"), nullable=True, default=None
    )
    status: Mapped[OfferStatus] = mapped_column(
        str_enum(OfferStatus, "waitlist_offer_status"), default=OfferStatus.OPEN
    )
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    answered_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    answered_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

"""Market days (장날) and what happens on each: notices, check-in, booth fees, booth sales.

A market day is one opening of a market, generated from its recurrence rule. Everything a
vendor does *on* a day hangs off it with a (day, vendor) key that is unique, so a retried
request or a redelivered event can never create a second check-in, fee or sales report.
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import str_enum
from infra.state_machine import StateMachine
from markets.days.errors import MarketErrorCode


class MarketDayStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # 예정
    CANCELLED = "cancelled"  # 취소 (우천 등)
    HELD = "held"  # 열림 (지난 장날)

    @property
    def label(self) -> str:
        return {"scheduled": "예정", "cancelled": "취소", "held": "열림"}[self.value]


#: A scheduled day is either cancelled (by an organizer, with a reason) or, once it has
#: closed, held. Neither can be undone: vendors were told, fees were waived or refunded.
MARKET_DAY_TRANSITIONS: StateMachine[MarketDayStatus] = StateMachine(
    {MarketDayStatus.SCHEDULED: {MarketDayStatus.CANCELLED, MarketDayStatus.HELD}},
    label=lambda s: s.label,
    code=MarketErrorCode.DAY_INVALID_TRANSITION,
)


class MarketDay(BigIntAuditBase):
    __tablename__ = "market_days"
    __table_args__ = (UniqueConstraint("market_id", "day", name="uq_market_day"),)

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    #: The local (Asia/Seoul) calendar date of the opening.
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    opens_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: When vendors may start setting up (and pick up equipment), before opening.
    setup_from: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    status: Mapped[MarketDayStatus] = mapped_column(
        str_enum(MarketDayStatus, "market_day_status"), default=MarketDayStatus.SCHEDULED
    )
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    #: Booth fee for this day in won (0 = free).
    booth_fee: Mapped[int] = mapped_column(Integer, default=0)


class NoticeKind(enum.StrEnum):
    DAY_CANCELLED = "day_cancelled"  # 장날 취소
    BOOTH_ASSIGNED = "booth_assigned"  # 부스 배정 (게시된 배정)
    BOOTH_NOT_ASSIGNED = "booth_not_assigned"  # 부스 미배정 (사유와 함께)

    @property
    def label(self) -> str:
        return {
            "day_cancelled": "장날 취소", "booth_assigned": "부스 배정",
            "booth_not_assigned": "부스 미배정",
        }[self.value]


class MarketDayNotice(BigIntAuditBase):
    """What a vendor was told about a market day; shown on the vendor's market pages.

    Written by a worker from an event, once per (vendor, event): the event's id is kept, so a
    redelivered event finds the row already there, while a later event of the same kind (an
    assignment published again after a change) is told anew. A day is cancelled only once,
    so there is at most one cancellation notice per (vendor, day) as well.
    """

    __tablename__ = "market_day_notices"
    __table_args__ = (
        UniqueConstraint("vendor_id", "event_id", name="uq_market_day_notice_event"),
        Index(
            "uq_market_day_notice_cancelled",
            "vendor_id",
            "market_day_id",
            unique=True,
            postgresql_where=text("kind = 'day_cancelled'"),
            sqlite_where=text("kind = 'day_cancelled'"),
        ),
    )

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "market_day_notice_kind"))
    message: Mapped[str] = mapped_column(Text)
    #: The outbox event the notice was written from (``None`` for notices written before
    #: events were kept).
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, default=None)


class CheckInStatus(enum.StrEnum):
    PRESENT = "present"  # 출석
    LATE = "late"  # 지각
    ABSENT = "absent"  # 결석 (미리 알림)
    NO_SHOW = "no_show"  # 무단 불참

    @property
    def label(self) -> str:
        return {
            "present": "출석", "late": "지각", "absent": "결석(사전 연락)",
            "no_show": "무단 불참",
        }[self.value]


class CheckIn(BigIntAuditBase):
    """One vendor's attendance on one market day, and who recorded it.

    Only ``no_show`` costs a strike on the vendor's application; correcting a no-show to
    another status takes the strike back.
    """

    __tablename__ = "market_check_ins"
    __table_args__ = (UniqueConstraint("market_day_id", "vendor_id", name="uq_check_in"),)

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("market_applications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[CheckInStatus] = mapped_column(str_enum(CheckInStatus, "check_in_status"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class BoothFeeStatus(enum.StrEnum):
    DUE = "due"  # 납부 예정
    PAID = "paid"  # 납부 완료
    WAIVED = "waived"  # 면제
    REFUND_DUE = "refund_due"  # 환불 예정
    REFUNDED = "refunded"  # 환불 완료

    @property
    def label(self) -> str:
        return {
            "due": "납부 예정", "paid": "납부 완료", "waived": "면제",
            "refund_due": "환불 예정", "refunded": "환불 완료",
        }[self.value]


#: "paid" comes from a card payment (``markets.days.payments``) or an organizer (현장·계좌
#: 납부). A cancelled day turns paid fees into refunds owed and due fees into waivers; a
#: worker refunds card-paid ones through Stripe and marks them refunded.
BOOTH_FEE_TRANSITIONS: StateMachine[BoothFeeStatus] = StateMachine(
    {
        BoothFeeStatus.DUE: {BoothFeeStatus.PAID, BoothFeeStatus.WAIVED},
        BoothFeeStatus.PAID: {BoothFeeStatus.REFUND_DUE},
        BoothFeeStatus.REFUND_DUE: {BoothFeeStatus.REFUNDED},
    },
    label=lambda s: s.label,
    code=MarketErrorCode.FEE_INVALID_TRANSITION,
)


class BoothFee(BigIntAuditBase):
    """The fee one accepted vendor owes for one market day (amount fixed when assessed)."""

    __tablename__ = "market_booth_fees"
    __table_args__ = (UniqueConstraint("market_day_id", "vendor_id", name="uq_booth_fee"),)

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("market_applications.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int] = mapped_column(Integer)
    status: Mapped[BoothFeeStatus] = mapped_column(
        str_enum(BoothFeeStatus, "booth_fee_status"), default=BoothFeeStatus.DUE
    )


class BoothFeeChange(BigIntAuditBase):
    """Audit trail of every fee status change: who, from what, to what, and why."""

    __tablename__ = "market_booth_fee_changes"

    fee_id: Mapped[int] = mapped_column(
        ForeignKey("market_booth_fees.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[BoothFeeStatus | None] = mapped_column(
        str_enum(BoothFeeStatus, "booth_fee_status"), nullable=True
    )
    to_status: Mapped[BoothFeeStatus] = mapped_column(str_enum(BoothFeeStatus, "booth_fee_status"))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")


class BoothSalesReport(BigIntAuditBase):
    """What a vendor sold at its booth on one market day (one report, editable 7 days)."""

    __tablename__ = "market_booth_sales"
    __table_args__ = (UniqueConstraint("market_day_id", "vendor_id", name="uq_booth_sales"),)

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    #: Takings in won.
    amount: Mapped[int] = mapped_column(Integer)
    #: Number of sales (receipts), not items.
    sales_count: Mapped[int] = mapped_column(Integer)
    best_sellers: Mapped[list[str]] = mapped_column(JSON, default=list)
    reported_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: 1 for the first report, +1 for each edit.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(String(500), default="")


class VendorCalendarFeed(BigIntAuditBase):
    """The secret address of a vendor's booth calendar (issue 14, decision 49).

    A vendor's calendar says where and when its people stand with cash boxes, so it is not
    reachable by guessing a vendor id: calendar apps subscribe to ``/calendars/{token}/booths.ics``,
    and any member can reset the token, which cuts off every old subscription.
    """

    __tablename__ = "market_vendor_calendar_feeds"

    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)

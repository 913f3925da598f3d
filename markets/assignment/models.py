"""Booth assignments: who sells in which booth on a market day, as a draft or published.

One :class:`AssignmentBoard` per market day carries the state machine (draft → published →
reopened as draft); :class:`Assignment` rows are the placements, :class:`UnplacedVendor`
rows the vendors left out with their reason, and :class:`AssignmentAuditLog` says who did
what and why (runs, manual moves, publishing).

No booth ever holds two vendors on a day and no vendor holds two booths: both are unique
constraints, so even two organizers moving vendors at the same instant cannot break them
(the services also lock the board row; the constraints are the last word).
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import str_enum
from infra.state_machine import StateMachine
from markets.assignment.errors import AssignmentErrorCode


class BoardStatus(enum.StrEnum):
    DRAFT = "draft"  # 초안
    PUBLISHED = "published"  # 게시됨

    @property
    def label(self) -> str:
        return {"draft": "초안", "published": "게시됨"}[self.value]


#: Publishing needs a draft; changing a published assignment means reopening it (with a
#: reason) so vendors are told again when it is published anew.
BOARD_TRANSITIONS: StateMachine[BoardStatus] = StateMachine(
    {
        BoardStatus.DRAFT: {BoardStatus.PUBLISHED},
        BoardStatus.PUBLISHED: {BoardStatus.DRAFT},
    },
    label=lambda s: s.label,
    code=AssignmentErrorCode.INVALID_TRANSITION,
)


class PlacementSource(enum.StrEnum):
    SOLVER = "solver"  # 자동 배정
    MANUAL = "manual"  # 운영자 조정

    @property
    def label(self) -> str:
        return {"solver": "자동", "manual": "수동"}[self.value]


class AuditAction(enum.StrEnum):
    RUN = "run"  # 자동 배정 실행
    MOVE = "move"  # 다른 부스로 옮김 (배정 안 된 업체를 넣는 것 포함)
    SWAP = "swap"  # 두 업체 자리 바꿈
    UNASSIGN = "unassign"  # 배정 취소
    PUBLISH = "publish"  # 게시
    REOPEN = "reopen"  # 다시 열기

    @property
    def label(self) -> str:
        return {
            "run": "자동 배정", "move": "옮김", "swap": "자리 바꿈", "unassign": "배정 취소",
            "publish": "게시", "reopen": "다시 열기",
        }[self.value]


class AssignmentBoard(BigIntAuditBase):
    __tablename__ = "assignment_boards"

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), unique=True
    )
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    status: Mapped[BoardStatus] = mapped_column(
        str_enum(BoardStatus, "assignment_board_status"), default=BoardStatus.DRAFT
    )
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_run_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    published_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: The optimiser's figures for the last run (manual moves change the draft after it).
    objective: Mapped[int] = mapped_column(Integer, default=0)
    same_category_pairs: Mapped[int] = mapped_column(Integer, default=0)
    solver_seconds: Mapped[float] = mapped_column(Float, default=0.0)


class Assignment(BigIntAuditBase):
    __tablename__ = "booth_assignments"
    __table_args__ = (
        UniqueConstraint("market_day_id", "booth_id", name="uq_assignment_booth"),
        UniqueConstraint("market_day_id", "vendor_id", name="uq_assignment_vendor"),
    )

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="RESTRICT"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_applications.id", ondelete="SET NULL"), nullable=True
    )
    #: Mirrors the board's status, so readers (public map, calendar feeds) filter one table.
    status: Mapped[BoardStatus] = mapped_column(
        str_enum(BoardStatus, "assignment_board_status"), default=BoardStatus.DRAFT
    )
    source: Mapped[PlacementSource] = mapped_column(
        str_enum(PlacementSource, "assignment_source"), default=PlacementSource.SOLVER
    )


class AssignmentBlockBooth(BigIntAuditBase):
    """Another booth of a vendor that holds several side by side (its block): the
    vendor's :class:`Assignment` row names one booth of the block, these rows the others.
    A booth is in at most one block per day (unique); the services lock the board row and
    refuse to place anybody on a booth held here, and moving or unassigning the vendor
    drops these rows with its assignment (cascade)."""

    __tablename__ = "assignment_block_booths"
    __table_args__ = (
        UniqueConstraint("market_day_id", "booth_id", name="uq_assignment_block_booth"),
    )

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("booth_assignments.id", ondelete="CASCADE"), index=True
    )
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="RESTRICT"))


class UnplacedVendor(BigIntAuditBase):
    """A vendor booked on the day but without a booth, and why (a reason code)."""

    __tablename__ = "assignment_unplaced"
    __table_args__ = (
        UniqueConstraint("market_day_id", "vendor_id", name="uq_assignment_unplaced"),
    )

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_applications.id", ondelete="SET NULL"), nullable=True
    )
    #: A ``markets.assignment.problem.UnplacedReason`` value.
    reason: Mapped[str] = mapped_column(String(40))
    #: The organizer's words when the reason is a manual unassignment.
    detail: Mapped[str] = mapped_column(Text, default="")


class AssignmentAuditLog(BigIntAuditBase):
    """Who changed a day's assignment, how, and why (every manual move needs a reason)."""

    __tablename__ = "assignment_audit_log"

    market_day_id: Mapped[int] = mapped_column(
        ForeignKey("market_days.id", ondelete="CASCADE"), index=True
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, "assignment_audit_action"))
    vendor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    other_vendor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    from_booth_code: Mapped[str] = mapped_column(String(20), default="")
    to_booth_code: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Figures of a run (placed, unplaced, objective...), for the record.
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class AssignmentPolicy(BigIntAuditBase):
    """A market's standing assignment settings: how many vendors per category per day."""

    __tablename__ = "assignment_policies"

    market_id: Mapped[int] = mapped_column(
        ForeignKey("markets.id", ondelete="CASCADE"), unique=True
    )
    #: Category code -> most vendors selling it on one day (a vendor counts for each).
    category_caps: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    #: Booth properties kept for vendors who need them, even against tiers ("cooking").
    reserved_properties: Mapped[list[str]] = mapped_column(JSON, default=list)


class MarketVendorRecord(BigIntAuditBase):
    """A vendor's record at one market: how many years it has sold there (연차).

    Seniority breaks ties between vendors of the same priority tier when they want the
    same booth, and decides between regulars asking for the same booth.
    """

    __tablename__ = "market_vendor_records"
    __table_args__ = (
        UniqueConstraint("market_id", "vendor_id", name="uq_market_vendor_record"),
    )

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    years_at_market: Mapped[int] = mapped_column(Integer, default=0)


class RegularBooth(BigIntAuditBase):
    """고정 부스: a booth an organizer grants a regular for a season.

    The regular gets it whenever it attends and nobody else takes it then; absent, the
    booth is free that day (``markets.assignment.claims``). One regular per booth and
    season; a big stall may be granted several booths (one row each, decision 80).
    """

    __tablename__ = "regular_booths"
    __table_args__ = (
        UniqueConstraint("market_id", "season", "booth_id", name="uq_regular_booth"),
        Index("ix_regular_booths_vendor", "market_id", "season", "vendor_id"),
    )

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    season: Mapped[int] = mapped_column(Integer)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"))
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"))
    granted_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")

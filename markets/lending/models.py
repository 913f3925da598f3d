"""Equipment lending (장비 대여): what a lending desk owns, and who holds which unit when.

Every physical thing (one tent, one table) is an :class:`EquipmentUnit` with its own id, so
"no double booking" is a statement about rows: a unit is held by at most one active
:class:`UnitReservation` at any instant. A loan holds specific units over its period; a
unit in maintenance holds itself (an open-ended reservation pointing at the maintenance
record). On PostgreSQL an ``EXCLUDE USING gist`` constraint enforces it and on SQLite a
trigger does (both in ``infra/migrations/versions/0002_lending_exclusion.py``); the services
additionally serialise a market's bookings on its :class:`LendingDesk` row so that a
refused booking is a clear 409 rather than a constraint error (decisions.md).

A loan moves through :data:`LOAN_TRANSITIONS`; each move leaves a :class:`LoanStatusChange`
(who, from, to, why).
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from markets.lending.errors import LendingErrorCode

#: Name of the table whose rows must never overlap per unit (the migration refers to it).
RESERVATIONS_TABLE = "lending_unit_reservations"


class LoanStatus(enum.StrEnum):
    REQUESTED = "requested"  # 신청 (단위 확보, 운영자 확인 대기)
    RESERVED = "reserved"  # 예약 확정
    CHECKED_OUT = "checked_out"  # 대여 중
    RETURNED = "returned"  # 반납
    CANCELLED = "cancelled"  # 취소
    OVERDUE = "overdue"  # 반납 지연

    @property
    def label(self) -> str:
        return LOAN_STATUS_LABELS[self]


LOAN_STATUS_LABELS = {
    LoanStatus.REQUESTED: "신청 (확인 대기)",
    LoanStatus.RESERVED: "예약 확정",
    LoanStatus.CHECKED_OUT: "대여 중",
    LoanStatus.RETURNED: "반납 완료",
    LoanStatus.CANCELLED: "취소",
    LoanStatus.OVERDUE: "반납 지연",
}

#: Loans that hold their units (and count against a pickup slot).
HOLDING_STATUSES = frozenset(
    {LoanStatus.REQUESTED, LoanStatus.RESERVED, LoanStatus.CHECKED_OUT, LoanStatus.OVERDUE}
)

LOAN_TRANSITIONS: StateMachine[LoanStatus] = StateMachine(
    {
        # A date-range loan waits for the desk's confirmation; a market-day loan is
        # confirmed by the system in the booking transaction. Units are held from the start.
        LoanStatus.REQUESTED: {LoanStatus.RESERVED, LoanStatus.CANCELLED},
        LoanStatus.RESERVED: {LoanStatus.CHECKED_OUT, LoanStatus.CANCELLED},
        LoanStatus.CHECKED_OUT: {LoanStatus.RETURNED, LoanStatus.OVERDUE},
        LoanStatus.OVERDUE: {LoanStatus.RETURNED},
    },
    label=lambda s: s.label,
    code=LendingErrorCode.INVALID_TRANSITION,
)


class Condition(enum.StrEnum):
    GOOD = "good"  # 양호
    DAMAGED = "damaged"  # 파손
    MISSING = "missing"  # 분실

    @property
    def label(self) -> str:
        return {"good": "양호", "damaged": "파손", "missing": "분실"}[self.value]


class InspectionStage(enum.StrEnum):
    CHECK_OUT = "check_out"  # 대여 시
    CHECK_IN = "check_in"  # 반납 시
    DESK = "desk"  # 창고 점검

    @property
    def label(self) -> str:
        return {"check_out": "대여 시", "check_in": "반납 시", "desk": "창고 점검"}[self.value]


class MaintenanceKind(enum.StrEnum):
    DAMAGED = "damaged"  # 수리 필요
    MISSING = "missing"  # 분실 (찾는 중)

    @property
    def label(self) -> str:
        return {"damaged": "수리 필요", "missing": "분실"}[self.value]


class MaintenanceResolution(enum.StrEnum):
    REPAIRED = "repaired"  # 수리 완료
    FOUND = "found"  # 찾음
    WRITTEN_OFF = "written_off"  # 폐기

    @property
    def label(self) -> str:
        return {"repaired": "수리 완료", "found": "찾음", "written_off": "폐기"}[self.value]


class StrikeReason(enum.StrEnum):
    LATE_RETURN = "late_return"  # 반납 지연
    MISSING_EQUIPMENT = "missing_equipment"  # 장비 분실
    DAMAGED_EQUIPMENT = "damaged_equipment"  # 장비 파손 (운영자 판단으로만)

    @property
    def label(self) -> str:
        return {
            "late_return": "반납 지연",
            "missing_equipment": "장비 분실",
            "damaged_equipment": "장비 파손",
        }[self.value]


class LendingDesk(BigIntAuditBase):
    """A market's lending desk: its pickup slots and return rules, and its booking lock.

    ``lock_version`` is bumped by every booking, check-out, check-in and maintenance change
    of the market's equipment: the UPDATE takes a row lock on PostgreSQL and the database
    write lock on SQLite, so those changes run one at a time per market.
    """

    __tablename__ = "lending_desks"

    market_id: Mapped[int] = mapped_column(
        ForeignKey("markets.id", ondelete="CASCADE"), unique=True
    )
    place: Mapped[str] = mapped_column(String(200), default="")
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    slot_capacity: Mapped[int] = mapped_column(Integer, default=6)
    #: Desk hours (Asia/Seoul) for date-range loans: pickup from ``opens``, return by ``closes``.
    opens: Mapped[dt.time] = mapped_column(Time, default=dt.time(9, 0))
    closes: Mapped[dt.time] = mapped_column(Time, default=dt.time(18, 0))
    #: A loan becomes overdue this long after its period ends without a return.
    return_grace_minutes: Mapped[int] = mapped_column(Integer, default=60)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)


class EquipmentItem(BigIntAuditBase):
    """A kind of equipment a market lends (천막 3×3, 테이블, 의자, 천막 추)."""

    __tablename__ = "lending_items"
    __table_args__ = (UniqueConstraint("market_id", "name", name="uq_lending_item_name"),)

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")

    units: Mapped[list[EquipmentUnit]] = relationship(
        back_populates="item", lazy="selectin", order_by="EquipmentUnit.code"
    )


class EquipmentUnit(BigIntAuditBase):
    """One physical piece, labelled with its code (e.g. ``천막-03``) at the desk."""

    __tablename__ = "lending_units"
    __table_args__ = (UniqueConstraint("item_id", "code", name="uq_lending_unit_code"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("lending_items.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    #: Set when a unit is written off (폐기); it then never counts as stock again.
    retired_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )

    item: Mapped[EquipmentItem] = relationship(back_populates="units", lazy="joined")


class EquipmentKit(BigIntAuditBase):
    """A set reserved as a whole, e.g. '부스 기본 세트' = 천막 1 + 추 4 + 테이블 1 + 의자 2."""

    __tablename__ = "lending_kits"
    __table_args__ = (UniqueConstraint("market_id", "name", name="uq_lending_kit_name"),)

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    components: Mapped[list[KitComponent]] = relationship(
        back_populates="kit", lazy="selectin", cascade="all, delete-orphan"
    )


class KitComponent(BigIntAuditBase):
    __tablename__ = "lending_kit_components"
    __table_args__ = (
        UniqueConstraint("kit_id", "item_id", name="uq_lending_kit_component"),
        CheckConstraint("quantity > 0", name="kit_component_quantity_positive"),
    )

    kit_id: Mapped[int] = mapped_column(
        ForeignKey("lending_kits.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("lending_items.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)

    kit: Mapped[EquipmentKit] = relationship(back_populates="components")
    item: Mapped[EquipmentItem] = relationship(lazy="joined")


class PickupSlot(BigIntAuditBase):
    """A pickup time at a desk with a capacity; made when first booked (capacity copied
    from the desk then, so changing the desk later does not overbook a booked slot)."""

    __tablename__ = "lending_pickup_slots"
    __table_args__ = (UniqueConstraint("market_id", "starts_at", name="uq_lending_pickup_slot"),)

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer)


class Loan(BigIntAuditBase):
    """One vendor borrowing a kit (or items) for one market day or a date range, free."""

    __tablename__ = "lending_loans"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="loan_period_positive"),
        Index("ix_lending_loans_status_ends", "status", "ends_at"),
    )

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    market_day_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_days.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kit_id: Mapped[int | None] = mapped_column(
        ForeignKey("lending_kits.id", ondelete="SET NULL"), nullable=True
    )
    kit_quantity: Mapped[int] = mapped_column(Integer, default=0)
    #: The booth application this loan was booked with (markets.applications), if any.
    application_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    pickup_slot_id: Mapped[int] = mapped_column(
        ForeignKey("lending_pickup_slots.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[LoanStatus] = mapped_column(
        str_enum(LoanStatus, "loan_status"), default=LoanStatus.REQUESTED, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    checked_out_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    returned_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )

    lines: Mapped[list[LoanLine]] = relationship(
        back_populates="loan", lazy="selectin", cascade="all, delete-orphan"
    )
    pickup_slot: Mapped[PickupSlot] = relationship(lazy="joined")


class LoanLine(BigIntAuditBase):
    """How many units of one item a loan asked for (a kit is expanded into its lines)."""

    __tablename__ = "lending_loan_lines"
    __table_args__ = (
        UniqueConstraint("loan_id", "item_id", name="uq_lending_loan_line"),
        CheckConstraint("quantity > 0", name="loan_line_quantity_positive"),
    )

    loan_id: Mapped[int] = mapped_column(
        ForeignKey("lending_loans.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("lending_items.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)

    loan: Mapped[Loan] = relationship(back_populates="lines")
    item: Mapped[EquipmentItem] = relationship(lazy="joined")


class UnitReservation(BigIntAuditBase):
    """A unit held over ``[starts_at, ends_at)`` by a loan or by maintenance.

    ``ends_at`` is NULL while the end is unknown: a unit in maintenance until repaired, or
    an overdue loan's unit until it comes back. Inactive rows (cancelled, released) are
    history and take part in no overlap check.
    """

    __tablename__ = RESERVATIONS_TABLE
    __table_args__ = (
        CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at", name="unit_reservation_period_positive"
        ),
        CheckConstraint(
            "(loan_id IS NULL) <> (maintenance_id IS NULL)",
            name="unit_reservation_one_holder",
        ),
        Index("ix_lending_unit_reservations_unit_active", "unit_id", "active"),
    )

    unit_id: Mapped[int] = mapped_column(ForeignKey("lending_units.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    loan_id: Mapped[int | None] = mapped_column(
        ForeignKey("lending_loans.id", ondelete="CASCADE"), nullable=True, index=True
    )
    maintenance_id: Mapped[int | None] = mapped_column(
        ForeignKey("lending_maintenance.id", ondelete="CASCADE"), nullable=True, index=True
    )

    unit: Mapped[EquipmentUnit] = relationship(lazy="joined")


class LoanStatusChange(BigIntAuditBase):
    """The audit trail of a loan: who moved it, from what, to what, and why."""

    __tablename__ = "lending_loan_status_changes"

    loan_id: Mapped[int] = mapped_column(
        ForeignKey("lending_loans.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[LoanStatus | None] = mapped_column(
        str_enum(LoanStatus, "loan_status"), nullable=True
    )
    to_status: Mapped[LoanStatus] = mapped_column(str_enum(LoanStatus, "loan_status"))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")


class ConditionReport(BigIntAuditBase):
    """The condition of one unit as the desk saw it at check-out, check-in or inspection."""

    __tablename__ = "lending_condition_reports"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("lending_units.id", ondelete="CASCADE"), index=True
    )
    loan_id: Mapped[int | None] = mapped_column(
        ForeignKey("lending_loans.id", ondelete="CASCADE"), nullable=True, index=True
    )
    stage: Mapped[InspectionStage] = mapped_column(str_enum(InspectionStage, "inspection_stage"))
    condition: Mapped[Condition] = mapped_column(str_enum(Condition, "equipment_condition"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    unit: Mapped[EquipmentUnit] = relationship(lazy="joined")


class MaintenanceRecord(BigIntAuditBase):
    """A unit out of stock (damaged or missing) until resolved; its open reservation blocks
    every booking of the unit."""

    __tablename__ = "lending_maintenance"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("lending_units.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MaintenanceKind] = mapped_column(str_enum(MaintenanceKind, "maintenance_kind"))
    note: Mapped[str] = mapped_column(Text, default="")
    loan_id: Mapped[int | None] = mapped_column(
        ForeignKey("lending_loans.id", ondelete="SET NULL"), nullable=True
    )
    reported_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    resolved_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    resolution: Mapped[MaintenanceResolution | None] = mapped_column(
        str_enum(MaintenanceResolution, "maintenance_resolution"), nullable=True
    )
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    unit: Mapped[EquipmentUnit] = relationship(lazy="joined")


class LendingStrike(BigIntAuditBase):
    """A mark against a vendor for a late or missing return; one per (loan, reason), so the
    sweeper can run as often as it likes. Booth applications may weigh these."""

    __tablename__ = "lending_strikes"
    __table_args__ = (UniqueConstraint("loan_id", "reason", name="uq_lending_strike"),)

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("lending_loans.id", ondelete="CASCADE"))
    reason: Mapped[StrikeReason] = mapped_column(str_enum(StrikeReason, "lending_strike_reason"))
    note: Mapped[str] = mapped_column(Text, default="")
    given_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

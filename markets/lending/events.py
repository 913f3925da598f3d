"""What happens at a lending desk, in the outbox's vocabulary.

Loan events carry the vendor and market so a notifier can tell the right people without a
second look-up; unit events name the unit and its item, so a stock view can be kept.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanEvent(DomainEvent):
    aggregate: ClassVar[str] = "loan"
    id: int  # the loan
    vendor_id: int
    market_id: int
    actor_user_id: int | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanRequested(LoanEvent):
    name: ClassVar[str] = "loan.requested"
    market_day_id: int | None
    starts_at: str
    ends_at: str
    pickup_at: str
    units: int
    application_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanReserved(LoanEvent):
    name: ClassVar[str] = "loan.reserved"


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanCancelled(LoanEvent):
    name: ClassVar[str] = "loan.cancelled"


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanCheckedOut(LoanEvent):
    name: ClassVar[str] = "loan.checked_out"
    units: int
    substituted: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanReturned(LoanEvent):
    name: ClassVar[str] = "loan.returned"
    late: bool
    damaged: int
    missing: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanOverdue(LoanEvent):
    name: ClassVar[str] = "loan.overdue"


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoanShortOfUnits(LoanEvent):
    """A unit the loan held went to maintenance and no other unit was free: the desk and the
    vendor must be told the loan is now short."""

    name: ClassVar[str] = "loan.short_of_units"
    item_id: int
    item_name: str
    missing_units: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitEvent(DomainEvent):
    aggregate: ClassVar[str] = "equipment_unit"
    id: int  # the unit
    item_id: int
    market_id: int
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitSentToMaintenance(UnitEvent):
    name: ClassVar[str] = "equipment_unit.maintenance_opened"
    maintenance_id: int
    kind: str
    loan_id: int | None
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitBackInStock(UnitEvent):
    name: ClassVar[str] = "equipment_unit.maintenance_resolved"
    maintenance_id: int
    resolution: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class EquipmentAdded(DomainEvent):
    name: ClassVar[str] = "equipment.added"
    aggregate: ClassVar[str] = "equipment_item"
    id: int  # the item
    market_id: int
    units: int
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class KitDefined(DomainEvent):
    name: ClassVar[str] = "equipment.kit_defined"
    aggregate: ClassVar[str] = "equipment_kit"
    id: int  # the kit
    market_id: int
    components: dict[str, int]  # item id → quantity
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class LendingStrikeGiven(DomainEvent):
    name: ClassVar[str] = "lending.strike_given"
    aggregate: ClassVar[str] = "vendor"
    id: int  # the strike
    vendor_id: int
    loan_id: int
    reason_code: str

    def aggregate_id(self) -> str:
        return str(self.vendor_id)

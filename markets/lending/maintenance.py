"""Maintenance: a unit found damaged or missing leaves stock until it is repaired, found or
written off.

A unit in maintenance holds an open-ended :class:`UnitReservation` of its own, so the same
no-overlap guarantee that prevents double booking keeps it from being lent. Bookings that
already counted on the unit move to another free unit of the same item, or lose it (the
loan is then short and the vendor is told). The desk (:mod:`~markets.lending.desk`) sends
units here at hand-out and return, the warehouse check does it directly.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import require_organizer
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, InvalidInput, NotFound, Problems
from infra.outbox import record
from markets.lending import rules
from markets.lending.availability import free_units, lock_desk, overlapping
from markets.lending.errors import LendingErrorCode
from markets.lending.events import LoanShortOfUnits, UnitBackInStock, UnitSentToMaintenance
from markets.lending.models import (
    Condition,
    ConditionReport,
    EquipmentUnit,
    InspectionStage,
    Loan,
    LoanStatus,
    MaintenanceKind,
    MaintenanceRecord,
    MaintenanceResolution,
    UnitReservation,
)
from markets.lending.rules import aware
from markets.lending.steps import close_reservation, desk_organizer, flush_reservations

#: What ends each kind of maintenance.
RESOLUTIONS = {
    MaintenanceKind.DAMAGED: {MaintenanceResolution.REPAIRED, MaintenanceResolution.WRITTEN_OFF},
    MaintenanceKind.MISSING: {MaintenanceResolution.FOUND, MaintenanceResolution.WRITTEN_OFF},
}

# ---------------------------------------------------------------- the steps


async def displace(
    session: AsyncSession, unit: EquipmentUnit, from_time: dt.datetime, actor: User | None,
    *, keep_loan_id: int | None = None, strict: bool = True,
) -> bool:
    """Make ``unit`` free from ``from_time`` on: move later bookings to another free unit
    of the same item, or release them (the loan is then short and told so).

    A unit still lent out to someone else over that time cannot be freed: a 409, or False
    when not ``strict`` (the sweeper then leaves that unit's period as it is).
    """
    rows = (await session.execute(
        select(UnitReservation, Loan)
        .join(Loan, Loan.id == UnitReservation.loan_id)
        .where(UnitReservation.unit_id == unit.id, overlapping(from_time, None))
        .order_by(UnitReservation.starts_at)
        .execution_options(populate_existing=True)
    )).all()
    others = [(r, loan) for r, loan in rows if loan.id != keep_loan_id]
    stuck = [loan for _, loan in others
             if loan.status not in (LoanStatus.REQUESTED, LoanStatus.RESERVED)]
    if stuck and not strict:
        return False
    for reservation, loan in others:
        if loan.status not in (LoanStatus.REQUESTED, LoanStatus.RESERVED):
            raise Conflict(
                LendingErrorCode.UNIT_BUSY,
                f"{unit.code}은(는) 아직 다른 대여(#{loan.id})로 나가 있습니다.",
                field="unit_id",
            )
        await _move_or_release(session, unit, reservation, loan, actor)
    return True


async def _move_or_release(
    session: AsyncSession, unit: EquipmentUnit, reservation: UnitReservation, loan: Loan,
    actor: User | None,
) -> None:
    """Move one booking of ``unit`` to a free unit of the same item, or let the loan go short."""
    substitute = await free_units(
        session, unit.item_id, aware(reservation.starts_at),
        aware(reservation.ends_at) if reservation.ends_at else None,
        limit=1, exclude=[unit.id],
    )
    if substitute:
        reservation.unit_id = substitute[0].id
    else:
        reservation.active = False
        record(session, LoanShortOfUnits(
            id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
            actor_user_id=actor.id if actor else None,
            reason=f"{unit.code} 정비로 대체 장비 없음", item_id=unit.item_id,
            item_name=unit.item.name, missing_units=1,
        ))
    await flush_reservations(session)


async def open_maintenance(
    session: AsyncSession, unit: EquipmentUnit, kind: MaintenanceKind, note: str,
    actor: User | None, at: dt.datetime, *, loan: Loan | None,
) -> MaintenanceRecord:
    """Take ``unit`` out of stock from ``at`` until the record is resolved."""
    await displace(session, unit, at, actor)
    maintenance = MaintenanceRecord(
        unit_id=unit.id, kind=kind, note=note, loan_id=loan.id if loan else None,
        reported_by_user_id=actor.id if actor else None,
    )
    session.add(maintenance)
    await session.flush()
    session.add(UnitReservation(unit_id=unit.id, maintenance_id=maintenance.id, starts_at=at,
                                ends_at=None, active=True))
    await flush_reservations(session)
    record(session, UnitSentToMaintenance(
        id=unit.id, item_id=unit.item_id, market_id=unit.item.market_id,
        actor_user_id=actor.id if actor else None, maintenance_id=maintenance.id,
        kind=kind.value, loan_id=loan.id if loan else None, note=note,
    ))
    return maintenance


# ---------------------------------------------------------------- the use cases


def _problem_report(kind: MaintenanceKind | str, note: str) -> tuple[MaintenanceKind, str]:
    """The kind of problem and the cleaned note, or a 400 naming each wrong field."""
    chosen = next((k for k in MaintenanceKind if k.value == str(kind)), None)
    problems = Problems()
    if chosen is None:
        problems.add(LendingErrorCode.INVALID_CONDITION, "kind", "파손 또는 분실을 골라 주세요.")
    why = rules.clean_reason(note)
    if not why:
        problems.add(LendingErrorCode.REASON_REQUIRED, "note", "어떤 상태인지 적어 주세요.")
    problems.raise_if_any()
    assert chosen is not None
    return chosen, why


async def report_unit_problem(
    session: AsyncSession, actor: User | None, unit_id: int, kind: MaintenanceKind | str,
    note: str, *, now: dt.datetime | None = None,
) -> MaintenanceRecord:
    """창고 점검: a unit found damaged or missing at the desk leaves stock until resolved."""
    organizer = require_organizer(actor)
    chosen, why = _problem_report(kind, note)
    async with transaction(session):
        unit = await session.get(EquipmentUnit, unit_id)
        if unit is None or unit.retired_at is not None:
            raise NotFound(LendingErrorCode.UNKNOWN_UNIT, "장비를 찾을 수 없습니다.",
                           field="unit_id")
        await desk_organizer(session, organizer, unit.item.market_id)
        await lock_desk(session, unit.item.market_id)
        moment = now or utcnow()
        open_already = await session.scalar(
            select(func.count(MaintenanceRecord.id)).where(
                MaintenanceRecord.unit_id == unit.id, MaintenanceRecord.resolved_at.is_(None)
            )
        )
        if open_already:
            raise Conflict(LendingErrorCode.UNIT_BUSY, f"{unit.code}은(는) 이미 정비 중입니다.",
                           field="unit_id")
        session.add(ConditionReport(
            unit_id=unit.id, stage=InspectionStage.DESK,
            condition=Condition.MISSING if chosen is MaintenanceKind.MISSING else Condition.DAMAGED,
            note=why, recorded_by_user_id=organizer.id,
        ))
        maintenance = await open_maintenance(session, unit, chosen, why, organizer, moment,
                                             loan=None)
    return maintenance


def _resolution(
    maintenance: MaintenanceRecord, resolution: MaintenanceResolution | str
) -> MaintenanceResolution:
    """The chosen way of ending this kind of maintenance, or a 400 listing the allowed ones."""
    chosen = next((r for r in MaintenanceResolution if r.value == str(resolution)), None)
    if chosen is None or chosen not in RESOLUTIONS[maintenance.kind]:
        allowed = ", ".join(r.label for r in RESOLUTIONS[maintenance.kind])
        raise InvalidInput(LendingErrorCode.INVALID_CONDITION,
                           f"처리 결과는 {allowed} 중에서 골라 주세요.", field="resolution")
    return chosen


async def resolve_maintenance(
    session: AsyncSession, actor: User | None, maintenance_id: int,
    resolution: MaintenanceResolution | str, note: str = "", *, now: dt.datetime | None = None,
) -> MaintenanceRecord:
    """수리 완료 / 찾음 (back in stock from now) or 폐기 (written off for good)."""
    organizer = require_organizer(actor)
    moment = now or utcnow()
    async with transaction(session):
        maintenance = await session.get(MaintenanceRecord, maintenance_id)
        if maintenance is None:
            raise NotFound(LendingErrorCode.MAINTENANCE_NOT_FOUND, "정비 기록을 찾을 수 없습니다.",
                           field="maintenance_id")
        chosen = _resolution(maintenance, resolution)
        unit = await session.get(EquipmentUnit, maintenance.unit_id)
        assert unit is not None
        await desk_organizer(session, organizer, unit.item.market_id)
        await lock_desk(session, unit.item.market_id)
        await session.refresh(maintenance)
        if maintenance.resolved_at is not None:
            raise Conflict(LendingErrorCode.ALREADY_RESOLVED, "이미 처리된 정비 기록입니다.",
                           field="maintenance_id")
        await _end_maintenance(session, maintenance, unit, chosen, note, organizer, moment)
    return maintenance


async def _end_maintenance(
    session: AsyncSession, maintenance: MaintenanceRecord, unit: EquipmentUnit,
    chosen: MaintenanceResolution, note: str, organizer: User, moment: dt.datetime,
) -> None:
    """Close the unit's maintenance hold at ``moment`` and record how it ended."""
    blocking = await session.scalar(
        select(UnitReservation).where(
            UnitReservation.maintenance_id == maintenance.id,
            UnitReservation.active.is_(True),
        )
    )
    if blocking is not None:
        close_reservation(blocking, moment)
    maintenance.resolved_at = moment
    maintenance.resolution = chosen
    maintenance.resolution_note = rules.clean_reason(note)
    maintenance.resolved_by_user_id = organizer.id
    if chosen is MaintenanceResolution.WRITTEN_OFF:
        unit.retired_at = moment
    record(session, UnitBackInStock(
        id=unit.id, item_id=unit.item_id, market_id=unit.item.market_id,
        actor_user_id=organizer.id, maintenance_id=maintenance.id, resolution=chosen.value,
    ))

"""The loan desk: its settings, confirming date-range requests, handing units out and taking
them back.

Every use case here is one transaction under the market's desk lock
(:func:`~markets.lending.availability.lock_desk`): the loan, the audit row of its status
change, a condition report per unit, maintenance records, strikes and the outbox events
commit together or not at all. Input is checked before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Problems
from infra.outbox import record
from markets.lending import rules
from markets.lending.availability import free_units, lock_desk
from markets.lending.errors import LendingErrorCode
from markets.lending.events import LoanCheckedOut, LoanReserved, LoanReturned, LoanShortOfUnits
from markets.lending.maintenance import open_maintenance
from markets.lending.models import (
    LOAN_TRANSITIONS,
    Condition,
    ConditionReport,
    InspectionStage,
    LendingDesk,
    Loan,
    LoanStatus,
    MaintenanceKind,
    StrikeReason,
    UnitReservation,
)
from markets.lending.queries import loan_or_404, market_or_404
from markets.lending.rules import UnitReport, aware
from markets.lending.steps import (
    active_reservations,
    change_status,
    close_reservation,
    desk_organizer,
    flush_reservations,
    give_strike,
    loan_organizer,
    return_grace,
)

# ---------------------------------------------------------------- desk settings


@dataclass(frozen=True)
class DeskSettings:
    place: str | None = None
    slot_minutes: int | None = None
    slot_capacity: int | None = None
    opens: dt.time | None = None
    closes: dt.time | None = None
    return_grace_minutes: int | None = None


def _settings_problems(changes: DeskSettings) -> Problems:
    """What is wrong with the settings on their own (the hours are checked against the desk)."""
    problems = Problems()
    if changes.slot_minutes is not None and changes.slot_minutes not in (10, 15, 20, 30, 60):
        problems.add(LendingErrorCode.INVALID_SETTING, "slot_minutes",
                     "수령 시간대는 10·15·20·30·60분 중에서 골라 주세요.")
    if changes.slot_capacity is not None and not 1 <= changes.slot_capacity <= 200:
        problems.add(LendingErrorCode.INVALID_SETTING, "slot_capacity",
                     "시간대별 수령 인원은 1명에서 200명 사이로 입력해 주세요.")
    if changes.return_grace_minutes is not None and not 0 <= changes.return_grace_minutes <= 1440:
        problems.add(LendingErrorCode.INVALID_SETTING, "return_grace_minutes",
                     "반납 유예 시간은 0분에서 1440분 사이로 입력해 주세요.")
    if changes.place is not None and len(changes.place.strip()) > 200:
        problems.add(LendingErrorCode.TOO_LONG, "place", "200자 이내로 입력해 주세요.")
    return problems


async def configure_desk(
    session: AsyncSession, actor: User | None, market_id: int, changes: DeskSettings
) -> LendingDesk:
    """대여 창구 설정: pickup slot length and capacity, desk hours, return grace."""
    await desk_organizer(session, actor, market_id)
    problems = _settings_problems(changes)
    await market_or_404(session, market_id)
    async with transaction(session):
        desk = await lock_desk(session, market_id)
        opens = changes.opens or desk.opens
        closes = changes.closes or desk.closes
        if closes <= opens:
            problems.add(LendingErrorCode.INVALID_SETTING, "closes",
                         "창구 마감 시각은 여는 시각보다 늦어야 합니다.")
        problems.raise_if_any()
        for name in ("slot_minutes", "slot_capacity", "return_grace_minutes"):
            value = getattr(changes, name)
            if value is not None:
                setattr(desk, name, value)
        if changes.place is not None:
            desk.place = changes.place.strip()
        desk.opens, desk.closes = opens, closes
    return desk


# ---------------------------------------------------------------- confirming a request


async def confirm_loan(
    session: AsyncSession, actor: User | None, loan_id: int, reason: str = ""
) -> Loan:
    """확정: the desk accepts a date-range request (its units are already held)."""
    organizer = await loan_organizer(session, actor, loan_id)
    async with transaction(session):
        loan = await _locked_loan(session, loan_id)
        why = rules.clean_reason(reason) or "대여 창구 확인"
        change_status(session, loan, LoanStatus.RESERVED, organizer, why)
        record(session, LoanReserved(id=loan.id, vendor_id=loan.vendor_id,
                                     market_id=loan.market_id, actor_user_id=organizer.id,
                                     reason=why))
    return loan


async def _locked_loan(session: AsyncSession, loan_id: int) -> Loan:
    """The loan, re-read once its market's desk lock is held."""
    loan = await loan_or_404(session, loan_id)
    await lock_desk(session, loan.market_id)
    return await loan_or_404(session, loan_id)


def _reports_for(
    reservations: Sequence[UnitReservation], reports: Sequence[UnitReport], *,
    allow_missing: bool = True,
) -> dict[int, tuple[Condition, str]]:
    """Each held unit's reported condition and note, or a 400 naming each wrong report."""
    problems = Problems()
    cleaned = rules.clean_reports(
        reports, {r.unit_id for r in reservations}, problems, allow_missing=allow_missing
    )
    problems.raise_if_any()
    return cleaned


# ---------------------------------------------------------------- hand-out


async def check_out(
    session: AsyncSession,
    actor: User | None,
    loan_id: int,
    reports: Sequence[UnitReport] = (),
    *,
    now: dt.datetime | None = None,
) -> Loan:
    """대여 (수령): hand the units over, recording each one's condition.

    A unit found damaged or missing on the shelf goes to maintenance and another free unit
    of the same item is handed over instead, if there is one; otherwise the loan leaves
    short and the vendor is told.
    """
    organizer = await loan_organizer(session, actor, loan_id)
    moment = now or utcnow()
    async with transaction(session):
        loan = await _locked_loan(session, loan_id)
        LOAN_TRANSITIONS.check(loan.status, LoanStatus.CHECKED_OUT)
        reservations = await active_reservations(session, loan.id)
        conditions = _reports_for(reservations, reports)
        substituted = 0
        for reservation in reservations:
            condition, note = conditions.get(reservation.unit_id, (Condition.GOOD, ""))
            session.add(ConditionReport(
                unit_id=reservation.unit_id, loan_id=loan.id, stage=InspectionStage.CHECK_OUT,
                condition=condition, note=note, recorded_by_user_id=organizer.id,
            ))
            if condition is not Condition.GOOD:
                substituted += await _replace_unit(session, loan, reservation, condition, note,
                                                   organizer, moment)
        why = "장비 수령"
        change_status(session, loan, LoanStatus.CHECKED_OUT, organizer, why)
        loan.checked_out_at = moment
        record(session, LoanCheckedOut(
            id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
            actor_user_id=organizer.id, reason=why,
            units=len(await active_reservations(session, loan.id)), substituted=substituted,
        ))
    return loan


async def _replace_unit(
    session: AsyncSession, loan: Loan, reservation: UnitReservation, condition: Condition,
    note: str, organizer: User, moment: dt.datetime,
) -> int:
    """Send a unit found bad at hand-out to maintenance and hand over a free one of the same
    item instead; 1 if substituted, 0 if the loan leaves short (and the vendor is told)."""
    unit = reservation.unit
    reservation.active = False
    await flush_reservations(session)
    kind = MaintenanceKind.MISSING if condition is Condition.MISSING else MaintenanceKind.DAMAGED
    await open_maintenance(session, unit, kind, note, organizer, moment, loan=loan)
    starts = aware(loan.starts_at)
    substitute = await free_units(session, unit.item_id, starts, aware(loan.ends_at), limit=1)
    if not substitute:
        record(session, LoanShortOfUnits(
            id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
            actor_user_id=organizer.id, reason=f"{unit.code} {condition.label}",
            item_id=unit.item_id, item_name=unit.item.name, missing_units=1,
        ))
        return 0
    session.add(UnitReservation(unit_id=substitute[0].id, loan_id=loan.id,
                                starts_at=starts, ends_at=aware(loan.ends_at)))
    session.add(ConditionReport(
        unit_id=substitute[0].id, loan_id=loan.id, stage=InspectionStage.CHECK_OUT,
        condition=Condition.GOOD, note=f"{unit.code} 대신", recorded_by_user_id=organizer.id,
    ))
    await flush_reservations(session)
    return 1


# ---------------------------------------------------------------- return


async def check_in(
    session: AsyncSession,
    actor: User | None,
    loan_id: int,
    reports: Sequence[UnitReport] = (),
    *,
    now: dt.datetime | None = None,
) -> Loan:
    """반납: take the units back, recording each one's condition.

    Damaged units go to maintenance (out of stock until repaired); missing ones too, and the
    vendor gets a strike for them. A return after the period and its grace is a late-return
    strike (unless the overdue sweeper gave it already).
    """
    organizer = await loan_organizer(session, actor, loan_id)
    moment = now or utcnow()
    async with transaction(session):
        loan = await _locked_loan(session, loan_id)
        LOAN_TRANSITIONS.check(loan.status, LoanStatus.RETURNED)
        reservations = await active_reservations(session, loan.id)
        conditions = _reports_for(reservations, reports)
        late = moment > aware(loan.ends_at) + await return_grace(session, loan.market_id)
        for reservation in reservations:
            if reservation.ends_at is None or aware(reservation.ends_at) > moment:
                close_reservation(reservation, moment)
        await flush_reservations(session)
        damaged, missing = await _inspect_returned(session, loan, reservations, conditions,
                                                   organizer, moment)
        await _strikes_for_return(session, loan, missing=missing, late=late, organizer=organizer)
        why = "장비 반납" + (" (지연)" if late else "")
        change_status(session, loan, LoanStatus.RETURNED, organizer, why)
        loan.returned_at = moment
        record(session, LoanReturned(
            id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
            actor_user_id=organizer.id, reason=why, late=late, damaged=damaged, missing=missing,
        ))
    return loan


async def _inspect_returned(
    session: AsyncSession, loan: Loan, reservations: Sequence[UnitReservation],
    conditions: dict[int, tuple[Condition, str]], organizer: User, moment: dt.datetime,
) -> tuple[int, int]:
    """A condition report per returned unit; damaged and missing ones go to maintenance.
    Returns how many were damaged and how many missing."""
    damaged = missing = 0
    for reservation in reservations:
        condition, note = conditions.get(reservation.unit_id, (Condition.GOOD, ""))
        session.add(ConditionReport(
            unit_id=reservation.unit_id, loan_id=loan.id, stage=InspectionStage.CHECK_IN,
            condition=condition, note=note, recorded_by_user_id=organizer.id,
        ))
        if condition is Condition.DAMAGED:
            damaged += 1
            await open_maintenance(session, reservation.unit, MaintenanceKind.DAMAGED, note,
                                   organizer, moment, loan=loan)
        elif condition is Condition.MISSING:
            missing += 1
            await open_maintenance(session, reservation.unit, MaintenanceKind.MISSING, note,
                                   organizer, moment, loan=loan)
    return damaged, missing


async def _strikes_for_return(
    session: AsyncSession, loan: Loan, *, missing: int, late: bool, organizer: User
) -> None:
    if missing:
        await give_strike(session, loan, StrikeReason.MISSING_EQUIPMENT,
                          f"반납되지 않은 장비 {missing}개", organizer)
    if late:
        await give_strike(session, loan, StrikeReason.LATE_RETURN,
                          f"반납 기한 {rules.hhmm(aware(loan.ends_at))} 이후 반납", organizer)

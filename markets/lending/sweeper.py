"""The periodic pass over loans (run by ``workers.periodic.sweep_lending``): loans not back in
time become overdue, loans never picked up lapse, loans of cancelled market days are released.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from infra.db import end_read, transaction
from infra.errors import DomainError
from infra.outbox import record
from markets.days.models import MarketDay, MarketDayStatus
from markets.lending import rules
from markets.lending.availability import lock_desk
from markets.lending.events import LoanOverdue
from markets.lending.maintenance import displace
from markets.lending.models import Loan, LoanStatus, StrikeReason
from markets.lending.queries import loan_or_404
from markets.lending.rules import aware
from markets.lending.steps import (
    active_reservations,
    cancel,
    change_status,
    flush_reservations,
    give_strike,
    return_grace,
)

Outcome = Literal["overdue", "lapsed", "cancelled_with_day"]
_WAITING = (LoanStatus.REQUESTED, LoanStatus.RESERVED)


@dataclass(frozen=True)
class SweepResult:
    overdue: int
    lapsed: int
    cancelled_with_day: int
    failed: int


async def sweep(session: AsyncSession, *, now: dt.datetime | None = None) -> SweepResult:
    """The periodic pass over loans.

    - checked out and not back by the end of the period plus the desk's grace → overdue, a
      late-return strike, and the units stay held until they come back (later bookings of
      those units move to other units, or are told they are short);
    - requested or reserved but never picked up by the end of the period → cancelled
      (units and slot were held for nothing; no strike, the booth check-in covers no-shows);
    - booked on a market day the organizer cancelled → cancelled.

    Each loan is its own transaction under its market's desk lock, and a loan that cannot
    be handled is counted and skipped, not allowed to stop the others. Running twice changes
    nothing more (strikes are one per loan and reason).
    """
    moment = now or utcnow()
    counts = {"overdue": 0, "lapsed": 0, "cancelled_with_day": 0, "failed": 0}
    for loan_id, market_id, what in await _work(session, moment):
        try:
            async with transaction(session):
                handled = await _sweep_one(session, loan_id, market_id, what)
        except DomainError:
            counts["failed"] += 1
            continue
        if handled:
            counts[what] += 1
    return SweepResult(**counts)


async def _work(session: AsyncSession, moment: dt.datetime) -> list[tuple[int, int, Outcome]]:
    """Which loans look due for which outcome (checked again under each desk lock)."""
    late = (await session.execute(
        select(Loan.id, Loan.market_id, Loan.status, Loan.ends_at)
        .where(Loan.status.in_([LoanStatus.CHECKED_OUT, *_WAITING]), Loan.ends_at < moment)
        .order_by(Loan.id)
    )).all()
    day_cancelled = (await session.execute(
        select(Loan.id, Loan.market_id)
        .join(MarketDay, MarketDay.id == Loan.market_day_id)
        .where(MarketDay.status == MarketDayStatus.CANCELLED, Loan.status.in_(_WAITING))
        .order_by(Loan.id)
    )).all()
    await end_read(session)  # each loan then gets its own transaction
    work: list[tuple[int, int, Outcome]] = []
    for loan_id, market_id, status, ends_at in late:
        if status is LoanStatus.CHECKED_OUT:
            if aware(ends_at) + await return_grace(session, market_id) < moment:
                work.append((loan_id, market_id, "overdue"))
        else:
            work.append((loan_id, market_id, "lapsed"))
    work.extend((loan_id, market_id, "cancelled_with_day") for loan_id, market_id in
                day_cancelled if not any(w[0] == loan_id for w in work))
    return work


async def _sweep_one(session: AsyncSession, loan_id: int, market_id: int, what: Outcome) -> bool:
    """Apply ``what`` to the loan if, under the lock, it still applies; True if it did."""
    await lock_desk(session, market_id)
    loan = await loan_or_404(session, loan_id)
    if what == "overdue" and loan.status is LoanStatus.CHECKED_OUT:
        await _mark_overdue(session, loan)
        return True
    if what != "overdue" and loan.status in _WAITING:
        why = ("기간 내 미수령으로 자동 취소" if what == "lapsed"
               else "장날 취소로 대여도 취소")
        await cancel(session, loan, None, why)
        return True
    return False


async def _mark_overdue(session: AsyncSession, loan: Loan) -> None:
    why = f"반납 기한({rules.hhmm(aware(loan.ends_at))})이 지났습니다"
    change_status(session, loan, LoanStatus.OVERDUE, None, why)
    for reservation in await active_reservations(session, loan.id):
        if reservation.ends_at is not None and await displace(
            session, reservation.unit, aware(reservation.ends_at), None,
            keep_loan_id=loan.id, strict=False,
        ):
            reservation.ends_at = None
    await flush_reservations(session)
    await give_strike(session, loan, StrikeReason.LATE_RETURN, why, None)
    record(session, LoanOverdue(id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
                                reason=why))

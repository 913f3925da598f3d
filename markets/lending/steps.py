"""The steps the lending use cases share: who may act at a desk, a loan's status change with
its audit row, reservation housekeeping, cancelling, strikes.

Each use case module (:mod:`~markets.lending.inventory`, :mod:`~markets.lending.booking`,
:mod:`~markets.lending.desk`, :mod:`~markets.lending.maintenance`,
:mod:`~markets.lending.sweeper`) is built from these, so a rule such as "every status change
leaves a :class:`LoanStatusChange` row" or "a strike is given once per loan and reason" is
written once. None of them commits: the use case around them owns the transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import require_organizer
from infra.errors import Conflict, NotFound
from infra.outbox import record
from markets.access import require_market_organizer
from markets.lending.errors import LendingErrorCode
from markets.lending.events import LendingStrikeGiven, LoanCancelled
from markets.lending.models import (
    LOAN_TRANSITIONS,
    LendingDesk,
    LendingStrike,
    Loan,
    LoanStatus,
    LoanStatusChange,
    StrikeReason,
    UnitReservation,
)
from markets.lending.queries import market_or_404
from markets.lending.rules import aware

# ---------------------------------------------------------------- who may act


async def desk_organizer(session: AsyncSession, actor: User | None, market_id: int) -> User:
    """The actor, if it runs the market whose desk this is (``markets.access``)."""
    require_organizer(actor)
    await market_or_404(session, market_id)
    return await require_market_organizer(session, actor, market_id)


async def loan_organizer(session: AsyncSession, actor: User | None, loan_id: int) -> User:
    """The actor, if it runs the market that lent the loan."""
    require_organizer(actor)
    market_id = await session.scalar(select(Loan.market_id).where(Loan.id == loan_id))
    if market_id is None:
        raise NotFound(LendingErrorCode.LOAN_NOT_FOUND, "대여를 찾을 수 없습니다.", field="loan_id")
    return await desk_organizer(session, actor, int(market_id))


# ---------------------------------------------------------------- a loan's status


def change_status(
    session: AsyncSession, loan: Loan, target: LoanStatus, actor: User | None, reason: str
) -> None:
    """Move the loan to ``target`` if its state machine allows, leaving the audit row."""
    LOAN_TRANSITIONS.check(loan.status, target)
    session.add(
        LoanStatusChange(
            loan_id=loan.id, from_status=loan.status, to_status=target,
            actor_user_id=actor.id if actor else None, reason=reason,
        )
    )
    loan.status = target
    loan.status_reason = reason


async def cancel(session: AsyncSession, loan: Loan, actor: User | None, why: str) -> None:
    """Cancel the loan and free its units (and so its pickup slot) at once."""
    change_status(session, loan, LoanStatus.CANCELLED, actor, why)
    for reservation in await active_reservations(session, loan.id):
        reservation.active = False
    record(session, LoanCancelled(id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
                                  actor_user_id=actor.id if actor else None, reason=why))


async def give_strike(
    session: AsyncSession, loan: Loan, reason: StrikeReason, note: str, actor: User | None
) -> LendingStrike | None:
    """A strike against the borrowing vendor, at most one per loan and reason."""
    already = await session.scalar(
        select(LendingStrike).where(LendingStrike.loan_id == loan.id,
                                    LendingStrike.reason == reason)
    )
    if already is not None:
        return None
    strike = LendingStrike(vendor_id=loan.vendor_id, loan_id=loan.id, reason=reason, note=note,
                           given_by_user_id=actor.id if actor else None)
    session.add(strike)
    await session.flush()
    record(session, LendingStrikeGiven(id=strike.id, vendor_id=loan.vendor_id, loan_id=loan.id,
                                       reason_code=reason.value))
    return strike


async def return_grace(session: AsyncSession, market_id: int) -> dt.timedelta:
    """How long after a loan's end the desk still takes it back without a late strike."""
    minutes = await session.scalar(
        select(LendingDesk.return_grace_minutes).where(LendingDesk.market_id == market_id)
    )
    return dt.timedelta(minutes=60 if minutes is None else minutes)


# ---------------------------------------------------------------- unit reservations


async def active_reservations(session: AsyncSession, loan_id: int) -> list[UnitReservation]:
    rows = await session.scalars(
        select(UnitReservation)
        .where(UnitReservation.loan_id == loan_id, UnitReservation.active.is_(True))
        .order_by(UnitReservation.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.unique().all())


def close_reservation(reservation: UnitReservation, at: dt.datetime) -> None:
    """End a reservation at ``at``; one that had not begun yet simply lapses."""
    if at <= aware(reservation.starts_at):
        reservation.active = False
    else:
        reservation.ends_at = at


async def flush_reservations(session: AsyncSession) -> None:
    """Flush, turning a violated no-overlap guarantee into a clear 409.

    With the desk lock held this does not happen; it would mean something wrote unit
    reservations without the lock, and the database refused the double booking.
    """
    try:
        await session.flush()
    except IntegrityError as exc:
        text = str(exc.orig)
        if "lending_no_double_booking" in text or "exclusion" in text.lower():
            raise Conflict(
                LendingErrorCode.UNIT_BUSY,
                "방금 다른 예약이 같은 장비를 가져갔습니다. 다시 시도해 주세요.",
            ) from exc
        raise

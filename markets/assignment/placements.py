"""Booth changes made on the market day itself, outside the organizer's assignment board.

A no-show (check-in) frees the booth its vendor held that day; a waitlisted vendor who takes
the freed place is put into that booth; a no-show corrected to "present" or "late" gets its
booth back if nobody took it. These join the caller's transaction (they never commit) and
keep the board's rules: the day's board row is locked first, a placement mirrors the board's
status (published stays published), every change leaves an audit row with who and why, and
the unique (day, booth) and (day, vendor) constraints still have the last word.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import dialect_name
from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AssignmentBoard,
    AuditAction,
    BoardStatus,
    PlacementSource,
    UnplacedVendor,
)
from markets.assignment.problem import UnplacedReason
from markets.booths.models import Booth, BoothSize
from markets.days.models import MarketDay

NO_SHOW_REASON = "무단 불참"


async def _board(session: AsyncSession, day_id: int) -> AssignmentBoard | None:
    stmt = select(AssignmentBoard).where(AssignmentBoard.market_day_id == day_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


async def free_booth_of_no_show(
    session: AsyncSession,
    day_id: int,
    vendor_id: int,
    application_id: int,
    actor_user_id: int | None,
) -> Booth | None:
    """The vendor leaves the booth it held on the day (draft or published) and is listed as
    unplaced with reason ``no_show``. Returns the freed booth, or ``None`` if it had none."""
    await _board(session, day_id)
    row = await session.scalar(
        select(Assignment).where(
            Assignment.market_day_id == day_id, Assignment.vendor_id == vendor_id
        )
    )
    if row is None:
        return None
    booth = await session.get(Booth, row.booth_id)
    assert booth is not None
    await session.delete(row)
    await session.execute(
        delete(UnplacedVendor).where(
            UnplacedVendor.market_day_id == day_id, UnplacedVendor.vendor_id == vendor_id
        )
    )
    await session.flush()
    session.add(
        UnplacedVendor(
            market_day_id=day_id, vendor_id=vendor_id, application_id=application_id,
            reason=UnplacedReason.NO_SHOW.value, detail=f"{booth.code} 부스를 비움",
        )
    )
    session.add(
        AssignmentAuditLog(
            market_day_id=day_id, actor_user_id=actor_user_id, action=AuditAction.UNASSIGN,
            vendor_id=vendor_id, from_booth_code=booth.code, reason=NO_SHOW_REASON,
        )
    )
    await session.flush()
    return booth


def _fits(booth: Booth, needs_power: bool, min_booth_size: str) -> bool:
    rank = next((s.rank for s in BoothSize if s.value == min_booth_size), BoothSize.SMALL.rank)
    return booth.is_active and (booth.has_power or not needs_power) and booth.size.rank >= rank


async def place_in_booth(
    session: AsyncSession,
    day_id: int,
    booth_id: int,
    *,
    vendor_id: int,
    application_id: int,
    needs_power: bool,
    min_booth_size: str,
    actor_user_id: int | None,
    reason: str,
) -> Booth | None:
    """Put the vendor into the booth on the day if the booth is active, empty and fits it
    (power, size) and the vendor has no booth that day yet. Returns the booth, or ``None``
    when it cannot (the organizer then places the vendor by hand)."""
    board = await _board(session, day_id)
    booth = await session.get(Booth, booth_id)
    if booth is None or not _fits(booth, needs_power, min_booth_size):
        return None
    taken = await session.scalar(
        select(Assignment.id).where(
            Assignment.market_day_id == day_id,
            (Assignment.booth_id == booth_id) | (Assignment.vendor_id == vendor_id),
        )
    )
    if taken is not None:
        return None
    await session.execute(
        delete(UnplacedVendor).where(
            UnplacedVendor.market_day_id == day_id, UnplacedVendor.vendor_id == vendor_id
        )
    )
    session.add(
        Assignment(
            market_day_id=day_id, booth_id=booth.id, vendor_id=vendor_id,
            application_id=application_id,
            status=board.status if board is not None else BoardStatus.DRAFT,
            source=PlacementSource.MANUAL,
        )
    )
    session.add(
        AssignmentAuditLog(
            market_day_id=day_id, actor_user_id=actor_user_id, action=AuditAction.MOVE,
            vendor_id=vendor_id, to_booth_code=booth.code, reason=reason,
        )
    )
    await session.flush()
    return booth


async def booth_freed_by_no_show(
    session: AsyncSession, day_id: int, vendor_id: int
) -> Booth | None:
    """The booth the vendor's last no-show on the day freed (from the audit trail)."""
    code = await session.scalar(
        select(AssignmentAuditLog.from_booth_code)
        .where(
            AssignmentAuditLog.market_day_id == day_id,
            AssignmentAuditLog.vendor_id == vendor_id,
            AssignmentAuditLog.action == AuditAction.UNASSIGN,
            AssignmentAuditLog.reason == NO_SHOW_REASON,
        )
        .order_by(AssignmentAuditLog.id.desc())
        .limit(1)
    )
    if not code:
        return None
    market_id = await session.scalar(select(MarketDay.market_id).where(MarketDay.id == day_id))
    return await session.scalar(
        select(Booth).where(Booth.market_id == market_id, Booth.code == code)
    )

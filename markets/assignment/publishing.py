"""게시 and 다시 열기: a draft assignment is published to vendors and the public map, or
taken back to draft (with a reason) to be changed.

Publishing records ``assignment.published``; a worker writes each vendor's notice from it
(``markets.assignment.notices``).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, Problems
from infra.outbox import record
from markets.access import require_market_organizer
from markets.assignment.boards import get_day, lock_boards, required_reason
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.events import AssignmentPublished, AssignmentReopened
from markets.assignment.models import (
    BOARD_TRANSITIONS,
    Assignment,
    AssignmentAuditLog,
    AssignmentBoard,
    AuditAction,
    BoardStatus,
    UnplacedVendor,
)
from markets.booths.models import Booth
from markets.booths.rules import clean_reason
from markets.days.models import MarketDayStatus


async def publish(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *, reason: str = ""
) -> AssignmentBoard:
    """게시: vendors are told their booth (event ``assignment.published``) and the public
    map and calendar feeds show it."""
    user = await require_market_organizer(session, actor, market_id)
    problems = Problems()
    why = clean_reason(reason, problems, required=False)
    problems.raise_if_any()
    day = await get_day(session, market_id, day_id)
    board = (await lock_boards(session, [day.id])).get(day.id)
    if board is None:
        raise Conflict(
            Code.BOARD_NOT_FOUND, "게시할 배정이 없습니다. 먼저 자동 배정을 실행해 주세요.",
            field="status",
        )
    BOARD_TRANSITIONS.check(board.status, BoardStatus.PUBLISHED)
    if day.status is not MarketDayStatus.SCHEDULED:
        raise Conflict(Code.DAY_NOT_SCHEDULED,
                       f"'{day.status.label}' 상태의 장날은 게시할 수 없습니다.", field="day_id")
    rows = (
        await session.execute(
            select(Assignment.vendor_id, Booth.code, Booth.is_active)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.market_day_id == day.id)
            .order_by(Booth.code)
        )
    ).all()
    inactive = [code for _, code, active in rows if not active]
    if inactive:
        raise Conflict(
            Code.INACTIVE_BOOTH_ASSIGNED,
            "비활성 부스에 배정된 업체가 있습니다: " + ", ".join(inactive) + ". 먼저 옮겨 주세요.",
            field="booth_code",
        )
    unplaced = (
        await session.execute(
            select(UnplacedVendor.vendor_id, UnplacedVendor.reason)
            .where(UnplacedVendor.market_day_id == day.id)
            .order_by(UnplacedVendor.vendor_id)
        )
    ).all()
    async with transaction(session):
        await session.execute(
            update(Assignment).where(Assignment.market_day_id == day.id)
            .values(status=BoardStatus.PUBLISHED)
        )
        board.status = BoardStatus.PUBLISHED
        board.published_at = utcnow()
        board.published_by_user_id = user.id
        session.add(
            AssignmentAuditLog(
                market_day_id=day.id, actor_user_id=user.id, action=AuditAction.PUBLISH,
                reason=why or "게시", details={"placed": len(rows), "unplaced": len(unplaced)},
            )
        )
        record(
            session,
            AssignmentPublished(
                id=day.id, market_id=day.market_id, day=day.day.isoformat(),
                actor_user_id=user.id,
                placements=tuple({"vendor_id": v, "booth_code": c} for v, c, _ in rows),
                unplaced=tuple({"vendor_id": v, "reason": r} for v, r in unplaced),
                reason=why,
            ),
        )
    return board


async def reopen(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *, reason: str
) -> AssignmentBoard:
    """다시 열기: a published assignment goes back to draft so it can be changed (the public
    map shows no names until it is published again)."""
    user = await require_market_organizer(session, actor, market_id)
    why = required_reason(reason)
    day = await get_day(session, market_id, day_id)
    board = (await lock_boards(session, [day.id])).get(day.id)
    if board is None:
        raise Conflict(Code.BOARD_NOT_FOUND, "아직 배정이 없습니다.", field="status")
    BOARD_TRANSITIONS.check(board.status, BoardStatus.DRAFT)
    async with transaction(session):
        await session.execute(
            update(Assignment).where(Assignment.market_day_id == day.id)
            .values(status=BoardStatus.DRAFT)
        )
        board.status = BoardStatus.DRAFT
        session.add(
            AssignmentAuditLog(
                market_day_id=day.id, actor_user_id=user.id, action=AuditAction.REOPEN,
                reason=why,
            )
        )
        record(
            session,
            AssignmentReopened(
                id=day.id, market_id=day.market_id, day=day.day.isoformat(),
                actor_user_id=user.id, reason=why,
            ),
        )
    return board

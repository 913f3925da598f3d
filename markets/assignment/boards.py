"""A market day's assignment board: loading the day, and locking its board before a change.

Every assignment use case first locks the day's board row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serialises writers anyway), so runs, moves and publishing on one day
happen one after the other. The unique constraints on (day, booth) and (day, vendor) are
the last word: if two writers ever slipped past each other, one gets a 409, never two
vendors in a booth (``tests/markets/assignment/test_assignment_races.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import dialect_name
from infra.errors import Conflict, NotFound, Problems
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.models import AssignmentBoard, BoardStatus
from markets.booths.rules import clean_reason
from markets.days.models import MarketDay


async def get_day(session: AsyncSession, market_id: int, day_id: int) -> MarketDay:
    day = await session.get(MarketDay, day_id)
    if day is None or day.market_id != market_id:
        raise NotFound(Code.MARKET_DAY_NOT_FOUND, "장날을 찾을 수 없습니다.", field="day_id")
    return day


async def lock_boards(session: AsyncSession, day_ids: Sequence[int]) -> dict[int, AssignmentBoard]:
    stmt = select(AssignmentBoard).where(AssignmentBoard.market_day_id.in_(list(day_ids)))
    if dialect_name(session) == "postgresql":
        stmt = stmt.order_by(AssignmentBoard.market_day_id).with_for_update()
    return {b.market_day_id: b for b in (await session.scalars(stmt)).all()}


async def board_for_change(session: AsyncSession, day: MarketDay) -> AssignmentBoard:
    """The day's board, locked, as a draft (created empty when nobody has run one yet)."""
    board = (await lock_boards(session, [day.id])).get(day.id)
    if board is None:
        board = AssignmentBoard(market_day_id=day.id, market_id=day.market_id)
        session.add(board)
        await session.flush()
    if board.status is not BoardStatus.DRAFT:
        raise Conflict(
            Code.BOARD_PUBLISHED,
            "게시된 배정입니다. 바꾸려면 먼저 '다시 열기'를 해 주세요 (사유 필요).",
            field="status",
        )
    return board


def required_reason(reason: str) -> str:
    """The reason a hand-made change must give (kept in the audit log)."""
    problems = Problems()
    why = clean_reason(reason, problems, required=True)
    problems.raise_if_any()
    return why

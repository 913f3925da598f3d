"""Notices to vendors about their market days (worker side): a day cancelled, a booth given.

Written by workers reacting to events (``workers.actors``), so each is safe to run twice
for one event: unique keys plus ``INSERT … ON CONFLICT DO NOTHING`` make a redelivered
event a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from infra.db import dialect_name, transaction
from markets.days.models import MarketDayNotice, NoticeKind
from markets.schedules import describe_day


async def write_cancellation_notices(
    session: AsyncSession,
    market_day_id: int,
    vendor_ids: Sequence[int],
    *,
    market_name: str,
    day: str,
    reason: str,
    event_id: str | None = None,
) -> int:
    """One notice per booked vendor for a cancelled day; safe to run twice for one event.

    The unique keys (one cancellation notice per vendor and day; one notice per vendor and
    event) plus ``ON CONFLICT DO NOTHING`` make a redelivered event a no-op. Returns how
    many notices this call wrote.
    """
    if not vendor_ids:
        return 0
    when = describe_day(dt.date.fromisoformat(day))
    message = f"{market_name} {when} 장날이 취소되었습니다. 사유: {reason}"
    return await insert_notices(
        session,
        [(vendor_id, market_day_id, NoticeKind.DAY_CANCELLED, message)
         for vendor_id in sorted(set(vendor_ids))],
        event_id=event_id,
    )


async def insert_notices(
    session: AsyncSession,
    notices: Sequence[tuple[int, int, NoticeKind, str]],
    *,
    event_id: str | None,
) -> int:
    """Write ``(vendor_id, market_day_id, kind, message)`` notices, skipping any that a unique
    key says were written already (``INSERT … ON CONFLICT DO NOTHING``), and commit.
    Returns how many were new."""
    async with transaction(session):
        if not notices:
            return 0
        insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
        now = utcnow()
        rows = [
            {
                "vendor_id": vendor_id, "market_day_id": day_id, "kind": kind,
                "message": message, "event_id": event_id, "created_at": now, "updated_at": now,
            }
            for vendor_id, day_id, kind, message in notices
        ]
        result = await session.execute(
            insert(MarketDayNotice).values(rows).on_conflict_do_nothing()
        )
    return int(result.rowcount)  # type: ignore[attr-defined]

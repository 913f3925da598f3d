"""Activity analytics: how many of each event happened each day (KST), rolled up by a worker.

This is the first analytics table and the proof that consumers take effect exactly once:
each event is counted in the same transaction that claims it, so a worker killed mid-batch
and a relay that sends twice both leave the counts exact.
"""

from __future__ import annotations

import datetime as dt

from advanced_alchemy.base import BigIntBase
from sqlalchemy import Date, Integer, String, UniqueConstraint, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from infra import outbox
from infra.clock import seoul_date
from infra.db import transaction
from infra.events import EventEnvelope

CONSUMER = "analytics.daily_event_counts"


class DailyEventCount(BigIntBase):
    __tablename__ = "daily_event_counts"
    __table_args__ = (UniqueConstraint("day", "event_name", name="uq_daily_event"),)

    day: Mapped[dt.date] = mapped_column(Date)
    event_name: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer, default=0)


async def count_event(session: AsyncSession, event: EventEnvelope) -> bool:
    """Count ``event`` once; returns False if it had been counted already."""
    async with transaction(session):
        if not await outbox.claim(session, CONSUMER, event.event_id):
            return False  # counted before: nothing was written
        day = seoul_date(dt.datetime.fromisoformat(event.occurred_at))
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(DailyEventCount)
            .values(day=day, event_name=event.name, count=0)
            .on_conflict_do_nothing(index_elements=["day", "event_name"])
        )
        await session.execute(
            update(DailyEventCount)
            .where(DailyEventCount.day == day, DailyEventCount.event_name == event.name)
            .values(count=DailyEventCount.count + 1)
        )
    return True


async def counts_for(session: AsyncSession, day: dt.date) -> dict[str, int]:
    rows = await session.execute(
        select(DailyEventCount.event_name, DailyEventCount.count).where(DailyEventCount.day == day)
    )
    return {name: count for name, count in rows.all()}

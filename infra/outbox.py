"""The transactional outbox: events saved with the change, relayed to the broker afterwards.

``record`` adds an event row to the caller's session, so the event commits or rolls back
with the rows it describes. ``relay_batch`` later hands unsent rows to a publisher (the
worker bootstrap passes one that enqueues dramatiq messages) and marks them sent. A crash
between publishing and marking means the batch is published again: delivery is
at-least-once, and consumers make it exactly-once in effect with :func:`claim` (a
processed-event row written in the consumer's own transaction) or with natural keys.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Index, String, Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from infra.clock import utcnow
from infra.events import DomainEvent, EventEnvelope, request_id_var


class OutboxEvent(BigIntBase):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_unsent", "published_at", "id"),)

    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    aggregate: Mapped[str] = mapped_column(String(50), default="")
    aggregate_id: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )

    def envelope(self) -> EventEnvelope:
        return EventEnvelope(
            event_id=self.event_id,
            name=self.name,
            aggregate=self.aggregate,
            aggregate_id=self.aggregate_id,
            payload=self.payload,
            occurred_at=self.occurred_at.isoformat(),
            request_id=self.request_id,
        )


class ProcessedEvent(BigIntBase):
    """One row per (consumer, event) that took effect: the consumers' idempotency record."""

    __tablename__ = "processed_events"
    __table_args__ = (Index("uq_processed_consumer_event", "consumer", "event_id", unique=True),)

    consumer: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(String(36))
    processed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)


def record(session: AsyncSession, event: DomainEvent) -> OutboxEvent:
    """Add ``event`` to the session's transaction; it is sent only if the transaction commits."""
    row = OutboxEvent(
        event_id=str(uuid.uuid4()),
        name=event.name,
        aggregate=event.aggregate,
        aggregate_id=event.aggregate_id(),
        payload=event.to_payload(),
        request_id=request_id_var.get(),
        occurred_at=utcnow(),
    )
    session.add(row)
    return row


async def claim(session: AsyncSession, consumer: str, event_id: str) -> bool:
    """Mark ``event_id`` as handled by ``consumer`` in the session's transaction.

    Returns False when it was handled before (the caller then does nothing). The row is
    inserted with ON CONFLICT DO NOTHING, so two deliveries racing each other cannot both win.
    """
    values = {"consumer": consumer, "event_id": event_id, "processed_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(ProcessedEvent).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_all(session: AsyncSession, consumer: str, event_ids: Sequence[str]) -> set[str]:
    """:func:`claim` for many events in one statement; returns the ids claimed now (those
    handled before, or twice in ``event_ids``, are left out)."""
    if not event_ids:
        return set()
    now = utcnow()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = cast(Table, ProcessedEvent.__table__)
    rows = await session.execute(
        insert(table).on_conflict_do_nothing().returning(table.c.event_id),
        [{"consumer": consumer, "event_id": event_id, "processed_at": now}
         for event_id in sorted(set(event_ids))])
    return {str(event_id) for event_id in rows.scalars()}


Publisher = Callable[[Sequence[EventEnvelope]], None]


async def relay_batch(session: AsyncSession, publish: Publisher, *, limit: int = 200) -> int:
    """Publish up to ``limit`` unsent events in order and mark them sent; return how many.

    On PostgreSQL the rows are locked with SKIP LOCKED, so several relays can run side by
    side without sending the same batch twice in the normal case.
    """
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.published_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list((await session.scalars(stmt)).all())
    if not rows:
        await session.rollback()
        return 0
    publish([row.envelope() for row in rows])
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_([row.id for row in rows]))
        .values(published_at=utcnow())
    )
    await session.commit()
    return len(rows)


async def backlog(session: AsyncSession) -> tuple[int, float]:
    """Unsent events and the age in seconds of the oldest one (0 when none)."""
    count, oldest = (
        await session.execute(
            select(func.count(OutboxEvent.id), func.min(OutboxEvent.occurred_at)).where(
                OutboxEvent.published_at.is_(None)
            )
        )
    ).one()
    if oldest is None:
        return int(count), 0.0
    return int(count), max(0.0, (utcnow() - oldest).total_seconds())


async def purge_published(session: AsyncSession, older_than: dt.timedelta) -> int:
    """Delete sent events past their retention; the processed-event rows go with the same age."""
    cutoff = utcnow() - older_than
    result = await session.execute(delete(OutboxEvent).where(OutboxEvent.published_at < cutoff))
    await session.execute(delete(ProcessedEvent).where(ProcessedEvent.processed_at < cutoff))
    await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]

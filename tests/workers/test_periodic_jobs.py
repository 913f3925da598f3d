"""Periodic jobs: what they do, and that the scheduler process knows them."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra import outbox
from infra.clock import utcnow
from infra.outbox import OutboxEvent, ProcessedEvent
from infra.settings import Settings
from shop.vendors.events import VendorApproved
from tests.processes import start, stop


async def test_purge_drops_only_relayed_events_past_retention(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        old = outbox.record(session, VendorApproved(id=1))
        recent = outbox.record(session, VendorApproved(id=2))
        unsent = outbox.record(session, VendorApproved(id=3))
        await session.flush()
        long_ago = utcnow() - dt.timedelta(days=30)
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id == old.id).values(published_at=long_ago)
        )
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == recent.id)
            .values(published_at=utcnow())
        )
        session.add(ProcessedEvent(consumer="c", event_id=old.event_id, processed_at=long_ago))
        await session.commit()
        kept_ids = {recent.id, unsent.id}

    async with session_factory() as session:
        purged = await outbox.purge_published(session, dt.timedelta(days=14))
    assert purged == 1
    async with session_factory() as session:
        left = set((await session.scalars(select(OutboxEvent.id))).all())
        marks = await session.scalar(select(func.count(ProcessedEvent.id)))
    assert left == kept_ids
    assert marks == 0


@pytest.mark.slow
def test_scheduler_process_lists_periodic_jobs_and_stops_on_sigterm(
    worker_settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "scheduler.log"
    process = start(["scheduler"], worker_settings, log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "rebuild_search_index" not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        text = log.read_text()
        assert "purge_relayed_events" in text and "rebuild_search_index" in text, text
    finally:
        stop(process)
    assert process.returncode is not None

"""The event spine's promise: every committed event takes effect exactly once, even when the
worker (and the relay inside it) is killed with SIGKILL in the middle of a batch."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra import outbox
from infra.events import DomainEvent
from infra.outbox import OutboxEvent, ProcessedEvent
from infra.settings import Settings
from shop.analytics.activity import CONSUMER, DailyEventCount
from tests.processes import start, stop

pytestmark = pytest.mark.slow

EVENTS = 3000


@dataclasses.dataclass(frozen=True, kw_only=True)
class Ping(DomainEvent):
    """An event only the analytics consumer listens to (every event is counted)."""

    name: ClassVar[str] = "test.ping"
    aggregate: ClassVar[str] = "test"
    id: int


async def _processed(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return int(
            await session.scalar(
                select(func.count(ProcessedEvent.id)).where(ProcessedEvent.consumer == CONSUMER)
            )
            or 0
        )


async def _wait_for(factory: async_sessionmaker[AsyncSession], target: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = await _processed(factory)
        if done >= target:
            return done
        await asyncio.sleep(0.02)
    return done


async def test_killed_worker_loses_no_event_and_doubles_none(
    worker_settings: Settings, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with session_factory() as session:
        for i in range(EVENTS):
            outbox.record(session, Ping(id=i))
        await session.commit()

    fast_recovery = {
        # Presume a silent worker dead after 2 s and check for dead workers on every command,
        # so the killed worker's unacknowledged messages come back within the test.
        "JANGTEO_BROKER_HEARTBEAT_MS": "2000",
        "JANGTEO_BROKER_MAINTENANCE_CHANCE": "1000000",
    }
    log = tmp_path / "worker.log"
    first = start(["worker", "--threads", "4"], worker_settings, log, **fast_recovery)
    try:
        seen = await _wait_for(session_factory, 150, timeout=60)
        assert 0 < seen < EVENTS, f"worker did not start or finished too soon ({seen}); see {log}"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        at_kill = await _processed(session_factory)
        assert at_kill < EVENTS, "the kill did not interrupt the batch; the test proves nothing"
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    second = start(["worker", "--threads", "4"], worker_settings, log, **fast_recovery)
    try:
        done = await _wait_for(session_factory, EVENTS, timeout=120)
        await asyncio.sleep(1.0)  # let any late duplicate delivery arrive and be absorbed
    finally:
        stop(second)

    async with session_factory() as session:
        unsent = await session.scalar(
            select(func.count(OutboxEvent.id)).where(OutboxEvent.published_at.is_(None))
        )
        counted = await session.scalar(
            select(func.sum(DailyEventCount.count)).where(DailyEventCount.event_name == "test.ping")
        )
        processed = await _processed(session_factory)
    assert done == EVENTS, f"{done} of {EVENTS} events took effect; see {log}"
    assert unsent == 0
    assert processed == EVENTS, "an event was processed twice or not at all"
    assert counted == EVENTS, "the analytics count differs from the number of events"


async def test_relay_marks_events_sent_only_after_publishing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        outbox.record(session, Ping(id=1))
        outbox.record(session, Ping(id=2))
        await session.commit()

    def broken_publisher(_: object) -> None:
        raise ConnectionError("broker down")

    async with session_factory() as session:
        with pytest.raises(ConnectionError):
            await outbox.relay_batch(session, broken_publisher)
        await session.rollback()
    published: list[str] = []
    async with session_factory() as session:
        sent = await outbox.relay_batch(
            session, lambda batch: published.extend(e.name for e in batch)
        )
    assert sent == 2 and published == ["test.ping", "test.ping"]
    async with session_factory() as session:
        backlog, age = await outbox.backlog(session)
    assert backlog == 0 and age == 0.0


async def test_event_rolled_back_with_its_change_is_never_sent(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        outbox.record(session, Ping(id=7))
        await session.rollback()
    async with session_factory() as session:
        assert await session.scalar(select(func.count(OutboxEvent.id))) == 0


async def test_claim_lets_only_one_delivery_take_effect(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as a, session_factory() as b:
        assert await outbox.claim(a, "c", "e1") is True
        await a.commit()
        assert await outbox.claim(b, "c", "e1") is False
        await b.commit()
    async with session_factory() as session:
        assert await session.scalar(select(func.count(ProcessedEvent.id))) == 1

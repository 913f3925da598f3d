"""The sweeper runs as a real periodic actor: a worker process given the job marks a
reservation past its deadline expired, and its event goes out through the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import dramatiq
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.broker import make_broker
from infra.clock import utcnow
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.checkout import stock
from shop.checkout.demand import Demand
from shop.checkout.models import ReservationStatus, StockReservation
from tests.processes import start, stop
from tests.shop.checkout.conftest import World
from tests.shop.shelf import stocked

pytestmark = pytest.mark.slow


def _enqueue_sweep(settings: Settings) -> None:
    """What the scheduler does every minute, done once by hand (no global broker touched)."""
    broker = make_broker(settings)
    try:
        broker.declare_queue("maintenance")
        broker.enqueue(dramatiq.Message(
            queue_name="maintenance", actor_name="expire_stock_reservations",
            args=(), kwargs={}, options={},
        ))
    finally:
        broker.close()


async def test_worker_process_expires_overdue_reservations(
    world: World,
    worker_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    long_ago = utcnow() - dt.timedelta(hours=1)
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=2)
        await session.commit()
    async with session_factory() as session:
        overdue = await stock.reserve(
            session, world.settings, [Demand(variant.id, 2)], now=long_ago
        )

    log = tmp_path / "worker.log"
    worker = start(["worker", "--threads", "2", "--no-relay"], worker_settings, log)
    try:
        _enqueue_sweep(worker_settings)
        deadline = time.monotonic() + 60
        status = ReservationStatus.ACTIVE
        while time.monotonic() < deadline and status is ReservationStatus.ACTIVE:
            await asyncio.sleep(0.2)
            async with session_factory() as session:
                status = await session.scalar(
                    select(StockReservation.status).where(StockReservation.id == overdue.id)
                ) or ReservationStatus.ACTIVE
            assert worker.poll() is None, log.read_text()
    finally:
        stop(worker)
    assert status is ReservationStatus.EXPIRED, log.read_text()
    async with session_factory() as session:
        names = (await session.scalars(select(OutboxEvent.name))).all()
    assert "stock.reservation_expired" in names

"""Market days through the platform's real processes: a cancellation reaches the booked
vendors through the outbox, the relay and a dramatiq actor; ``jangteo markets
generate-days`` fills the horizon idempotently; the scheduler knows the daily job."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import seoul_today
from infra.settings import Settings
from markets.days.generation import HORIZON_WEEKS
from markets.days.models import MarketDay, MarketDayNotice
from markets.days.services import cancel_market_day
from tests.markets.market_world import (
    add_days,
    add_market,
    booked,
    detached,
    organizer,
    vendor_with_owner,
)
from tests.processes import ROOT, process_env, start, stop

pytestmark = pytest.mark.slow


async def test_a_worker_tells_every_booked_vendor_of_a_cancelled_day(
    worker_settings: Settings, session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    async with session_factory() as session:
        market = await add_market(session, "동진시장")
        today = seoul_today()
        days = await add_days(session, market, today + dt.timedelta(days=1),
                              today + dt.timedelta(days=30))
        vendors = [(await vendor_with_owner(session))[0] for _ in range(3)]
        for vendor in vendors[:2]:
            await booked(session, market, vendor, days[0].day.year, day_ids=[days[0].id])
        boss = await organizer(session, market)
        await session.commit()
        detached(session, boss)
        await cancel_market_day(session, days[0].id, boss, "한파 특보")
        booked_ids = sorted(v.id for v in vendors[:2])

    worker = start(["worker", "--threads", "2"], worker_settings, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 30
        notices: list[MarketDayNotice] = []
        while time.monotonic() < deadline:
            async with session_factory() as session:
                notices = list((await session.scalars(select(MarketDayNotice))).all())
            if len(notices) >= 2:
                break
            await asyncio.sleep(0.1)
    finally:
        stop(worker)
    log = (tmp_path / "worker.log").read_text()
    assert sorted(n.vendor_id for n in notices) == booked_ids, log
    assert all("한파 특보" in n.message for n in notices)


async def test_generate_days_command_fills_eight_weeks_once(
    settings: Settings, db_session: AsyncSession
) -> None:
    for name in ("늘장", "달시장"):
        await add_market(db_session, name)
    await db_session.commit()

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "infra.cli", "markets", "generate-days"],
            cwd=ROOT, env=process_env(settings), capture_output=True, text=True, timeout=120,
            stdin=subprocess.DEVNULL, check=False,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    assert "늘장: 장날" in first.stdout
    count = await db_session.scalar(select(func.count(MarketDay.id)))
    assert count and count >= 6 * HORIZON_WEEKS - 6
    second = run()
    assert second.returncode == 0, second.stderr
    assert "늘장: 장날 0일" in second.stdout
    assert await db_session.scalar(select(func.count(MarketDay.id))) == count


def test_scheduler_knows_the_market_day_jobs(worker_settings: Settings, tmp_path: Path) -> None:
    log = tmp_path / "scheduler.log"
    process = start(["scheduler"], worker_settings, log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "expire_waitlist_offers" not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        stop(process)
    text = log.read_text()
    assert "keep_market_days_ahead" in text and "expire_waitlist_offers" in text, text

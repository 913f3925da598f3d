"""Publishing (and reopening) an assignment changes the vendor's calendar entry for the day,
so its DTSTAMP / LAST-MODIFIED move with it and a phone that polls the feed sees a newer
entry. Everything before is pushed three days back, so the test holds whatever the clock
says (frozen or not): the use case's own write is the only thing that can move the stamp.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from markets.assignment import publishing, runs
from markets.assignment.models import AssignmentBoard
from markets.days import calendar_addresses
from markets.days.models import MarketDay
from tests.markets.assignment.conftest import World


def _whole_seconds(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


async def test_publishing_and_reopening_move_the_vendors_dtstamp(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    vendor = world.vendors[0]  # needs power, asked for A-01: gets it
    day_id = world.day.id
    async with session_factory() as session:
        feed_url = calendar_addresses.feed_path(
            await calendar_addresses.token_of(session, vendor.id))
        await runs.run_assignment(session, world.market.id, world.boss, day_ids=[day_id])

    async def push_back(days: int) -> dt.datetime:
        then = _whole_seconds(utcnow() - dt.timedelta(days=days))
        async with session_factory() as session:
            await session.execute(update(MarketDay).where(MarketDay.id == day_id)
                                  .values(updated_at=then))
            await session.execute(update(AssignmentBoard)
                                  .where(AssignmentBoard.market_day_id == day_id)
                                  .values(updated_at=then))
            await session.commit()
        return then

    async def entry() -> tuple[str, dt.datetime, dt.datetime]:
        body = (await client.get(feed_url)).content
        event = next(e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
                     if e.decoded("DTSTART").date() == world.day.day)
        assert event.decoded("LAST-MODIFIED") == event.decoded("DTSTAMP")
        return str(event["SUMMARY"]), event.decoded("DTSTAMP"), event.decoded("LAST-MODIFIED")

    async def board_changed_at() -> dt.datetime:
        async with session_factory() as session:
            at = await session.scalar(select(AssignmentBoard.updated_at)
                                      .where(AssignmentBoard.market_day_id == day_id))
            assert at is not None
            return _whole_seconds(at if at.tzinfo else at.replace(tzinfo=dt.UTC))

    drafted = await push_back(3)
    summary, stamp, _ = await entry()
    assert summary == "광화문 사회적경제 장터 부스" and stamp == drafted  # a draft shows nothing
    assert (await entry())[1] == stamp  # polling again changes nothing

    async with session_factory() as session:
        await publishing.publish(session, world.market.id, day_id, world.boss)
    summary, published, _ = await entry()
    assert summary == "광화문 사회적경제 장터 부스 A-01"
    assert published > drafted and published == await board_changed_at()

    await push_back(2)
    async with session_factory() as session:
        await publishing.reopen(session, world.market.id, day_id, world.boss,
                                reason="부스 배치 수정")
    summary, reopened, _ = await entry()
    assert summary == "광화문 사회적경제 장터 부스"  # no booth published any more
    assert reopened > drafted + dt.timedelta(days=1) and reopened == await board_changed_at()

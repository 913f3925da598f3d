"""The next market days of each of the four markets are exactly the ones the source documents
describe, generated idempotently, with opening times right in UTC (Asia/Seoul is UTC+9 all
year: no daylight saving)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from markets.applications.models import ApplicationStatus
from markets.days.generation import HORIZON_WEEKS, generate_all, generate_market_days
from markets.days.models import BoothFee, BoothFeeStatus, MarketDay, MarketDayStatus
from markets.models import Market
from markets.schedules import occurrences_between
from tests.markets.market_world import add_market, booked, count, kst, vendor_with_owner

D = dt.date


async def _days(session: AsyncSession, market: Market) -> list[MarketDay]:
    rows = await session.scalars(
        select(MarketDay).where(MarketDay.market_id == market.id).order_by(MarketDay.day)
    )
    return list(rows.all())


async def test_gwanghwamun_sundays_stop_in_november_and_resume_in_march(
    db_session: AsyncSession,
) -> None:
    market = await add_market(db_session, "광화문 사회적경제 장터")
    await db_session.commit()
    created = await generate_market_days(db_session, market, D(2027, 3, 15), since=D(2026, 11, 20))
    assert [d.day for d in created] == [
        D(2026, 11, 22), D(2026, 11, 29), D(2027, 3, 7), D(2027, 3, 14),
    ]
    for day in created:
        assert day.day.weekday() == 6
        # 11:00-16:00 KST is 02:00-07:00 UTC, setup from an hour before opening.
        assert day.opens_at == dt.datetime.combine(day.day, dt.time(2), dt.UTC)
        assert day.closes_at == dt.datetime.combine(day.day, dt.time(7), dt.UTC)
        assert day.setup_from == dt.datetime.combine(day.day, dt.time(1), dt.UTC)
        assert day.status is MarketDayStatus.SCHEDULED


async def test_dalsijang_is_the_last_friday_even_in_months_with_five_fridays(
    db_session: AsyncSession,
) -> None:
    market = await add_market(db_session, "달시장")
    await db_session.commit()
    created = await generate_market_days(db_session, market, D(2027, 4, 30), since=D(2026, 10, 1))
    # Oct 2026, Jan 2027 and Apr 2027 have five Fridays; the fifth is the last.
    assert [d.day for d in created] == [
        D(2026, 10, 30), D(2026, 11, 27), D(2026, 12, 25), D(2027, 1, 29),
        D(2027, 2, 26), D(2027, 3, 26), D(2027, 4, 30),
    ]
    january = next(d for d in created if d.day.month == 1)
    assert january.opens_at == dt.datetime(2027, 1, 29, 8, 0, tzinfo=dt.UTC)  # 17:00 KST
    assert january.closes_at == dt.datetime(2027, 1, 29, 12, 0, tzinfo=dt.UTC)  # 21:00 KST


async def test_neuljang_runs_tuesday_to_sunday_and_dongjin_on_tuesday_afternoons(
    db_session: AsyncSession,
) -> None:
    neuljang = await add_market(db_session, "늘장")
    dongjin = await add_market(db_session, "동진시장")
    await db_session.commit()
    week = await generate_market_days(db_session, neuljang, D(2027, 1, 10), since=D(2027, 1, 4))
    assert [d.day for d in week] == [D(2027, 1, n) for n in (5, 6, 7, 8, 9, 10)]  # Tue..Sun
    assert all(d.day.weekday() != 0 for d in week)
    tuesdays = await generate_market_days(db_session, dongjin, D(2027, 1, 31), since=D(2027, 1, 1))
    assert [d.day for d in tuesdays] == [D(2027, 1, n) for n in (5, 12, 19, 26)]
    assert {d.opens_at.time() for d in tuesdays} == {dt.time(7, 0)}  # 16:00 KST


async def test_generating_twice_creates_each_day_once(db_session: AsyncSession) -> None:
    market = await add_market(db_session, "늘장")
    await db_session.commit()
    first = await generate_market_days(db_session, market, D(2027, 2, 28), since=D(2027, 1, 1))
    again = await generate_market_days(db_session, market, D(2027, 3, 7), since=D(2027, 1, 1))
    days = await _days(db_session, market)
    assert len(first) == len({d.day for d in first}) > 40
    assert [d.day for d in again] == [D(2027, 3, n) for n in (2, 3, 4, 5, 6, 7)]
    assert len(days) == len(first) + len(again) == len({d.day for d in days})
    names = (await db_session.scalars(select(OutboxEvent.name))).all()
    assert names == ["market.days_generated", "market.days_generated"]
    assert await generate_market_days(db_session, market, D(2027, 3, 7), since=D(2027, 1, 1)) == []


async def test_concurrent_generators_never_duplicate_a_day(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        market = await add_market(session, "늘장")
        await session.commit()
        market_id = market.id

    async def run() -> int:
        async with session_factory() as session:
            m = await session.get(Market, market_id)
            assert m is not None
            return len(await generate_market_days(session, m, D(2027, 6, 30), since=D(2027, 1, 1)))

    results = await asyncio.gather(*(run() for _ in range(4)))
    async with session_factory() as session:
        total = await count(session, MarketDay)
    assert total == sum(results) > 100  # the winners' days, each exactly once


def test_seoul_has_no_daylight_saving_so_opening_is_always_02_utc() -> None:
    zone_days = occurrences_between(
        "FREQ=WEEKLY;BYDAY=SU", dt.time(11), list(range(1, 13)),
        start=D(2026, 1, 1), end=D(2027, 12, 31),
    )
    assert len(zone_days) == 104
    assert {d.utcoffset() for d in zone_days} == {dt.timedelta(hours=9)}
    assert {d.astimezone(dt.UTC).time() for d in zone_days} == {dt.time(2)}


def test_early_morning_opening_keeps_the_local_date_though_utc_is_the_day_before() -> None:
    (opening,) = occurrences_between(
        "FREQ=WEEKLY;BYDAY=SU", dt.time(7), [], start=D(2027, 3, 7), end=D(2027, 3, 7)
    )
    assert opening.date() == D(2027, 3, 7)  # Sunday in Seoul
    assert opening.astimezone(dt.UTC) == dt.datetime(2027, 3, 6, 22, 0, tzinfo=dt.UTC)


async def test_keeping_eight_weeks_ahead_covers_every_market(db_session: AsyncSession) -> None:
    for name in ("광화문 사회적경제 장터", "늘장", "동진시장", "달시장"):
        await add_market(db_session, name)
    await db_session.commit()
    now = kst(2027, 4, 1, 9)
    created = await generate_all(db_session, now=now)
    # Thu Apr 1 .. Thu May 27 2027 inclusive (8 weeks): 8 Sundays; 57 days less 8 Mondays;
    # 8 Tuesdays; and one last Friday (Apr 30; May 28 lies beyond the horizon).
    assert created == {
        "광화문 사회적경제 장터": 8, "늘장": 49, "동진시장": 8, "달시장": 1,
    }
    horizon = D(2027, 4, 1) + dt.timedelta(weeks=HORIZON_WEEKS)
    days = (await db_session.scalars(select(MarketDay.day))).all()
    assert max(days) <= horizon
    assert await generate_all(db_session, now=now) == dict.fromkeys(created, 0)


async def test_new_days_charge_the_fee_to_accepted_whole_season_vendors(
    db_session: AsyncSession,
) -> None:
    market = await add_market(db_session, "동진시장", booth_fee=7000)
    vendor, _ = await vendor_with_owner(db_session)
    other, _ = await vendor_with_owner(db_session)
    await booked(db_session, market, vendor, 2027)
    await booked(db_session, market, other, 2027, status=ApplicationStatus.WAITLISTED)
    await db_session.commit()
    created = await generate_market_days(db_session, market, D(2027, 1, 31), since=D(2027, 1, 1))
    fees = (await db_session.scalars(select(BoothFee))).all()
    assert len(created) == 4
    assert {(f.vendor_id, f.amount, f.status) for f in fees} == {
        (vendor.id, 7000, BoothFeeStatus.DUE)
    }
    assert sorted(f.market_day_id for f in fees) == sorted(d.id for d in created)

"""A whole season at once: every scheduled day drafted in date order, the premium booth
rotating among the vendors who asked for it, published days left alone."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.applications.models import ApplicationStatus
from markets.assignment import publishing, runs
from markets.assignment.models import Assignment, AssignmentBoard, BoardStatus
from markets.booths.models import Booth
from tests.markets.assignment.conftest import SEASON, World


async def premium_counts(session: AsyncSession) -> Counter[int]:
    rows = await session.execute(
        select(Assignment.vendor_id).join(Booth, Booth.id == Assignment.booth_id)
        .where(Booth.is_premium.is_(True))
    )
    return Counter(v for (v,) in rows.all())


async def test_a_season_run_drafts_every_day_and_rotates_the_premium_booth(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        for app in world.applications[:4]:
            app = await session.merge(app)
            app.preferred_booth_codes = ["A-01"]  # everyone asks for the premium booth
            app.wants_premium_booth = True
            app.needs_power = False
            app.min_booth_size = "small"
        await session.commit()
        summary = await runs.run_assignment(session, world.market.id, world.boss,
                                                season=SEASON, reason="시즌 배정")
    assert summary.day_ids == [d.id for d in world.days]
    async with session_factory() as session:
        boards = (await session.scalars(select(AssignmentBoard))).all()
        assert len(boards) == len(world.days)
        counts = await premium_counts(session)
    wanting = [world.vendors[n].id for n in range(4)]
    got = [counts.get(v, 0) for v in wanting]
    assert max(got) - min(got) <= 1, got
    assert sum(got) == len(world.days)  # the premium booth was used every day


async def test_published_days_are_kept_and_count_toward_the_rotation(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    first = world.days[0]
    async with session_factory() as session:
        for app in world.applications[:4]:
            app = await session.merge(app)
            app.preferred_booth_codes = ["A-01"]
            app.wants_premium_booth = True
            app.needs_power = False
            app.min_booth_size = "small"
        await session.commit()
        await runs.run_assignment(session, world.market.id, world.boss, day_ids=[first.id])
        await publishing.publish(session, world.market.id, first.id, world.boss)
        kept = dict((await session.execute(
            select(Assignment.vendor_id, Assignment.booth_id)
            .where(Assignment.market_day_id == first.id)
        )).all())
        late = await session.merge(world.applications[6])  # accepted from the waitlist
        late.status = ApplicationStatus.ACCEPTED
        await session.commit()
        summary = await runs.run_assignment(session, world.market.id, world.boss,
                                                season=SEASON)
        assert first.id not in summary.day_ids
        again = dict((await session.execute(
            select(Assignment.vendor_id, Assignment.booth_id)
            .where(Assignment.market_day_id == first.id)
        )).all())
        assert again == kept and late.vendor_id not in again
        status = await session.scalar(
            select(AssignmentBoard.status).where(AssignmentBoard.market_day_id == first.id)
        )
        assert status is BoardStatus.PUBLISHED
        counts = await premium_counts(session)
    got = [counts.get(world.vendors[n].id, 0) for n in range(4)]
    assert max(got) - min(got) <= 1, got


async def test_the_explicit_flag_alone_puts_vendors_in_the_rotation(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    """Ticking 프리미엄·코너 부스 희망 is enough (no booth named); naming the premium booth
    without the flag is a preference, not a claim to a turn."""
    async with session_factory() as session:
        for n, app in enumerate(world.applications[:4]):
            app = await session.merge(app)
            app.wants_premium_booth = n < 3
            app.preferred_booth_codes = [] if n < 3 else ["A-01"]
            app.needs_power = False
            app.min_booth_size = "small"
        await session.commit()
        await runs.run_assignment(session, world.market.id, world.boss, season=SEASON)
        counts = await premium_counts(session)
    wanting = [counts.get(world.vendors[n].id, 0) for n in range(3)]
    assert max(wanting) - min(wanting) <= 1, wanting
    assert sum(wanting) >= 1
    # Vendor 3 named the booth without asking for a turn: it is outside the rotation, so
    # the preference alone may win it on the other days.
    assert sum(counts.values()) == len(world.days)

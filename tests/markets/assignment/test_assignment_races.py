"""Two vendors in one booth, never: racing moves and publishing on real PostgreSQL.

Each racer has its own session and connection, as concurrent web requests do. The races
need a server that runs transactions side by side, so they are skipped on SQLite (which
serialises writers anyway); the unique constraints themselves are checked on both.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.assignment import moves, publishing, runs
from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AuditAction,
    BoardStatus,
    UnplacedVendor,
)
from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.races import Work, race
from tests.markets.assignment.conftest import World

needs_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="racing transactions need PostgreSQL"
)


async def _draft_with_free_booths(
    factory: async_sessionmaker[AsyncSession], world: World, free: list[str]
) -> list[int]:
    """Run the day, empty the given booths; returns the vendors now without a booth."""
    async with factory() as session:
        await runs.run_assignment(session, world.market.id, world.boss,
                                      day_ids=[world.day.id])
        for code in free:
            row = await session.scalar(
                select(Assignment).where(Assignment.booth_id == world.booths[code].id)
            )
            if row is not None:
                await moves.unassign(session, world.market.id, world.day.id, world.boss,
                                        vendor_id=row.vendor_id, reason="자리 비우기")
        rows = await session.scalars(select(UnplacedVendor.vendor_id))
        return list(rows.all())


def _mover(world: World, vendor_id: int, code: str) -> Work:
    async def work(session: AsyncSession) -> Any:
        return await moves.move(session, world.market.id, world.day.id, world.boss,
                                   vendor_id=vendor_id, booth_code=code, reason="경합")

    return work


def _fits_standard(world: World, vendor_id: int) -> bool:
    app = next(a for a in world.applications if a.vendor_id == vendor_id)
    return not app.needs_power and app.min_booth_size != "large"


@needs_postgres
async def test_organizers_racing_vendors_into_one_empty_booth_place_exactly_one(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    waiting = await _draft_with_free_booths(session_factory, world, ["A-02", "A-05"])
    movers = [v for v in waiting if _fits_standard(world, v)]
    assert len(movers) >= 2
    outcomes = await race(session_factory, [_mover(world, v, "A-02") for v in movers * 3])
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) <= {"ok", "booth_taken"}
    async with session_factory() as session:
        rows = (await session.scalars(
            select(Assignment).where(Assignment.booth_id == world.booths["A-02"].id)
        )).all()
        assert len(rows) == 1
        vendors = (await session.scalars(select(Assignment.vendor_id))).all()
        assert len(vendors) == len(set(vendors))  # nobody in two booths either
        move_rows = (await session.scalars(
            select(AssignmentAuditLog).where(AssignmentAuditLog.action == AuditAction.MOVE)
        )).all()
        assert len(move_rows) == 1  # a refused move leaves no audit row


@needs_postgres
async def test_moves_racing_publication_are_either_published_or_refused(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    waiting = await _draft_with_free_booths(session_factory, world, ["A-02", "A-05"])
    movers = [v for v in waiting if _fits_standard(world, v)][:2]

    async def publish(session: AsyncSession) -> Any:
        return await publishing.publish(session, world.market.id, world.day.id, world.boss)

    works: list[Work] = [_mover(world, movers[0], "A-02"), publish,
                         _mover(world, movers[1], "A-05")]
    outcomes = await race(session_factory, works)
    assert outcomes[1] == "ok"
    assert set(outcomes) <= {"ok", "assignment_published"}
    async with session_factory() as session:
        statuses = set((await session.scalars(select(Assignment.status))).all())
        assert statuses == {BoardStatus.PUBLISHED}  # no move slipped in after publishing
        log = (await session.scalars(
            select(AssignmentAuditLog).order_by(AssignmentAuditLog.id)
        )).all()
        published_at = next(e.id for e in log if e.action is AuditAction.PUBLISH)
        late = [e for e in log if e.action is AuditAction.MOVE and e.id > published_at]
        assert late == []


async def test_the_database_itself_refuses_a_second_vendor_in_a_booth_and_a_second_booth(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    """Without the services and their lock: the unique constraints are the last word."""
    async with session_factory() as session:
        await runs.run_assignment(session, world.market.id, world.boss,
                                      day_ids=[world.day.id])
        rows = (await session.scalars(select(Assignment).order_by(Assignment.id))).all()
        held, freed = rows[0], rows[1]
        await moves.unassign(session, world.market.id, world.day.id, world.boss,
                                vendor_id=freed.vendor_id, reason="자리 비우기")
    clashes = [
        {"booth_id": held.booth_id, "vendor_id": freed.vendor_id},  # booth already held
        {"booth_id": freed.booth_id, "vendor_id": held.vendor_id},  # vendor already placed
    ]
    for values in clashes:
        async with session_factory() as session:
            session.add(Assignment(market_day_id=world.day.id, status=BoardStatus.DRAFT,
                                   **values))
            with pytest.raises(IntegrityError):
                await session.commit()


@needs_postgres
async def test_organizers_racing_one_booth_to_two_regulars_grant_it_once(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    """The unique (market, season, booth) constraint decides; the loser gets booth_taken."""
    from markets.assignment import regulars
    from markets.assignment.models import RegularBooth
    from tests.markets.assignment.conftest import SEASON

    def grant(vendor_id: int) -> Work:
        async def work(session: AsyncSession) -> Any:
            return await regulars.grant_regular_booth(
                session, world.market.id, world.boss, season=SEASON, vendor_id=vendor_id,
                booth_code="A-02",
            )

        return work

    outcomes = await race(session_factory, [grant(v.id) for v in world.vendors[:4]] * 2)
    assert set(outcomes) <= {"ok", "booth_taken"}
    async with session_factory() as session:
        rows = (await session.scalars(select(RegularBooth))).all()
    assert len(rows) == 1 and rows[0].booth_id == world.booths["A-02"].id
    assert outcomes.count("ok") >= 1


@needs_postgres
async def test_organizers_racing_to_replace_one_regulars_booth_leave_it_one_booth(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    """A regular may hold several booths, so no constraint stops two replacing grants
    (without ``add``) from both landing: the vendor's applications are locked per grant,
    and the last one wins alone."""
    from markets.assignment import regulars
    from markets.assignment.models import RegularBooth
    from tests.markets.assignment.conftest import SEASON

    vendor_id = world.vendors[5].id

    def grant(code: str) -> Work:
        async def work(session: AsyncSession) -> Any:
            return await regulars.grant_regular_booth(
                session, world.market.id, world.boss, season=SEASON, vendor_id=vendor_id,
                booth_code=code,
            )

        return work

    outcomes = await race(session_factory, [grant(c) for c in ("A-02", "A-03", "A-04", "A-05")])
    assert outcomes == ["ok"] * 4
    async with session_factory() as session:
        rows = (await session.scalars(select(RegularBooth))).all()
    assert len(rows) == 1 and rows[0].vendor_id == vendor_id

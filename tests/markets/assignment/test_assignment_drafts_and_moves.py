"""Running the optimiser into a draft, adjusting it by hand with reasons, publishing it."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict, DomainError, Forbidden, InvalidInput
from infra.outbox import OutboxEvent
from markets.assignment import moves, publishing, queries, runs
from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AssignmentBoard,
    AuditAction,
    BoardStatus,
    UnplacedVendor,
)
from markets.days.models import MarketDay
from tests.markets.assignment.conftest import World
from tests.markets.market_world import Snapshot, event_names
from tests.shop.factories import make_user


async def placements(session: AsyncSession, day_id: int) -> dict[int, str]:
    view = await queries.board_view(session, await session.get_one(MarketDay, day_id))
    return {p.vendor_id: p.booth.code for p in view.placements}


async def test_a_run_places_the_days_accepted_vendors_and_says_why_for_the_rest(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        summary = await runs.run_assignment(
            session, world.market.id, world.boss, day_ids=[world.day.id], reason="첫 배정"
        )
    assert summary.placed == {world.day.id: 5} and summary.unplaced == {world.day.id: 1}
    async with session_factory() as session:
        placed = await placements(session, world.day.id)
        unplaced = (await session.scalars(select(UnplacedVendor))).all()
        board = await session.scalar(select(AssignmentBoard))
        audit = (await session.scalars(select(AssignmentAuditLog))).all()
        names = await event_names(session)
    v = [x.id for x in world.vendors]
    assert set(placed) == set(v[:5])  # the waitlisted and withdrawn ones are not considered
    assert placed[v[0]] in ("A-01", "A-03")  # needs power
    assert placed[v[2]] == "A-04"  # needs the large booth
    assert [(u.vendor_id, u.reason) for u in unplaced] == [(v[5], "lower_tier")]  # lowest tier
    assert board is not None and board.status is BoardStatus.DRAFT
    assert [(a.action, a.reason, a.actor_user_id) for a in audit] == [
        (AuditAction.RUN, "첫 배정", world.boss.id)
    ]
    assert names == ["assignment.drafted"]


async def test_a_second_run_replaces_the_draft(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        for _ in range(2):
            await runs.run_assignment(session, world.market.id, world.boss,
                                          day_ids=[world.day.id])
        assert len((await session.scalars(select(Assignment))).all()) == 5
        assert len((await session.scalars(select(UnplacedVendor))).all()) == 1


async def test_manual_changes_need_a_reason_keep_the_hard_rules_and_are_logged(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    m, d = world.market.id, world.day.id
    v = [x.id for x in world.vendors]
    async with session_factory() as session:
        await runs.run_assignment(session, m, world.boss, day_ids=[d])
    async with session_factory() as session:
        before = await Snapshot.take(session, Assignment, UnplacedVendor, AssignmentAuditLog)
        placed = await placements(session, d)
        refusals = [
            (dict(vendor_id=v[5], booth_code="A-02", reason=" "), InvalidInput, "reason"),
            (dict(vendor_id=v[5], booth_code=placed[v[1]], reason="요청"), Conflict, "booth_code"),
            (dict(vendor_id=v[6], booth_code="A-02", reason="요청"), DomainError, "vendor_id"),
            (dict(vendor_id=v[5], booth_code="Z-99", reason="요청"), DomainError, "booth_code"),
        ]
        for kwargs, error, field in refusals:
            with pytest.raises(error) as caught:
                await moves.move(session, m, d, world.boss, **kwargs)  # type: ignore[arg-type]
            assert caught.value.field == field, kwargs
            await session.rollback()
        # The power-needing vendor cannot be swapped into a booth without power.
        plain = next(c for c in ("A-02", "A-05") if c in placed.values())
        other = next(k for k, c in placed.items() if c == plain)
        with pytest.raises(Conflict) as caught:
            await moves.swap(session, m, d, world.boss, vendor_id=v[0], other_vendor_id=other,
                                reason="요청")
        assert caught.value.code == "booth_unsuitable"
        await session.rollback()
        after_refusals = await Snapshot.take(session, Assignment, UnplacedVendor,
                                             AssignmentAuditLog)
        assert after_refusals == before

        # Now real changes: take v1 out, put v5 in its booth, swap two plain vendors.
        freed = placed[v[1]]
        await moves.unassign(session, m, d, world.boss, vendor_id=v[1], reason="본인 요청")
        await moves.move(session, m, d, world.boss, vendor_id=v[5], booth_code=freed,
                            reason="대기 업체 배정")
        await moves.swap(session, m, d, world.boss, vendor_id=v[3], other_vendor_id=v[4],
                            reason="공연장 소음")
    async with session_factory() as session:
        after = await placements(session, d)
        assert after[v[5]] == freed and v[1] not in after
        assert (after[v[3]], after[v[4]]) == (placed[v[4]], placed[v[3]])
        unplaced = (await session.scalars(select(UnplacedVendor))).all()
        assert [(u.vendor_id, u.reason, u.detail) for u in unplaced] == [
            (v[1], "manual", "본인 요청")
        ]
        log = (await session.scalars(
            select(AssignmentAuditLog).order_by(AssignmentAuditLog.id)
        )).all()
        assert [(e.action, e.reason) for e in log[1:]] == [
            (AuditAction.UNASSIGN, "본인 요청"), (AuditAction.MOVE, "대기 업체 배정"),
            (AuditAction.SWAP, "공연장 소음"),
        ]
        assert log[2].to_booth_code == freed and log[3].from_booth_code == placed[v[3]]
        assert all(e.actor_user_id == world.boss.id for e in log)


async def test_publishing_tells_vendors_freezes_the_draft_and_reopening_needs_a_reason(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    m, d = world.market.id, world.day.id
    v = [x.id for x in world.vendors]
    async with session_factory() as session:
        await runs.run_assignment(session, m, world.boss, day_ids=[d])
        assert await queries.published_names(session, d) == {}
        await publishing.publish(session, m, d, world.boss)
    async with session_factory() as session:
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.name == "assignment.published")
        )
        assert event is not None
        assert {p["vendor_id"] for p in event.payload["placements"]} == set(v[:5])
        assert event.payload["unplaced"] == [{"vendor_id": v[5], "reason": "lower_tier"}]
        statuses = Counter((await session.scalars(select(Assignment.status))).all())
        assert statuses == Counter({BoardStatus.PUBLISHED: 5})
        names = await queries.published_names(session, d)
        assert sorted(names.values()) == sorted(x.name for x in world.vendors[:5])
        codes = await queries.published_booth_codes(session, v[2], [d, world.days[1].id])
        assert codes == {d: "A-04"}
        for attempt in (
            moves.move(session, m, d, world.boss, vendor_id=v[5], booth_code="A-02",
                          reason="x"),
            runs.run_assignment(session, m, world.boss, day_ids=[d]),
            publishing.publish(session, m, d, world.boss),
        ):
            with pytest.raises(Conflict):
                await attempt
            await session.rollback()
        with pytest.raises(InvalidInput):
            await publishing.reopen(session, m, d, world.boss, reason="")
        await session.rollback()
        await publishing.reopen(session, m, d, world.boss, reason="우천으로 배치 변경")
        assert await queries.published_names(session, d) == {}
        assert (await event_names(session))[-1] == "assignment.reopened"


async def test_publishing_refuses_a_booth_that_was_deactivated_after_the_run(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    from markets.booths.services import set_active

    async with session_factory() as session:
        await runs.run_assignment(session, world.market.id, world.boss,
                                      day_ids=[world.day.id])
        await set_active(session, world.market.id, world.booths["A-04"].id, world.boss,
                         active=False, reason="천막 파손")
        with pytest.raises(Conflict) as caught:
            await publishing.publish(session, world.market.id, world.day.id, world.boss)
        assert caught.value.code == "inactive_booth_assigned"


async def test_only_organizers_run_and_change_assignments(
    session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with session_factory() as session:
        shopper = await make_user(session)
        await session.commit()
        with pytest.raises(Forbidden):
            await runs.run_assignment(session, world.market.id, shopper,
                                          day_ids=[world.day.id])
        with pytest.raises(Forbidden):
            await publishing.publish(session, world.market.id, world.day.id, None)

"""The loan state machine: only the allowed moves happen, refused ones are 409 and change
nothing, and every move records who made it and why. Only the desk runs the desk."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict, Forbidden, InvalidInput
from markets.lending import booking, desk, inventory, queries
from markets.lending.models import LOAN_TRANSITIONS, LoanStatus, LoanStatusChange
from tests.markets.lending.conftest import NOW, World, kst


def test_the_transition_table_is_the_one_the_issue_describes() -> None:
    allowed = {(a.value, b.value) for a, targets in LOAN_TRANSITIONS.allowed.items()
               for b in targets}
    assert allowed == {
        ("requested", "reserved"), ("requested", "cancelled"),
        ("reserved", "checked_out"), ("reserved", "cancelled"),
        ("checked_out", "returned"), ("checked_out", "overdue"),
        ("overdue", "returned"),
    }


Change = tuple[str | None, str, int | None, str]


async def _history(session: AsyncSession, loan_id: int) -> list[Change]:
    rows = await session.scalars(select(LoanStatusChange).where(
        LoanStatusChange.loan_id == loan_id).order_by(LoanStatusChange.id))
    return [(c.from_status.value if c.from_status else None, c.to_status.value,
             c.actor_user_id, c.reason) for c in rows]


async def test_a_market_day_loan_through_its_whole_life_records_who_and_why(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = (await booking.book_loan(session, world.owner, world.booking(), now=NOW)).id
        await desk.check_out(session, world.organizer, loan_id, now=kst(world.day.day, 10))
        await desk.check_in(session, world.organizer, loan_id, now=kst(world.day.day, 16, 20))
        assert await _history(session, loan_id) == [
            (None, "requested", world.owner.id, "대여 신청"),
            ("requested", "reserved", None, "장날 대여는 자동으로 확정됩니다"),
            ("reserved", "checked_out", world.organizer.id, "장비 수령"),
            ("checked_out", "returned", world.organizer.id, "장비 반납"),
        ]


@pytest.mark.parametrize("step", ["check_in", "confirm"])
async def test_refused_transitions_are_409_and_change_nothing(
    world: World, session_factory: async_sessionmaker[AsyncSession], step: str,
) -> None:
    async with session_factory() as session:
        loan_id = (await booking.book_loan(session, world.owner, world.booking(), now=NOW)).id
        before = await _history(session, loan_id)
        with pytest.raises(Conflict) as refused:
            if step == "check_in":
                await desk.check_in(session, world.organizer, loan_id, now=NOW)
            else:
                await desk.confirm_loan(session, world.organizer, loan_id)
        assert refused.value.status_code == 409
        assert refused.value.code == "loan_invalid_transition"
        assert refused.value.extra["current"] == "reserved"
        assert await _history(session, loan_id) == before


async def test_a_loan_out_at_the_market_cannot_be_cancelled_or_checked_out_twice(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = (await booking.book_loan(session, world.owner, world.booking(), now=NOW)).id
        await desk.check_out(session, world.organizer, loan_id, now=kst(world.day.day, 10))
        with pytest.raises(Conflict):
            await booking.cancel_loan(session, world.owner, loan_id)
        with pytest.raises(Conflict):
            await desk.check_out(session, world.organizer, loan_id)
        assert (await queries.loan_for(session, world.owner, loan_id)).status is (
            LoanStatus.CHECKED_OUT)


async def test_only_organizers_run_the_desk_and_only_members_see_a_vendors_loan(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = (await booking.book_loan(session, world.owner, world.booking(), now=NOW)).id
        with pytest.raises(Forbidden):
            await desk.check_out(session, world.owner, loan_id)
        with pytest.raises(Forbidden):
            await queries.loan_for(session, world.outsider, loan_id)
        with pytest.raises(Forbidden):  # a member of another vendor cannot book for this one
            await booking.book_loan(session, world.other_owner, world.booking(), now=NOW)
        with pytest.raises(Forbidden):
            await inventory.add_item(session, world.owner, world.market.id, name="텐트",
                                    quantity=1)


async def test_the_desk_must_say_why_it_cancels_a_vendors_loan(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan_id = (await booking.book_loan(session, world.owner, world.booking(), now=NOW)).id
        with pytest.raises(InvalidInput) as refused:
            await booking.cancel_loan(session, world.organizer, loan_id, "  ")
        assert refused.value.field == "reason"
        await booking.cancel_loan(session, world.organizer, loan_id, "장비 점검 일정")
        assert (await _history(session, loan_id))[-1] == (
            "reserved", "cancelled", world.organizer.id, "장비 점검 일정")

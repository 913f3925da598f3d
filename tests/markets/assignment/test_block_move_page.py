"""묶음 옮기기 on the board page: a vendor holding two booths side by side gets its own
form, whose picker offers every run of two that is empty or its own, so shifting the block
by one booth along the row (onto one of its own booths) is offered and done. A run through
another vendor's booth, past a gap (a booth taken off the map) or past the row's end is
not offered, and a stale form asking for one is refused beside that form.

World (conftest): one row A-01..A-05 touching each other. 협동조합1 asks for exactly two
booths and gets A-02 + A-03 (the other four vendors sit in A-01, A-04, A-05 and one waits).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from markets.applications.models import Application
from markets.assignment import moves
from markets.assignment.models import Assignment, AssignmentAuditLog, AssignmentBlockBooth
from markets.booths.models import Booth
from tests.markets.assignment.conftest import World
from tests.markets.market_world import Snapshot, csrf_from, login


async def _two_booth_stall(
    client: AsyncTestClient[Any], world: World, factory: async_sessionmaker[AsyncSession]
) -> tuple[str, str]:
    """The board's address and a CSRF token, once the run gave the stall A-02 + A-03 and
    the vendor in A-04 was taken out by hand (A-04 empty)."""
    async with factory() as session:
        app = await session.get(Application, world.applications[1].id)
        assert app is not None
        app.booths_min, app.booths_max = 2, 2
        await session.commit()
    await login(client, world.boss.email)
    url = f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment"
    token = csrf_from((await client.get(url)).text)
    ran = await client.post(f"{url}/run", data={"_csrf_token": token, "reason": "초안"})
    assert "자동 배정 초안을 만들었습니다" in ran.text
    async with factory() as session:
        in_a04 = await session.scalar(select(Assignment.vendor_id).where(
            Assignment.booth_id == world.booths["A-04"].id))
    freed = await client.post(f"{url}/unassign", data={
        "_csrf_token": token, "vendor_id": str(in_a04), "reason": "자리 비움"})
    assert "배정을 취소했습니다" in freed.text
    return url, token


def _offered(html: str, vendor_id: int) -> list[tuple[str, str]]:
    """(start, label) of the block form's picker for one vendor."""
    select_html = re.search(
        rf'<select id="f-block-{vendor_id}-booth" name="booth_code">(.*?)</select>', html, re.S)
    if select_html is None:
        return []
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select_html.group(1))


async def _block(factory: async_sessionmaker[AsyncSession], vendor_id: int) -> list[str]:
    async with factory() as session:
        row = await session.scalar(select(Assignment).where(Assignment.vendor_id == vendor_id))
        assert row is not None
        ids = [row.booth_id, *(await session.scalars(select(AssignmentBlockBooth.booth_id).where(
            AssignmentBlockBooth.assignment_id == row.id)))]
        codes = {b.id: b.code for b in await session.scalars(select(Booth))}
        return sorted(codes[i] for i in ids)


async def test_the_picker_offers_a_shift_onto_the_blocks_own_booth_and_it_moves(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    url, token = await _two_booth_stall(client, world, session_factory)
    stall = world.vendors[1].id
    page = await client.get(url)
    assert "묶음 옮기기 (여러 부스 업체)" in page.text and "지금 2칸: A-02 + A-03" in page.text
    # One along the row, starting on its own A-03; A-01 and A-05 are other vendors'.
    assert _offered(page.text, stall) == [("A-03", "A-03 + A-04")]

    moved = await client.post(f"{url}/move", data={
        "_csrf_token": token, "vendor_id": str(stall), "whole_block": "1", "block_form": "1",
        "booth_code": "A-03", "reason": "통로 쪽으로 한 칸"})
    assert moved.status_code == 200 and "A-03 부스부터 묶음째 옮겼습니다." in moved.text
    assert await _block(session_factory, stall) == ["A-03", "A-04"]
    assert "2칸: A-03 + A-04" in moved.text
    assert "통로 쪽으로 한 칸 (묶음 2칸: A-03 + A-04)" in moved.text  # the audit log
    # And back by one: A-02 is empty again, A-03 its own.
    assert _offered(moved.text, stall) == [("A-02", "A-02 + A-03")]
    back = await client.post(f"{url}/move", data={
        "_csrf_token": token, "vendor_id": str(stall), "whole_block": "1", "block_form": "1",
        "booth_code": "A-02", "reason": "원래 자리"})
    assert "A-02 부스부터 묶음째 옮겼습니다." in back.text
    assert await _block(session_factory, stall) == ["A-02", "A-03"]
    async with session_factory() as session:
        assert len((await session.scalars(select(AssignmentBlockBooth))).all()) == 1


async def test_a_run_through_a_gap_another_vendor_or_its_own_place_is_refused_beside_the_form(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    url, token = await _two_booth_stall(client, world, session_factory)
    stall = world.vendors[1].id
    async with session_factory() as session:  # A-04 taken off the map: a gap after A-03
        booth = await session.get(Booth, world.booths["A-04"].id)
        assert booth is not None
        booth.is_active = False
        await session.commit()
    page = await client.get(url)
    assert _offered(page.text, stall) == []
    assert "옮길 수 있는 묶음이 없습니다" in page.text
    async with session_factory() as session:
        before = await Snapshot.take(session, Assignment, AssignmentBlockBooth,
                                     AssignmentAuditLog)
    for start, says in (
        ("A-03", "'A-03' 부스부터 2칸이 한 줄로 붙어 있지 않습니다 (통로·기둥·줄 끝)."),
        ("A-05", "'A-05' 부스부터 2칸이 한 줄로 붙어 있지 않습니다 (통로·기둥·줄 끝)."),
        ("A-01", "A-01 + A-02 중에 다른 업체가 쓰는 부스가 있습니다."),
        ("A-02", "이미 이 부스 묶음에 배정되어 있습니다."),
    ):
        refused = await client.post(f"{url}/move", data={
            "_csrf_token": token, "vendor_id": str(stall), "whole_block": "1",
            "block_form": "1", "booth_code": start, "reason": "묶음 이동"})
        assert refused.status_code == 409, (start, refused.status_code)
        shown = re.search(rf'<p class="error" id="e-block\.{stall}\.booth_code">(.*?)</p>',
                          refused.text)
        assert shown is not None and html.unescape(shown.group(1)) == says, start
    async with session_factory() as session:
        assert await Snapshot.take(session, Assignment, AssignmentBlockBooth,
                                   AssignmentAuditLog) == before
    assert await _block(session_factory, stall) == ["A-02", "A-03"]


def _row(gap_after: str | None = None) -> list[Booth]:
    """A-01..A-06, 3 m wide side by side; ``gap_after`` leaves 3 m of path after a booth."""
    booths, x = [], 0.0
    for n in range(1, 7):
        code = f"A-0{n}"
        booths.append(Booth(code=code, zone="A", x=x, y=0.0, width=3.0, height=3.0,
                            adjacent_codes=[], is_active=True, position_order=n))
        x += 6.0 if code == gap_after else 3.0
    return booths


def test_a_three_booth_block_is_offered_every_run_it_can_shift_to_and_no_run_across_a_gap(
) -> None:
    own = frozenset({"A-02", "A-03", "A-04"})
    # A-01 is another vendor's: one right (starting on its own A-03) and two right are left.
    assert moves.block_moves(_row(), own, frozenset({"A-01"})) == [
        ("A-03", "A-04", "A-05"), ("A-04", "A-05", "A-06")]
    # A path after A-04: every run to the right crosses it, nothing is offered ...
    assert moves.block_moves(_row("A-04"), own, frozenset({"A-01"})) == []
    # ... and asking for it anyway is refused naming the field.
    with pytest.raises(Conflict) as refused:
        moves._window_from(_row("A-04"), "A-03", 3)
    assert (refused.value.code, refused.value.field) == ("no_adjacent_block", "booth_code")
    assert moves._window_from(_row("A-04"), "A-02", 3) == ("A-02", "A-03", "A-04")

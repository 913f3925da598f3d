"""A stall asking for two booths side by side, end to end: the run writes its block, the
board (page and API) shows it, and a hand-made move never lands on a block's booth.

World (conftest): one row A-01..A-05 touching each other; A-01 and A-05 are corners (no
block uses a rotating booth), so the only two-booth runs are A-02+A-03 and A-03+A-04.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.applications.models import Application
from markets.assignment.models import AssignmentBlockBooth
from tests.markets.assignment.conftest import World
from tests.markets.market_world import login


async def test_a_two_booth_stall_gets_neighbouring_booths_and_the_board_shows_them(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}"
    stall = world.vendors[1]  # tier 1, household; asks for exactly two booths
    async with session_factory() as session:
        app = await session.get(Application, world.applications[1].id)
        assert app is not None
        app.booths_min, app.booths_max = 2, 2
        await session.commit()
    run = await client.post(f"{base}/days/{world.day.id}/assignment/run", json={}, headers=auth)
    assert run.status_code == 200, run.text
    board = (await client.get(f"{base}/days/{world.day.id}/assignment", headers=auth)).json()
    mine = next(p for p in board["placements"] if p["vendor_id"] == stall.id)
    block = sorted([mine["booth_code"], *mine["block_booth_codes"]])
    # Least waste: A-02 (standard) + A-03 (standard, power) beats A-03 + A-04 (large).
    assert block == ["A-02", "A-03"]
    held = [p["booth_code"] for p in board["placements"]]
    assert not set(mine["block_booth_codes"]) & set(held)  # nobody else in the block
    async with session_factory() as session:
        rows = (await session.scalars(select(AssignmentBlockBooth))).all()
        assert len(rows) == 1

    await login(client, world.boss.email)
    page = await client.get(f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment")
    assert "2칸: A-02 + A-03" in page.text and "여러 부스 업체 1곳" in page.text
    assert page.text.count(stall.name) >= 3  # the table and both booths on the map

    # Moving someone onto the block's other booth is refused, naming the field.
    other_code = mine["block_booth_codes"][0]
    someone = next(p for p in board["placements"] if p["vendor_id"] != stall.id)
    moved = await client.post(
        f"{base}/days/{world.day.id}/assignment/moves",
        json={"action": "move", "vendor_id": someone["vendor_id"], "booth_code": other_code,
              "reason": "시험 이동"},
        headers=auth,
    )
    assert moved.status_code == 409 and moved.json()["errors"][0]["field"] == "booth_code"


async def test_an_organizer_moves_a_whole_block_and_a_run_that_is_not_free_is_refused(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """The stall holds A-02+A-03 after the run. With A-04 freed by hand it moves as a block
    to A-03+A-04 (its own A-03 counts as free); a run reaching A-05 (held) or past the row's
    end is refused naming ``booth_code``, and the block is left as it was."""
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}/days/{world.day.id}/assignment"
    stall = world.vendors[1]
    async with session_factory() as session:
        app = await session.get(Application, world.applications[1].id)
        assert app is not None
        app.booths_min, app.booths_max = 2, 2
        await session.commit()
    assert (await client.post(f"{base}/run", json={}, headers=auth)).status_code == 200
    board = (await client.get(base, headers=auth)).json()
    in_a04 = next(p for p in board["placements"] if p["booth_code"] == "A-04")
    freed = await client.post(f"{base}/moves", headers=auth, json={
        "action": "unassign", "vendor_id": in_a04["vendor_id"], "reason": "자리 비움"})
    assert freed.status_code == 200, freed.text

    def block_of(board: dict[str, Any]) -> list[str]:
        mine = next(p for p in board["placements"] if p["vendor_id"] == stall.id)
        return [mine["booth_code"], *mine["block_booth_codes"]]

    for start, code in (("A-04", "booth_taken"), ("A-05", "no_adjacent_block")):
        refused = await client.post(f"{base}/moves", headers=auth, json={
            "action": "move_block", "vendor_id": stall.id, "booth_code": start,
            "reason": "묶음 이동"})
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["field"] == "booth_code"
        assert refused.json()["code"] == code
    moved = await client.post(f"{base}/moves", headers=auth, json={
        "action": "move_block", "vendor_id": stall.id, "booth_code": "A-03",
        "reason": "묶음 이동"})
    assert moved.status_code == 200, moved.text
    assert block_of(moved.json()) == ["A-03", "A-04"]
    async with session_factory() as session:
        assert len((await session.scalars(select(AssignmentBlockBooth))).all()) == 1

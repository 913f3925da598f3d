"""A regular granted several booths, end to end: the API and the board page grant a second
booth, a run places the stall on all of them, one booth can be given up alone.

World (conftest): five booths A-01..A-05, six accepted vendors on day one; vendor 5 is the
lowest tier (-1).
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.applications.models import Application
from markets.assignment.models import Assignment, AssignmentBlockBooth
from tests.markets.assignment.conftest import SEASON, World
from tests.markets.market_world import csrf_from, login


async def test_a_regular_granted_two_booths_holds_both_on_the_day(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}"
    stall = world.vendors[5].id
    for code, add in (("A-02", False), ("A-05", True), ("A-05", True)):
        granted = await client.put(f"{base}/regulars", headers=auth, json={
            "season": SEASON, "vendor_id": stall, "booth_code": code, "add": add})
        assert granted.status_code == 200, granted.text
    listed = (await client.get(f"{base}/regulars?season={SEASON}", headers=auth)).json()
    assert [(r["vendor_id"], r["booth_code"]) for r in listed] == [
        (stall, "A-02"), (stall, "A-05")]
    # A booth of the stall is still nobody else's, even added.
    clash = await client.put(f"{base}/regulars", headers=auth, json={
        "season": SEASON, "vendor_id": world.vendors[1].id, "booth_code": "A-05",
        "add": True})
    assert clash.status_code == 409 and clash.json()["errors"][0]["field"] == "booth_code"

    run = await client.post(f"{base}/days/{world.day.id}/assignment/run", json={},
                            headers=auth)
    assert run.status_code == 200, run.text
    async with session_factory() as session:
        placed = {a.vendor_id: a.booth_id for a in await session.scalars(
            select(Assignment).where(Assignment.market_day_id == world.day.id))}
        held = set((await session.scalars(
            select(AssignmentBlockBooth.booth_id)
            .where(AssignmentBlockBooth.market_day_id == world.day.id))).all())
    assert placed[stall] == world.booths["A-02"].id  # lowest tier, both booths its own
    assert held == {world.booths["A-05"].id}
    others = {b for v, b in placed.items() if v != stall}
    assert not others & {world.booths["A-02"].id, world.booths["A-05"].id}
    board = (await client.get(f"{base}/days/{world.day.id}/assignment", headers=auth)).json()
    mine = next(p for p in board["placements"] if p["vendor_id"] == stall)
    assert (mine["regular_booth_code"], mine["block_booth_codes"]) == ("A-02", ["A-05"])

    # Giving up one booth keeps the other; a booth it does not hold is a 404 on the field;
    # a grant without "add" replaces all of them.
    one = await client.delete(f"{base}/regulars/{SEASON}/{stall}?booth_code=A-05",
                              headers=auth)
    assert one.status_code == 204
    listed = (await client.get(f"{base}/regulars?season={SEASON}", headers=auth)).json()
    assert [r["booth_code"] for r in listed] == ["A-02"]
    wrong = await client.delete(f"{base}/regulars/{SEASON}/{stall}?booth_code=A-04",
                                headers=auth)
    assert wrong.status_code == 404 and wrong.json()["errors"][0]["field"] == "booth_code"
    await client.put(f"{base}/regulars", headers=auth, json={
        "season": SEASON, "vendor_id": stall, "booth_code": "A-05", "add": True})
    await client.put(f"{base}/regulars", headers=auth, json={
        "season": SEASON, "vendor_id": stall, "booth_code": "A-03"})
    listed = (await client.get(f"{base}/regulars?season={SEASON}", headers=auth)).json()
    assert [r["booth_code"] for r in listed] == ["A-03"]


async def test_the_organizer_adds_a_second_booth_and_ends_one_on_the_board(
    client: AsyncTestClient[Any], world: World
) -> None:
    await login(client, world.boss.email)
    url = f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment"
    page = await client.get(url)
    assert "기존 고정 부스에 추가" in page.text
    token = csrf_from(page.text)
    stall = str(world.vendors[5].id)
    for code, add in (("A-02", {}), ("A-05", {"add": "on"})):
        done = await client.post(f"{url}/regulars", data={
            "_csrf_token": token, "vendor_id": stall, "booth_code": code, "reason": "큰 매대",
            **add})
        assert done.status_code == 200 and "고정 부스를 지정했습니다" in done.text
    assert "<td>A-02</td>" in done.text and "<td>A-05</td>" in done.text
    ended = await client.post(f"{url}/regulars/end", data={
        "_csrf_token": token, "vendor_id": stall, "booth_code": "A-02"})
    assert "고정 부스를 해제했습니다" in ended.text
    assert "<td>A-02</td>" not in ended.text and "<td>A-05</td>" in ended.text


async def test_a_stall_moves_as_a_whole_to_the_run_its_wish_names(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Decision 94 end to end. Vendor 5 is granted A-03 and A-04 and its application
    wishes A-02: the wish names the run A-02 A-03 in the row, so the stall moves there as
    a whole and A-04 is free for the others (the tier-1 vendor 1 has it); the board shows
    the stall on A-02 + A-03 with its own booth A-03."""
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}"
    stall = world.vendors[5].id
    for code, add in (("A-03", False), ("A-04", True)):
        granted = await client.put(f"{base}/regulars", headers=auth, json={
            "season": SEASON, "vendor_id": stall, "booth_code": code, "add": add})
        assert granted.status_code == 200, granted.text
    async with session_factory() as session:
        application = await session.get(Application, world.applications[5].id)
        assert application is not None
        application.preferred_booth_codes = ["A-02"]
        await session.commit()
    run = await client.post(f"{base}/days/{world.day.id}/assignment/run", json={},
                            headers=auth)
    assert run.status_code == 200, run.text
    board = (await client.get(f"{base}/days/{world.day.id}/assignment", headers=auth)).json()
    by_vendor = {p["vendor_id"]: p for p in board["placements"]}
    assert by_vendor[stall]["booth_code"] == "A-02"
    assert by_vendor[stall]["block_booth_codes"] == ["A-03"]
    assert by_vendor[stall]["regular_booth_code"] == "A-03"
    # A-04, its own booth left behind, went to someone else (the tier-1 vendor 1).
    assert by_vendor[world.vendors[1].id]["booth_code"] == "A-04"

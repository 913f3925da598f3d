"""The assignment API end to end: run, read the board, move with a reason, publish, and the
public map that shows names only once published."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.assignment.models import Assignment, AssignmentAuditLog, UnplacedVendor
from tests.markets.assignment.conftest import SEASON, World
from tests.markets.market_world import Snapshot


async def test_run_move_publish_and_the_public_map(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}/days/{world.day.id}"
    run = await client.post(f"{base}/assignment/run", json={"reason": "첫 배정"}, headers=auth)
    assert run.status_code == 200, run.text
    assert run.json()["placed"] == {str(world.day.id): 5}
    board = (await client.get(f"{base}/assignment", headers=auth)).json()
    assert board["status"] == "draft" and len(board["placements"]) == 5
    left_out = board["unplaced"][0]
    assert left_out["reason"] == "lower_tier" and left_out["reason_label"]

    # A move without a reason is a 400 naming the field, and changes nothing.
    async with session_factory() as session:
        before = await Snapshot.take(session, Assignment, UnplacedVendor, AssignmentAuditLog)
    taken = board["placements"][0]["booth_code"]
    for body, status, field in [
        ({"action": "move", "vendor_id": left_out["vendor_id"], "booth_code": taken,
          "reason": ""}, 400, "reason"),
        ({"action": "move", "vendor_id": left_out["vendor_id"], "booth_code": taken,
          "reason": "요청"}, 409, "booth_code"),
        ({"action": "move", "vendor_id": left_out["vendor_id"], "reason": "요청"}, 400,
         "booth_code"),
        ({"action": "swap", "vendor_id": left_out["vendor_id"], "reason": "요청"}, 400,
         "other_vendor_id"),
    ]:
        response = await client.post(f"{base}/assignment/moves", json=body, headers=auth)
        assert response.status_code == status, (body, response.text)
        assert response.json()["errors"][0]["field"] == field
    bad_action = await client.post(f"{base}/assignment/moves", headers=auth,
                                   json={"action": "teleport", "vendor_id": 1, "reason": "x"})
    assert bad_action.status_code == 400
    async with session_factory() as session:
        after = await Snapshot.take(session, Assignment, UnplacedVendor, AssignmentAuditLog)
    assert after == before

    out = board["placements"][1]
    moved = await client.post(
        f"{base}/assignment/moves", headers=auth,
        json={"action": "unassign", "vendor_id": out["vendor_id"], "reason": "불참 통보"},
    )
    assert moved.status_code == 200
    assert moved.json()["audit"][0]["reason"] == "불참 통보"

    public = await client.get(f"{base}/map")
    assert public.json()["published"] is False
    assert all(b["vendor_name"] is None for b in public.json()["booths"])
    published = await client.post(f"{base}/assignment/publish", headers=auth)
    assert published.status_code == 200 and published.json()["status"] == "published"
    public = (await client.get(f"{base}/map")).json()
    assert public["published"] is True
    assert sum(b["vendor_name"] is not None for b in public["booths"]) == 4
    again = await client.post(f"{base}/assignment/publish", headers=auth)
    assert again.status_code == 409 and again.json()["code"] == "assignment_invalid_transition"
    reopen = await client.post(f"{base}/assignment/reopen", json={"reason": ""}, headers=auth)
    assert reopen.status_code == 400 and reopen.json()["errors"][0]["field"] == "reason"


async def test_season_runs_policy_and_guards(client: AsyncTestClient[Any], world: World) -> None:
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}"
    caps = await client.put(f"{base}/assignment/policy", json={"category_caps": {"food": 2}},
                            headers=auth)
    assert caps.status_code == 200 and caps.json()["category_caps"] == {"food": 2}
    bad = await client.put(f"{base}/assignment/policy",
                           json={"category_caps": {"pets": 1, "food": -1}}, headers=auth)
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"category_caps.pets",
                                                          "category_caps.food"}
    run = await client.post(f"{base}/seasons/{SEASON}/assignment/run", headers=auth)
    assert run.status_code == 200
    assert len(run.json()["day_ids"]) == len(world.days)
    board = (await client.get(f"{base}/days/{world.day.id}/assignment", headers=auth)).json()
    reasons = [u["reason"] for u in board["unplaced"]]
    assert reasons.count("category_cap") == 1  # three food vendors, cap two
    assert (await client.post(f"{base}/seasons/{SEASON}/assignment/run")).status_code == 401
    stranger = await client.post(f"{base}/seasons/{SEASON}/assignment/run",
                                 headers=world.tokens["stranger"])
    assert stranger.status_code == 403
    empty = await client.post(f"{base}/seasons/1999/assignment/run", headers=auth)
    assert empty.status_code == 409 and empty.json()["code"] == "no_market_days"

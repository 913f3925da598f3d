"""Regulars' booths, years at the market and "only my wishes", end to end through the API.

World (conftest): five booths A-01..A-05, six accepted vendors on day one; vendor 5 is the
lowest tier (-1) and is left out when everyone comes.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.applications.models import Application
from markets.assignment.models import Assignment, UnplacedVendor
from tests.markets.assignment.conftest import SEASON, World
from tests.markets.market_world import login


async def _placements(session: AsyncSession, day_id: int) -> dict[int, int]:
    rows = await session.scalars(select(Assignment).where(Assignment.market_day_id == day_id))
    return {a.vendor_id: a.booth_id for a in rows}


async def test_a_regular_holds_its_booth_on_every_day_it_attends(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}"
    low = world.vendors[5].id
    granted = await client.put(
        f"{base}/regulars",
        json={"season": SEASON, "vendor_id": low, "booth_code": "A-02", "reason": "10년째 자리"},
        headers=auth,
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["booth_code"] == "A-02"
    years = await client.put(f"{base}/vendors/{low}/years", json={"years_at_market": 10},
                             headers=auth)
    assert years.json() == {"vendor_id": low, "years_at_market": 10}
    listed = (await client.get(f"{base}/regulars?season={SEASON}", headers=auth)).json()
    assert listed == [{"vendor_id": low, "booth_code": "A-02", "years_at_market": 10,
                       "reason": "10년째 자리"}]

    run = await client.post(f"{base}/days/{world.day.id}/assignment/run", json={},
                            headers=auth)
    assert run.status_code == 200, run.text
    async with session_factory() as session:
        placed = await _placements(session, world.day.id)
    assert placed[low] == world.booths["A-02"].id  # lowest tier, but the booth is its own
    board = (await client.get(f"{base}/days/{world.day.id}/assignment", headers=auth)).json()
    mine = next(p for p in board["placements"] if p["vendor_id"] == low)
    assert mine["regular_booth_code"] == "A-02"
    first = next(p for p in board["placements"] if p["vendor_id"] == world.vendors[0].id)
    assert first["wish_met"] == "first"  # vendor 0 wished A-01 (power, its only fit)

    await login(client, world.boss.email)
    page = await client.get(f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment")
    assert "1지망 1곳" in page.text and "고정 부스 업체 1곳" in page.text
    assert "<td>고정</td>" in page.text

    # The same booth for a second regular is a 409 naming the field; a booth that is not
    # in the layout a 404; years out of range a 400.
    other = world.vendors[1].id
    clash = await client.put(
        f"{base}/regulars",
        json={"season": SEASON, "vendor_id": other, "booth_code": "A-02"}, headers=auth,
    )
    assert clash.status_code == 409 and clash.json()["errors"][0]["field"] == "booth_code"
    missing = await client.put(
        f"{base}/regulars",
        json={"season": SEASON, "vendor_id": other, "booth_code": "Z-99"}, headers=auth,
    )
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "booth_code"
    bad = await client.put(f"{base}/vendors/{low}/years", json={"years_at_market": -1},
                           headers=auth)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "years_at_market"
    stranger = await client.put(
        f"{base}/regulars",
        json={"season": SEASON, "vendor_id": other, "booth_code": "A-03"},
        headers=world.tokens["stranger"],
    )
    assert stranger.status_code == 403

    ended = await client.delete(f"{base}/regulars/{SEASON}/{low}", headers=auth)
    assert ended.status_code == 204
    assert (await client.get(f"{base}/regulars?season={SEASON}", headers=auth)).json() == []


async def test_only_my_wishes_leaves_the_vendor_out_with_a_korean_reason(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Vendor 1 (tier 1) wants only A-03; vendor 0 (tier 2) is granted A-03 as its first
    wish, so vendor 1 is left out with wishes_taken rather than put elsewhere."""
    async with session_factory() as session:
        for n, codes, only in ((0, ["A-03"], False), (1, ["A-03"], True)):
            app = await session.scalar(
                select(Application).where(Application.vendor_id == world.vendors[n].id)
            )
            assert app is not None
            app.preferred_booth_codes, app.only_wishes = codes, only
        await session.commit()
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}/days/{world.day.id}"
    run = await client.post(f"{base}/assignment/run", json={}, headers=auth)
    assert run.status_code == 200, run.text
    board = (await client.get(f"{base}/assignment", headers=auth)).json()
    reasons = {u["vendor_id"]: (u["reason"], u["reason_label"]) for u in board["unplaced"]}
    reason, label = reasons[world.vendors[1].id]
    assert reason == "wishes_taken" and "희망 부스" in label
    async with session_factory() as session:
        placed = await _placements(session, world.day.id)
        assert placed[world.vendors[0].id] == world.booths["A-03"].id
        left = await session.scalar(
            select(UnplacedVendor).where(UnplacedVendor.vendor_id == world.vendors[1].id)
        )
        assert left is not None


async def test_a_cooking_booth_is_kept_for_the_food_vendor_that_needs_it(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A-02 gets a fire permit; vendor 5 (tier -1, left out otherwise) needs one. With the
    reservation on, it sits in A-02 and a higher tier is left out instead."""
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}"
    booth = world.booths["A-02"]
    patched = await client.patch(f"{base}/booths/{booth.id}",
                                 json={"properties": ["Cooking"]}, headers=auth)
    assert patched.status_code == 200, patched.text
    assert patched.json()["properties"] == ["cooking"]
    bad = await client.patch(f"{base}/booths/{booth.id}", json={"properties": ["불 사용"]},
                             headers=auth)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "properties"
    policy = await client.put(f"{base}/assignment/policy",
                              json={"category_caps": {}, "reserved_properties": ["cooking"]},
                              headers=auth)
    assert policy.status_code == 200 and policy.json()["reserved_properties"] == ["cooking"]
    async with session_factory() as session:
        app = await session.scalar(
            select(Application).where(Application.vendor_id == world.vendors[5].id)
        )
        assert app is not None
        app.needs_properties = ["cooking"]
        await session.commit()
    run = await client.post(f"{base}/days/{world.day.id}/assignment/run", json={},
                            headers=auth)
    assert run.status_code == 200, run.text
    async with session_factory() as session:
        placed = await _placements(session, world.day.id)
    assert placed[world.vendors[5].id] == booth.id

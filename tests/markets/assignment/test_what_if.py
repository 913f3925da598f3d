"""미리 보기: the organizer tries other rules on a day without touching its board."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.assignment.models import Assignment, AssignmentAuditLog, UnplacedVendor
from tests.markets.assignment.conftest import World
from tests.markets.market_world import Snapshot, csrf_from, login


async def test_a_preview_with_a_cap_shows_who_would_move_and_writes_nothing(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}/days/{world.day.id}/assignment"
    assert (await client.post(f"{base}/run", json={}, headers=auth)).status_code == 200
    async def placed() -> dict[int, int]:
        async with session_factory() as session:
            rows = await session.scalars(select(Assignment))
            return {a.vendor_id: a.booth_id for a in rows}

    seated = await placed()
    async with session_factory() as session:
        before = await Snapshot.take(session, Assignment, UnplacedVendor, AssignmentAuditLog)
    household = world.vendors[1].id  # the only household vendor, tier 1: placed now
    preview = await client.post(f"{base}/what-if", json={"category_caps": {"household": 0}},
                                headers=auth)
    assert preview.status_code == 200, preview.text
    out = preview.json()
    row = next(r for r in out["rows"] if r["vendor_id"] == household)
    assert row["booth_codes"] == [] and row["now_booth_codes"] != []
    assert row["reason"] == "category_cap" and row["changed"]
    assert out["category_caps"] == {"household": 0} and out["changed"] >= 1
    same = await client.post(f"{base}/what-if", json={}, headers=auth)
    assert same.json()["changed"] == 0  # the market's own rules give the current draft
    bad = await client.post(f"{base}/what-if", json={"category_caps": {"nonsense": 1}},
                            headers=auth)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "category_caps.nonsense"
    async with session_factory() as session:
        assert await Snapshot.take(session, Assignment, UnplacedVendor,
                                   AssignmentAuditLog) == before
    assert await placed() == seated

    await login(client, world.boss.email)
    url = f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment"
    token = csrf_from((await client.get(url)).text)
    page = await client.post(f"{url}/what-if", data={"_csrf_token": token, "cap.household": "0",
                                                     "reserved_properties": ""})
    assert page.status_code == 200 and "미리 보기 결과" in page.text
    assert "같은 품목 업체 수 상한에 걸림" in page.text


async def test_a_preview_with_another_tier_or_regular_booth_changes_only_the_preview(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Six vendors, five booths: the tier -1 vendor waits. Supposing it had tier 3, it
    sits and someone else waits; supposing it held A-04 (the only large booth) as a
    regular, it sits there and the vendor needing a large booth waits. Bad suppositions are
    refused naming the entry; the board is never touched."""
    auth = world.tokens["boss"]
    base = f"/api/markets/{world.market.id}/days/{world.day.id}/assignment"
    assert (await client.post(f"{base}/run", json={}, headers=auth)).status_code == 200
    async with session_factory() as session:
        before = await Snapshot.take(session, Assignment, UnplacedVendor, AssignmentAuditLog)
    low, large = world.vendors[5].id, world.vendors[2].id

    def row(out: dict[str, Any], vendor: int) -> dict[str, Any]:
        return next(r for r in out["rows"] if r["vendor_id"] == vendor)

    now = (await client.post(f"{base}/what-if", json={}, headers=auth)).json()
    assert row(now, low)["booth_codes"] == [] and row(now, low)["reason"] == "lower_tier"
    raised = await client.post(f"{base}/what-if", json={"tiers": {str(low): 3}}, headers=auth)
    assert raised.status_code == 200, raised.text
    assert row(raised.json(), low)["booth_codes"] != [] and raised.json()["unplaced"] == 1
    seated = await client.post(f"{base}/what-if", json={"regulars": {str(low): "A-04"}},
                               headers=auth)
    assert seated.status_code == 200, seated.text
    assert row(seated.json(), low)["booth_codes"] == ["A-04"]
    assert row(seated.json(), large)["booth_codes"] == []
    assert row(seated.json(), large)["reason"] == "market_full"  # its booth: a regular's
    for body, field in (({"tiers": {"999999": 1}}, "tiers.999999"),
                        ({"tiers": {str(low): 99}}, f"tiers.{low}"),
                        ({"regulars": {str(low): "Z-99"}}, f"regulars.{low}")):
        bad = await client.post(f"{base}/what-if", json=body, headers=auth)
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == field, bad.text
    async with session_factory() as session:
        assert await Snapshot.take(session, Assignment, UnplacedVendor,
                                   AssignmentAuditLog) == before

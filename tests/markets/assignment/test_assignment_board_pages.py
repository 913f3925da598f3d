"""The organizer's board page and the public market-day map page."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.assignment.models import Assignment, AssignmentAuditLog
from tests.markets.assignment.conftest import World
from tests.markets.market_world import Snapshot, csrf_from, login


async def test_the_board_runs_shows_reasons_refuses_a_move_without_reason_and_publishes(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client, world.boss.email)
    url = f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment"
    page = await client.get(url)
    assert page.status_code == 200 and "배정 전" in page.text
    token = csrf_from(page.text)
    ran = await client.post(f"{url}/run", data={"_csrf_token": token, "reason": "초안"},
                            follow_redirects=True)
    assert "자동 배정 초안을 만들었습니다" in ran.text
    assert ran.text.count('class="booth"') == 5  # the SVG map, one rect per booth
    assert "lower_tier" in ran.text and "자리 부족" in ran.text
    for vendor in world.vendors[:5]:
        assert vendor.name in ran.text

    async with session_factory() as session:
        before = await Snapshot.take(session, Assignment, AssignmentAuditLog)
        row = await session.scalar(select(Assignment).limit(1))
        assert row is not None
    refused = await client.post(
        f"{url}/unassign",
        data={"_csrf_token": token, "vendor_id": str(row.vendor_id), "reason": ""},
    )
    assert refused.status_code == 400
    assert 'id="e-unassign.reason"' in refused.text
    async with session_factory() as session:
        assert await Snapshot.take(session, Assignment, AssignmentAuditLog) == before

    done = await client.post(
        f"{url}/unassign",
        data={"_csrf_token": token, "vendor_id": str(row.vendor_id), "reason": "불참"},
        follow_redirects=True,
    )
    assert "배정을 취소했습니다" in done.text and "불참" in done.text
    public_url = f"/markets/{world.market.id}/days/{world.day.id}/map"
    before_publish = await client.get(public_url)
    assert "아직 게시되지 않았습니다" in before_publish.text
    published = await client.post(f"{url}/publish", data={"_csrf_token": token},
                                  follow_redirects=True)
    assert "배정을 게시했습니다" in published.text and "다시 열기" in published.text
    client.cookies.clear()  # the public page needs nobody signed in
    public = await client.get(public_url)
    assert public.status_code == 200 and "누가 어디에서 파나요" in public.text
    names_shown = [v.name for v in world.vendors[:5] if v.name in public.text]
    assert len(names_shown) == 4
    svg = await client.get(public_url + ".svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")


async def test_the_board_is_for_organizers(client: AsyncTestClient[Any], world: World) -> None:
    url = f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment"
    anonymous = await client.get(url, follow_redirects=False)
    assert anonymous.status_code in (302, 303)


async def test_the_organizer_grants_a_regular_booth_and_sets_years_on_the_board(
    client: AsyncTestClient[Any], world: World
) -> None:
    await login(client, world.boss.email)
    url = f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment"
    page = await client.get(url)
    assert "고정 부스와 연차" in page.text
    token = csrf_from(page.text)
    low = world.vendors[5]
    nobody = await client.post(f"{url}/regulars", data={
        "_csrf_token": token, "vendor_id": "", "booth_code": "A-02", "reason": ""})
    assert nobody.status_code == 400 and "업체를 고르세요" in nobody.text
    missing = await client.post(f"{url}/regulars", data={
        "_csrf_token": token, "vendor_id": str(low.id), "booth_code": "Z-99", "reason": ""})
    assert missing.status_code == 404 and 'id="e-regulars.booth_code"' in missing.text
    granted = await client.post(f"{url}/regulars", data={
        "_csrf_token": token, "vendor_id": str(low.id), "booth_code": "A-02",
        "reason": "10년째 자리"})
    assert granted.status_code == 200 and "고정 부스를 지정했습니다" in granted.text
    bad_years = await client.post(f"{url}/years", data={
        "_csrf_token": token, "vendor_id": str(low.id), "years_at_market": "백"})
    assert bad_years.status_code == 400 and 'id="e-regulars.years_at_market"' in bad_years.text
    years = await client.post(f"{url}/years", data={
        "_csrf_token": token, "vendor_id": str(low.id), "years_at_market": "10"})
    assert "연차를 저장했습니다" in years.text
    assert "<td>A-02</td><td>10년</td><td>10년째 자리</td>" in years.text
    ended = await client.post(f"{url}/regulars/end", data={
        "_csrf_token": token, "vendor_id": str(low.id)})
    assert "고정 부스를 해제했습니다" in ended.text
    assert "이 시즌에 지정한 고정 부스가 없습니다" in ended.text

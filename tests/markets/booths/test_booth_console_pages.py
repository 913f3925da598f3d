"""The organizer's booth console: forms add and edit booths; a wrong field comes back with
its message beside it and nothing saved."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.booths.models import Booth
from tests.markets.booths.conftest import World
from tests.markets.market_world import Snapshot, csrf_from, login


def form(token: str, **fields: str) -> dict[str, str]:
    values = {"_csrf_token": token, "code": "A-01", "zone": "A 먹거리", "size": "standard",
              "x": "0", "y": "0", "width": "3", "height": "3"}
    values.update(fields)
    return values


async def test_an_organizer_adds_edits_and_deactivates_a_booth(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client, world.boss.email)
    page = await client.get(f"/organizer/markets/{world.market.id}/booths")
    assert page.status_code == 200 and "부스 추가" in page.text
    token = csrf_from(page.text)
    base = f"/organizer/markets/{world.market.id}/booths"
    created = await client.post(base, data=form(token, has_power="on"), follow_redirects=True)
    assert created.status_code == 200
    assert "부스를 추가했습니다." in created.text
    assert 'class="booth"' in created.text  # the map preview draws it
    async with session_factory() as session:
        booth = await session.scalar(select(Booth).where(Booth.code == "A-01"))
        assert booth is not None and booth.has_power
    edit = await client.get(f"{base}/{booth.id}/edit")
    assert 'value="A 먹거리"' in edit.text
    saved = await client.post(f"{base}/{booth.id}/edit",
                              data=form(token, zone="B 공예", is_premium="on"),
                              follow_redirects=True)
    assert "부스를 저장했습니다." in saved.text
    gone = await client.post(f"{base}/{booth.id}/deactivate",
                             data={"_csrf_token": token, "reason": "공사"}, follow_redirects=True)
    assert "비활성화했습니다" in gone.text
    async with session_factory() as session:
        booth = await session.scalar(select(Booth).where(Booth.code == "A-01"))
        assert booth is not None
        assert (booth.zone, booth.is_premium, booth.has_power, booth.is_active) == (
            "B 공예", True, False, False)


async def test_a_wrong_form_shows_each_message_beside_its_field_and_saves_nothing(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client, world.boss.email)
    page = await client.get(f"/organizer/markets/{world.market.id}/booths")
    async with session_factory() as session:
        before = await Snapshot.take(session, Booth)
    response = await client.post(
        f"/organizer/markets/{world.market.id}/booths",
        data=form(csrf_from(page.text), code="", x="왼쪽", size="huge"),
    )
    assert response.status_code == 400
    for field in ("code", "x", "size"):
        assert f'id="e-{field}"' in response.text
    assert 'value="왼쪽"' in response.text  # what was typed comes back
    async with session_factory() as session:
        assert await Snapshot.take(session, Booth) == before


async def test_the_console_is_for_organizers(client: AsyncTestClient[Any], world: World) -> None:
    await login(client, world.stranger.email)
    response = await client.get(f"/organizer/markets/{world.market.id}/booths")
    assert response.status_code == 403

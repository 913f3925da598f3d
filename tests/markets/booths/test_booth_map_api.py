"""Organizers edit a market's booths through the API; bad input is a 4xx naming the field
and writes nothing; anyone may read the map."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.booths.models import Booth
from tests.markets.booths.conftest import World
from tests.markets.market_world import Snapshot, event_names


def booth(code: str = "A-01", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "zone": "A 먹거리", "size": "standard", "x": 0, "y": 0}
    body.update(extra)
    return body


def url(world: World, rest: str = "") -> str:
    return f"/api/markets/{world.market.id}/booths/{rest}"


async def test_an_organizer_builds_a_row_and_neighbours_follow_from_positions(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    for n, x in enumerate((0, 3, 6), start=1):
        response = await client.post(url(world), json=booth(f"A-0{n}", x=x, has_power=n == 1),
                                     headers=auth)
        assert response.status_code == 201, response.text
    listed = (await client.get(url(world))).json()
    assert [b["code"] for b in listed] == ["A-01", "A-02", "A-03"]
    assert {b["code"]: b["neighbours"] for b in listed} == {
        "A-01": ["A-02"], "A-02": ["A-01", "A-03"], "A-03": ["A-02"],
    }
    async with session_factory() as session:
        assert (await event_names(session)).count("booth.created") == 3


async def test_patch_changes_only_what_is_sent_and_explicit_neighbours_override(
    client: AsyncTestClient[Any], world: World
) -> None:
    auth = world.tokens["boss"]
    first = (await client.post(url(world), json=booth("A-01"), headers=auth)).json()
    await client.post(url(world), json=booth("A-02", x=3), headers=auth)
    await client.post(url(world), json=booth("Z-01", x=40), headers=auth)
    response = await client.patch(
        url(world, str(first["id"])), json={"is_premium": True, "adjacent_codes": ["Z-01"]},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["is_premium"] and body["zone"] == "A 먹거리" and body["x"] == 0
    assert body["neighbours"] == ["Z-01"]


async def test_bad_booths_are_refused_field_by_field_and_nothing_is_written(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    await client.post(url(world), json=booth("A-01"), headers=auth)
    async with session_factory() as session:
        before = await Snapshot.take(session, Booth)
    bad = booth("A 01!", size="huge", x=-1, width=0.2, adjacent_codes=["NOPE"])
    response = await client.post(url(world), json=bad, headers=auth)
    assert response.status_code == 400
    problem = response.json()
    assert {e["field"] for e in problem["errors"]} >= {"code", "size", "x", "width"}
    for body, status, field in [
        (booth("A-01", x=10), 409, "code"),  # same code
        (booth("A-02", x=1.5), 409, "x"),  # overlaps A-01
        (booth("A-02", x=10, adjacent_codes=["NOPE"]), 400, "adjacent_codes"),
        ({"code": "A-02", "size": "standard"}, 400, None),  # x and y missing
    ]:
        response = await client.post(url(world), json=body, headers=auth)
        assert response.status_code == status, (body, response.text)
        if field:
            assert response.json()["errors"][0]["field"] == field
    async with session_factory() as session:
        assert await Snapshot.take(session, Booth) == before


async def test_deactivated_booths_leave_the_public_list_and_can_come_back(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    auth = world.tokens["boss"]
    made = (await client.post(url(world), json=booth("A-01"), headers=auth)).json()
    response = await client.post(url(world, f"{made['id']}/deactivate"),
                                 json={"reason": "바닥 공사"}, headers=auth)
    assert response.status_code == 200 and response.json()["is_active"] is False
    again = await client.post(url(world, f"{made['id']}/deactivate"), headers=auth)
    assert again.status_code == 409 and again.json()["code"] == "booth_already_inactive"
    assert (await client.get(url(world))).json() == []
    everything = await client.get(url(world) + "?include_inactive=true", headers=auth)
    assert [b["code"] for b in everything.json()] == ["A-01"]
    back = await client.post(url(world, f"{made['id']}/activate"), headers=auth)
    assert back.json()["is_active"] is True
    async with session_factory() as session:
        names = await event_names(session)
        assert names[-2:] == ["booth.deactivated", "booth.reactivated"]
        row = await session.scalar(select(Booth).where(Booth.code == "A-01"))
        assert row is not None and row.is_active


async def test_only_organizers_edit_maps(client: AsyncTestClient[Any], world: World) -> None:
    assert (await client.post(url(world), json=booth())).status_code == 401
    forbidden = await client.post(url(world), json=booth(), headers=world.tokens["stranger"])
    assert forbidden.status_code == 403
    assert (await client.get(url(world))).status_code == 200
    missing = await client.post("/api/markets/999999/booths/", json=booth(),
                                headers=world.tokens["boss"])
    assert missing.status_code == 404 and missing.json()["code"] == "market_not_found"


async def test_the_map_is_served_as_svg(client: AsyncTestClient[Any], world: World) -> None:
    await client.post(url(world), json=booth("A-01", is_premium=True), headers=world.tokens["boss"])
    response = await client.get(url(world, "map.svg"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.count('class="booth"') == 1

"""Markets have organizers: only the owner, its co-organizers and platform admins run a
market. Every organizer-console write and read refuses an organizer of other markets with a
403 problem (``not_market_organizer``); the owner adds and removes co-organizers, an admin
names the owner; the demo organizer runs the demo markets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.errors import Forbidden
from markets import access
from markets.applications.models import Application, ApplicationStatus, MarketCriterion
from markets.assignment import runs
from markets.booths.models import Booth, BoothSize
from markets.days.models import BoothFee
from markets.days.services import cancel_market_day
from markets.lending import inventory as lending
from markets.lending.models import Loan
from markets.models import Market, MarketOrganizer
from tests.markets.applications.conftest import SEASON, World
from tests.markets.market_world import (
    Snapshot,
    add_market,
    bearer,
    booked,
    csrf_from,
    detached,
    login,
    organizer,
)
from tests.shop.factories import make_user

Client = AsyncTestClient[Any]


@pytest.fixture
async def other(world: World, session_factory: async_sessionmaker[AsyncSession]) -> User:
    """The owner of another market (광화문): an organizer, but not of 동진시장."""
    async with session_factory() as session:
        market = await add_market(session, "광화문 사회적경제 장터")
        user = await organizer(session, market)
        await session.commit()
        detached(session, user)
    return user


@pytest.fixture
async def setting(world: World, session_factory: async_sessionmaker[AsyncSession]
                  ) -> dict[str, int]:
    """An accepted application with a fee, a booth, a kit and a loan at 동진시장."""
    async with session_factory() as session:
        app = await booked(session, world.market, world.vendors[0], SEASON)
        pending = await booked(session, world.market, world.vendors[1], SEASON,
                               status=ApplicationStatus.SUBMITTED)
        fee = BoothFee(market_day_id=world.days[0].id, vendor_id=world.vendors[0].id,
                       application_id=app.id, amount=5000)
        session.add(fee)
        booth = Booth(market_id=world.market.id, code="A-01", zone="A", size=BoothSize.STANDARD,
                      has_power=True, is_corner=False, is_premium=False, x=0, y=0, width=3,
                      height=3, adjacent_codes=[], is_active=True, position_order=0)
        session.add(booth)
        await session.commit()
        ids = {"application": app.id, "pending": pending.id, "fee": fee.id, "booth": booth.id}
    async with session_factory() as session:
        tent = await lending.add_item(session, world.boss, world.market.id, name="천막",
                                      quantity=2)
        ids["item"] = tent.id
        ids["unit"] = tent.units[0].id
    return ids


async def test_an_organizer_of_another_market_gets_a_403_from_every_console_api(
    client: Client, world: World, other: User, setting: dict[str, int],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    auth = await _token(session_factory, other)
    m, day = world.market.id, world.days[0].id
    calls: list[tuple[str, str, Any]] = [
        # markets and organizers
        ("GET", f"/api/markets/{m}/organizers", None),
        ("POST", f"/api/markets/{m}/organizers", {"user_id": other.id}),
        # days, check-in, fees, sales
        ("POST", f"/api/markets/{m}/days/generate", {"weeks": 1}),
        ("POST", f"/api/markets/days/{day}/cancel", {"reason": "비"}),
        ("PUT", f"/api/markets/days/{day}/booth-fee", {"booth_fee": 1000}),
        ("GET", f"/api/markets/days/{day}/check-ins", None),
        ("PUT", f"/api/markets/days/{day}/check-ins/{world.vendors[0].id}",
         {"status": "present"}),
        ("GET", f"/api/markets/days/{day}/booth-fees", None),
        ("POST", f"/api/markets/booth-fees/{setting['fee']}/paid", None),
        ("GET", f"/api/markets/days/{day}/sales", None),
        # applications and the jury
        ("POST", f"/api/markets/{m}/criteria", {"name": "지역성", "weight": 10}),
        ("DELETE", f"/api/markets/criteria/{world.criteria[0].id}", None),
        ("GET", f"/api/markets/{m}/applications", None),
        ("GET", f"/api/markets/{m}/waitlist?season={SEASON}", None),
        ("GET", f"/api/markets/applications/{setting['pending']}", None),
        ("PUT", f"/api/markets/applications/{setting['pending']}/scores",
         {"scores": [{"criterion_id": world.criteria[0].id, "score": 5}]}),
        ("POST", f"/api/markets/applications/{setting['pending']}/accept", None),
        ("PUT", f"/api/markets/applications/{setting['pending']}/priority",
         {"priority_tier": 3}),
        # booths and assignment
        ("POST", f"/api/markets/{m}/booths", {"code": "Z-01", "zone": "Z", "size": "small",
                                              "x": 50, "y": 50, "width": 3, "height": 3}),
        ("PATCH", f"/api/markets/{m}/booths/{setting['booth']}", {"zone": "B"}),
        ("POST", f"/api/markets/{m}/booths/{setting['booth']}/deactivate", None),
        ("POST", f"/api/markets/{m}/days/{day}/assignment/run", None),
        ("GET", f"/api/markets/{m}/days/{day}/assignment", None),
        ("POST", f"/api/markets/{m}/days/{day}/assignment/publish", None),
        ("GET", f"/api/markets/{m}/assignment/policy", None),
        ("PUT", f"/api/markets/{m}/assignment/policy", {"category_caps": {"food": 1}}),
        # lending desk
        ("POST", f"/api/markets/{m}/equipment", {"name": "확성기", "quantity": 1}),
        ("POST", f"/api/markets/{m}/equipment/{setting['item']}/units", {"quantity": 1}),
        ("POST", f"/api/markets/{m}/equipment/kits",
         {"name": "세트", "components": [{"item_id": setting["item"], "quantity": 1}]}),
        ("PUT", f"/api/markets/{m}/equipment/desk", {"slot_minutes": 15}),
        ("GET", f"/api/markets/{m}/equipment/maintenance", None),
        ("GET", f"/api/loans?market_id={m}", None),
        ("POST", "/api/lending/maintenance",
         {"unit_id": setting["unit"], "kind": "damaged", "note": "찢어짐"}),
    ]
    async with session_factory() as session:
        before = await Snapshot.take(session, Application, Booth, BoothFee, Loan, Market)
    for method, url, payload in calls:
        response = await client.request(method, url, json=payload, headers=auth)
        assert response.status_code == 403, (method, url, response.text)
        problem = response.json()
        assert problem["code"] in ("not_market_organizer", "market_owner_only"), (url, problem)
        assert problem["errors"][0]["field"] == "market_id"
        assert problem["title"] == "권한이 없습니다"
    async with session_factory() as session:
        assert await Snapshot.take(session, Application, Booth, BoothFee, Loan, Market) == before

    # The same calls' owner gets through (a sample), and so does a platform admin.
    boss = world.tokens["boss"]
    assert (await client.get(f"/api/markets/{m}/applications", headers=boss)).status_code == 200
    async with session_factory() as session:
        admin = await make_user(session, Role.ADMIN)
        await session.commit()
        detached(session, admin)
    admin_auth = await _token(session_factory, admin)
    for url in (f"/api/markets/{m}/applications", f"/api/markets/days/{day}/check-ins",
                f"/api/markets/{m}/days/{day}/assignment", f"/api/loans?market_id={m}"):
        assert (await client.get(url, headers=admin_auth)).status_code == 200, url


async def test_the_console_pages_are_closed_to_organizers_of_other_markets(
    client: Client, world: World, other: User, setting: dict[str, int],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    m, day = world.market.id, world.days[0].id
    await login(client, other.email)
    listing = await client.get("/organizer/markets/")
    assert listing.status_code == 200
    assert "광화문 사회적경제 장터" in listing.text and world.market.name not in listing.text
    for url in (f"/organizer/markets/{m}", f"/organizer/markets/applications/{setting['pending']}",
                f"/organizer/markets/days/{day}", f"/organizer/markets/{m}/booths/",
                f"/organizer/markets/{m}/booths/{setting['booth']}/edit",
                f"/organizer/markets/{m}/days/{day}/assignment",
                f"/organizer/lending/markets/{m}/equipment", f"/organizer/lending/?market_id={m}"):
        page = await client.get(url)
        assert page.status_code == 403, url
    desk = await client.get("/organizer/lending/")
    assert desk.status_code == 200 and world.market.name not in desk.text
    # A form post is refused the same way, and changes nothing.
    async with session_factory() as session:
        own = await session.scalar(
            select(MarketOrganizer.market_id).where(MarketOrganizer.user_id == other.id))
        before = await Snapshot.take(session, MarketCriterion)
    token = csrf_from((await client.get(f"/organizer/markets/{own}")).text)
    refused = await client.post(f"/organizer/markets/{m}/criteria",
                                data={"_csrf_token": token, "name": "지역성", "weight": "10"})
    assert refused.status_code == 403
    async with session_factory() as session:
        assert await Snapshot.take(session, MarketCriterion) == before
    market_page = await client.get(f"/markets/{m}")
    assert "운영 콘솔" not in market_page.text

    await login(client, world.boss.email)
    assert (await client.get(f"/organizer/markets/{m}")).status_code == 200
    mine = await client.get("/organizer/markets/")
    assert world.market.name in mine.text and "광화문 사회적경제 장터" not in mine.text
    assert "운영 콘솔" in (await client.get(f"/markets/{m}")).text


async def test_the_owner_shares_the_market_and_an_admin_names_the_owner(
    client: Client, world: World, other: User, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    m = world.market.id
    boss, juror = world.tokens["boss"], world.tokens["juror"]
    other_auth = await _token(session_factory, other)
    listed = await client.get(f"/api/markets/{m}/organizers", headers=juror)
    assert listed.status_code == 200
    assert listed.json()["owner"]["user_id"] == world.boss.id
    assert [u["user_id"] for u in listed.json()["co_organizers"]] == [world.juror.id]

    # A co-organizer runs the market but does not share it.
    refused = await client.post(f"/api/markets/{m}/organizers", json={"user_id": other.id},
                                headers=juror)
    assert refused.status_code == 403 and refused.json()["code"] == "market_owner_only"
    shared = await client.post(f"/api/markets/{m}/organizers", json={"user_id": other.id},
                               headers=boss)
    assert shared.status_code == 201
    assert (await client.get(f"/api/markets/{m}/applications",
                             headers=other_auth)).status_code == 200
    again = await client.post(f"/api/markets/{m}/organizers", json={"user_id": other.id},
                              headers=boss)
    assert again.status_code == 201 and len(again.json()["co_organizers"]) == 2  # idempotent
    removed = await client.delete(f"/api/markets/{m}/organizers/{other.id}", headers=boss)
    assert removed.status_code == 204
    assert (await client.get(f"/api/markets/{m}/applications",
                             headers=other_auth)).status_code == 403

    # Only organizers can be added; only an admin names the owner.
    async with session_factory() as session:
        shopper = await make_user(session, Role.SHOPPER)
        admin = await make_user(session, Role.ADMIN)
        await session.commit()
        detached(session, shopper, admin)
    not_organizer = await client.post(f"/api/markets/{m}/organizers",
                                      json={"user_id": shopper.id}, headers=boss)
    assert not_organizer.status_code == 409
    assert not_organizer.json()["errors"][0]["field"] == "user_id"
    assert (await client.put(f"/api/markets/{m}/owner", json={"user_id": other.id},
                             headers=boss)).status_code == 403
    admin_auth = await _token(session_factory, admin)
    handed = await client.put(f"/api/markets/{m}/owner", json={"user_id": other.id},
                              headers=admin_auth)
    assert handed.status_code == 200 and handed.json()["owner"]["user_id"] == other.id
    assert (await client.get(f"/api/markets/{m}/applications",
                             headers=other_auth)).status_code == 200
    # The previous owner stays on as a co-organizer; the new owner may take it off.
    assert sorted(u["user_id"] for u in handed.json()["co_organizers"]) == sorted(
        [world.boss.id, world.juror.id])
    other_owner = await _token(session_factory, other)
    cannot = await client.delete(f"/api/markets/{m}/organizers/{other.id}", headers=other_owner)
    assert cannot.status_code == 409 and cannot.json()["errors"][0]["field"] == "user_id"
    dropped = await client.delete(f"/api/markets/{m}/organizers/{world.boss.id}",
                                  headers=other_owner)
    assert dropped.status_code == 204
    assert (await client.get(f"/api/markets/{m}/applications", headers=boss)).status_code == 403


async def test_services_check_the_market_too_and_unowned_markets_are_admins_only(
    world: World, other: User, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A caller that skips the web layer (a script, the CLI) meets the same rule."""
    async with session_factory() as session:
        with pytest.raises(Forbidden) as refused:
            await cancel_market_day(session, world.days[0].id, other, "비",
                                    now=dt.datetime(SEASON, 4, 1, tzinfo=dt.UTC))
        assert refused.value.code == "not_market_organizer"
        with pytest.raises(Forbidden):
            await runs.run_assignment(session, world.market.id, other, season=SEASON)
        nobodys = await add_market(session, "늘장")
        admin = await make_user(session, Role.ADMIN)
        await session.commit()
        assert not await access.manages(session, world.boss, nobodys.id)
        assert await access.manages(session, admin, nobodys.id)
        assert await access.managed_market_ids(session, admin) is None
        assert await access.managed_market_ids(session, world.juror) == {world.market.id}


async def test_the_demo_organizer_runs_the_demo_markets(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    import markets.demo

    async with session_factory() as session:
        await markets.demo.load(session)
    async with session_factory() as session:  # loading again changes nothing
        await markets.demo.load(session)
    async with session_factory() as session:
        demo = await session.scalar(
            select(User).where(User.email == markets.demo.DEMO_ORGANIZER_EMAIL))
        assert demo is not None
        owned = await access.managed_markets(session, demo)
        names = {m.name for m in owned}
    assert names == {"광화문 사회적경제 장터", "늘장", "동진시장", "달시장"}


async def _token(factory: async_sessionmaker[AsyncSession], user: User) -> dict[str, str]:
    async with factory() as session:
        return await bearer(session, user)

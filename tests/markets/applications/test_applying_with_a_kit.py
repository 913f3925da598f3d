"""Booking the equipment kit with the booth application, through the API and the form: the
kit is reserved for each day applied for in the same transaction as the application; if it
cannot be lent, the answer is a 409 naming ``kit_id`` and nothing is saved, the application
included. The explicit 프리미엄·코너 부스 희망 flag travels with the application too."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from markets.applications.models import Application, ApplicationStatusChange
from markets.lending import inventory as lending
from markets.lending.models import EquipmentKit, Loan, LoanStatus, UnitReservation
from tests.markets.applications.conftest import SEASON, World
from tests.markets.market_world import Snapshot, csrf_from, login

Client = AsyncTestClient[Any]
TABLES = (Application, ApplicationStatusChange, Loan, UnitReservation, OutboxEvent)


@pytest.fixture
async def kit(world: World, session_factory: async_sessionmaker[AsyncSession]) -> EquipmentKit:
    """One tent and one table to lend at 동진시장: a kit for exactly one vendor a day."""
    async with session_factory() as session:
        tent = await lending.add_item(session, world.boss, world.market.id, name="천막 3×3",
                                      quantity=1, code_prefix="천막")
        table = await lending.add_item(session, world.boss, world.market.id, name="테이블",
                                       quantity=1, code_prefix="테이블")
        return await lending.define_kit(session, world.boss, world.market.id,
                                        name="부스 기본 세트",
                                        components=[(tent.id, 1), (table.id, 1)])


def body(world: World, vendor: int = 0, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "vendor_id": world.vendors[vendor].id, "season": SEASON, "whole_season": False,
        "market_day_ids": [world.days[0].id, world.days[2].id], "categories": ["food"],
    }
    data.update(overrides)
    return data


async def _loans(factory: async_sessionmaker[AsyncSession]) -> list[Loan]:
    async with factory() as session:
        return list((await session.scalars(select(Loan).order_by(Loan.market_day_id))).all())


async def test_the_kit_is_booked_with_the_application_for_each_chosen_day(
    client: Client, world: World, kit: EquipmentKit,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    url = f"/api/markets/{world.market.id}/applications"
    response = await client.post(url, json=body(world, kit_id=kit.id),
                                 headers=world.tokens["owner0"])
    assert response.status_code == 201, response.text
    application_id = response.json()["id"]
    loans = await _loans(session_factory)
    assert [(loan.market_day_id, loan.kit_id, loan.status) for loan in loans] == [
        (world.days[0].id, kit.id, LoanStatus.RESERVED),
        (world.days[2].id, kit.id, LoanStatus.RESERVED),
    ]
    assert {loan.application_id for loan in loans} == {application_id}
    assert {loan.vendor_id for loan in loans} == {world.vendors[0].id}

    # The kit is gone on the 4th: another vendor asking for it then is refused, with nothing
    # saved (not even the application), and told which field.
    async with session_factory() as session:
        before = await Snapshot.take(session, *TABLES)
    refused = await client.post(
        url, json=body(world, vendor=1, market_day_ids=[world.days[1].id, world.days[0].id],
                       kit_id=kit.id),
        headers=world.tokens["owner1"],
    )
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["code"] == "not_enough_units"
    assert problem["errors"] == [
        {"field": "kit_id", "message": problem["detail"], "code": "not_enough_units"}
    ]
    assert "장비 세트를 함께 예약할 수 없습니다" in problem["detail"]
    assert "천막" in problem["detail"]
    async with session_factory() as session:
        assert await Snapshot.take(session, *TABLES) == before

    # Without the kit the same application goes through.
    plain = await client.post(url, json=body(world, vendor=1, market_day_ids=[world.days[0].id]),
                              headers=world.tokens["owner1"])
    assert plain.status_code == 201, plain.text

    # Withdrawing releases the equipment booked with the application.
    gone = await client.post(f"/api/markets/applications/{application_id}/withdraw",
                             json={"reason": "일정 변경"}, headers=world.tokens["owner0"])
    assert gone.status_code == 200, gone.text
    assert {loan.status for loan in await _loans(session_factory)} == {LoanStatus.CANCELLED}


async def test_a_whole_season_application_books_the_kit_on_every_scheduled_day(
    client: Client, world: World, kit: EquipmentKit,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    response = await client.post(
        f"/api/markets/{world.market.id}/applications",
        json=body(world, whole_season=True, market_day_ids=[], kit_id=kit.id),
        headers=world.tokens["owner0"],
    )
    assert response.status_code == 201, response.text
    loans = await _loans(session_factory)
    assert [loan.market_day_id for loan in loans] == [d.id for d in world.days]


async def test_a_kit_of_no_use_is_a_400_naming_the_field_and_writes_nothing(
    client: Client, world: World, kit: EquipmentKit,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        before = await Snapshot.take(session, *TABLES)
        stored = await session.get(EquipmentKit, kit.id)
        assert stored is not None
        stored.is_active = False  # retired kits are not offered
        await session.commit()
    url = f"/api/markets/{world.market.id}/applications"
    for kit_id in (kit.id, 999_999):
        response = await client.post(url, json=body(world, kit_id=kit_id),
                                     headers=world.tokens["owner0"])
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == "kit_id"
    strict = await client.post(url, json=body(world, kit_id=str(kit.id)),
                               headers=world.tokens["owner0"])
    assert strict.status_code == 400  # a JSON integer, not a string
    async with session_factory() as session:
        assert await Snapshot.take(session, *TABLES) == before


async def test_the_premium_flag_is_explicit_in_the_api(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    url = f"/api/markets/{world.market.id}/applications"
    asks = await client.post(url, json=body(world, wants_premium_booth=True,
                                            preferred_booth_codes=[]),
                             headers=world.tokens["owner0"])
    plain = await client.post(url, json=body(world, vendor=1, preferred_booth_codes=["A-01"]),
                              headers=world.tokens["owner1"])
    assert asks.status_code == plain.status_code == 201
    assert asks.json()["wants_premium_booth"] is True
    assert plain.json()["wants_premium_booth"] is False  # naming a booth is not asking
    async with session_factory() as session:
        flags = dict((await session.execute(
            select(Application.vendor_id, Application.wants_premium_booth))).all())
    assert flags == {world.vendors[0].id: True, world.vendors[1].id: False}


async def test_the_form_offers_the_kits_and_shows_a_refusal_beside_the_kit_field(
    client: Client, world: World, kit: EquipmentKit,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    url = f"/console/markets/apply?market_id={world.market.id}"
    await login(client, world.owners[1].email)
    page = await client.get(url)
    assert page.status_code == 200
    assert 'name="kit_id"' in page.text and "부스 기본 세트 (천막 3×3 1, 테이블 1)" in page.text
    assert 'name="wants_premium_booth"' in page.text and "프리미엄·코너 부스 희망" in page.text
    fields = {
        "_csrf_token": csrf_from(page.text), "vendor_id": str(world.vendors[1].id),
        "season": str(SEASON), "market_day_ids": str(world.days[1].id), "categories": "food",
        "tables_needed": "1", "min_booth_size": "small", "kit_id": str(kit.id),
        "wants_premium_booth": "on",
    }
    done = await client.post(url, data=fields, follow_redirects=False,
                             files={"documents": ("", b"", "application/octet-stream")})
    assert done.status_code in (302, 303), done.text
    console = await client.get(done.headers["location"])
    assert "장비 세트도 함께 예약했습니다" in console.text
    (loan,) = await _loans(session_factory)
    assert loan.market_day_id == world.days[1].id and loan.status is LoanStatus.RESERVED
    async with session_factory() as session:
        app = await session.scalar(select(Application))
        assert app is not None and app.wants_premium_booth and loan.application_id == app.id

    # The one kit is taken on that day: another vendor's form comes back with the message
    # beside the kit field, what was typed kept, and nothing saved.
    await login(client, world.owners[2].email)
    page = await client.get(url)
    async with session_factory() as session:
        before = await Snapshot.take(session, *TABLES)
    refused = await client.post(
        url, files={"documents": ("", b"", "application/octet-stream")},
        data={**fields, "_csrf_token": csrf_from(page.text),
              "vendor_id": str(world.vendors[2].id), "note": "전통 공예"},
    )
    assert refused.status_code == 409
    assert 'id="f-kit_id"' in refused.text and "장비 세트를 함께 예약할 수 없습니다" in refused.text
    assert "전통 공예" in refused.text
    async with session_factory() as session:
        assert await Snapshot.take(session, *TABLES) == before

"""The lending API: bad input is a problem detail naming the field and writes nothing; the
happy path books, lists, checks out and in; stock and slots are readable by anyone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import seoul_today
from tests.markets.lending.conftest import (
    World,
    add_market_day,
    bearer,
    build_world,
    counts,
    future_day,
)

Client = AsyncTestClient[Litestar]


@pytest.fixture
async def live(session_factory: async_sessionmaker[AsyncSession]) -> World:
    """A world whose market day is in the real future (the API runs at the real time)."""
    return await build_world(session_factory, day=future_day())


def loan_json(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"vendor_id": world.vendor.id, "market_id": world.market.id,
                            "kit_id": world.kit.id, "quantity": 1,
                            "market_day_id": world.day.id}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def assert_problem(response: Any, status: int, field: str, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert field in [e["field"] for e in body["errors"]], body
    assert body["code"] == code, body


TODAY = seoul_today()
BAD = [
    pytest.param({"market_day_id": ..., "start_date": (TODAY + dt.timedelta(9)).isoformat(),
                  "end_date": (TODAY + dt.timedelta(8)).isoformat()},
                 "end_date", "invalid_period", id="end before start"),
    pytest.param({"kit_id": 999_999}, "kit_id", "unknown_kit", id="unknown kit"),
    pytest.param({"quantity": 0}, "quantity", "invalid_quantity", id="quantity 0"),
    pytest.param({"quantity": 11}, "quantity", "invalid_quantity", id="quantity over 10"),
    pytest.param({"quantity": 1.0}, "quantity", "validation", id="quantity as a float"),
    pytest.param({"quantity": "1"}, "quantity", "validation", id="quantity as text"),
    pytest.param({"kit_id": None}, "kit_id", "nothing_requested", id="nothing asked for"),
    pytest.param({"kit_id": None, "items": [{"item_id": 999_999, "quantity": 1}]},
                 "items[0].item_id", "unknown_item", id="unknown item"),
    pytest.param({"items": [{"item_id": -1, "quantity": 0}]}, "items[0].quantity",
                 "invalid_quantity", id="item quantity 0"),
    pytest.param({"market_day_id": 999_999}, "market_day_id", "unknown_market_day",
                 id="unknown market day"),
    pytest.param({"market_day_id": ...}, "market_day_id", "period_choice", id="no period"),
    pytest.param({"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat()},
                 "market_day_id", "period_choice", id="both a day and a range"),
    pytest.param({"market_day_id": ..., "start_date": "2031-02-30", "end_date": "2031-03-01"},
                 "start_date", "invalid_date", id="impossible date"),
    pytest.param({"market_day_id": ..., "start_date": (TODAY - dt.timedelta(1)).isoformat(),
                  "end_date": TODAY.isoformat()}, "start_date", "period_in_past",
                 id="start in the past"),
    pytest.param({"market_day_id": ..., "start_date": TODAY.isoformat(),
                  "end_date": (TODAY + dt.timedelta(30)).isoformat()}, "end_date",
                 "invalid_period", id="range too long"),
    pytest.param({"pickup_at": "03:00"}, "pickup_at", "invalid_pickup", id="not a slot"),
    pytest.param({"note": "가" * 501}, "note", "too_long", id="note too long"),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD)
async def test_bad_booking_is_refused_naming_the_field_and_writes_nothing(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
    overrides: dict[str, Any], field: str, code: str,
) -> None:
    headers = await bearer(session_factory, live.owner)
    before = await counts(session_factory)
    response = await client.post("/api/loans", json=loan_json(live, **overrides),
                                 headers=headers)
    assert_problem(response, 400, field, code)
    assert await counts(session_factory) == before


async def test_a_booking_then_the_desk_checks_it_out_and_in(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    vendor = await bearer(session_factory, live.owner)
    desk = await bearer(session_factory, live.organizer)
    response = await client.post("/api/loans", json=loan_json(live, pickup_at="10:30", items=[
        {"item_id": live.chair.id, "quantity": 2}]), headers=vendor)
    assert response.status_code == 201, response.text
    loan = response.json()
    assert loan["status"] == "reserved" and loan["pickup_local_time"] == "10:30"
    assert {line["name"]: line["quantity"] for line in loan["lines"]} == {
        "천막 3×3": 1, "천막 추": 4, "테이블": 1, "의자": 4}
    assert len(loan["units"]) == 10 and loan["short"] == {}

    mine = (await client.get("/api/loans", headers=vendor)).json()
    assert [m["id"] for m in mine] == [loan["id"]]
    assert (await client.get(f"/api/loans/{loan['id']}",
                             headers=await bearer(session_factory, live.outsider))
            ).status_code == 403
    assert (await client.post(f"/api/loans/{loan['id']}/check-out", headers=vendor)
            ).status_code == 403

    chair = next(u for u in loan["units"] if u["item_name"] == "의자")
    out = await client.post(f"/api/loans/{loan['id']}/check-out", headers=desk, json={"units": []})
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "checked_out"
    back = await client.post(f"/api/loans/{loan['id']}/check-in", headers=desk, json={
        "units": [{"unit_id": chair["unit_id"], "condition": "damaged", "note": "다리 부러짐"}]})
    assert back.status_code == 200, back.text
    body = back.json()
    assert body["status"] == "returned"
    assert [h["to_status"] for h in body["history"]] == [
        "requested", "reserved", "checked_out", "returned"]
    damaged = [c for c in body["conditions"] if c["condition"] == "damaged"]
    assert [(c["unit_id"], c["stage"]) for c in damaged] == [(chair["unit_id"], "check_in")]

    repairs = (await client.get(f"/api/markets/{live.market.id}/equipment/maintenance",
                                headers=desk)).json()
    assert [(r["unit_id"], r["kind"]) for r in repairs] == [(chair["unit_id"], "damaged")]
    again = await client.post(f"/api/loans/{loan['id']}/check-in", headers=desk)
    assert again.status_code == 409
    assert again.json()["code"] == "loan_invalid_transition"


async def test_anyone_can_see_what_is_left_for_a_day_and_the_pickup_slots(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    vendor = await bearer(session_factory, live.owner)
    await client.post("/api/loans", json=loan_json(live, quantity=2), headers=vendor)
    stock = (await client.get(f"/api/markets/{live.market.id}/equipment",
                              params={"market_day_id": live.day.id})).json()
    tents = next(i for i in stock["items"] if i["name"] == "천막 3×3")
    assert (tents["owned"], tents["available"]) == (5, 3)
    (kit,) = stock["kits"]
    assert kit["name"] == "부스 기본 세트" and kit["available"] == 3
    slots = (await client.get(f"/api/markets/{live.market.id}/equipment/pickup-slots",
                              params={"market_day_id": live.day.id})).json()
    assert [(s["local_time"], s["booked"]) for s in slots] == [("10:00", 1), ("10:30", 0)]
    unknown = await client.get(f"/api/markets/{live.market.id}/equipment",
                               params={"market_day_id": 999_999})
    assert_problem(unknown, 400, "market_day_id", "unknown_market_day")


async def test_organizers_stock_the_desk_through_the_api(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    desk = await bearer(session_factory, live.organizer)
    vendor = await bearer(session_factory, live.owner)
    base = f"/api/markets/{live.market.id}/equipment"
    assert (await client.post(base, json={"name": "확성기", "quantity": 2},
                              headers=vendor)).status_code == 403
    made = await client.post(base, json={"name": "확성기", "quantity": 2}, headers=desk)
    assert made.status_code == 201, made.text
    assert [u["code"] for u in made.json()["units"]] == ["확성기-01", "확성기-02"]
    assert_problem(await client.post(base, json={"name": "확성기", "quantity": 0},
                                     headers=desk), 400, "quantity", "invalid_quantity")
    dup = await client.post(base, json={"name": "확성기", "quantity": 1}, headers=desk)
    assert dup.status_code == 409 and dup.json()["code"] == "name_taken"
    kit = await client.post(f"{base}/kits", headers=desk, json={
        "name": "행사 세트", "components": [{"item_id": made.json()["id"], "quantity": 1},
                                          {"item_id": live.table.id, "quantity": 2}]})
    assert kit.status_code == 201, kit.text
    assert kit.json()["available"] == 2
    more = await client.post(f"{base}/{made.json()['id']}/units", json={"quantity": 1},
                             headers=desk)
    assert [u["code"] for u in more.json()["units"]][-1] == "확성기-03"
    settings = await client.put(f"{base}/desk", headers=desk,
                                json={"slot_minutes": 15, "opens": "08:30"})
    assert settings.status_code == 200 and settings.json()["opens"] == "08:30"
    assert_problem(await client.put(f"{base}/desk", headers=desk, json={"slot_minutes": 7}),
                   400, "slot_minutes", "invalid_setting")


async def test_a_vendor_sees_its_strikes_and_other_vendors_do_not(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    mine = await client.get("/api/lending/strikes", params={"vendor_id": live.vendor.id},
                            headers=await bearer(session_factory, live.owner))
    assert mine.status_code == 200 and mine.json() == []
    theirs = await client.get("/api/lending/strikes", params={"vendor_id": live.vendor.id},
                              headers=await bearer(session_factory, live.other_owner))
    assert theirs.status_code == 403


async def test_a_date_range_booking_waits_for_the_desk_to_confirm(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    start = live.day.day + dt.timedelta(days=2)
    async with session_factory() as session:
        await add_market_day(session, live.market, start + dt.timedelta(days=30))
        await session.commit()
    body = loan_json(live, market_day_id=..., start_date=start.isoformat(),
                     end_date=start.isoformat())
    response = await client.post("/api/loans", json=body,
                                 headers=await bearer(session_factory, live.owner))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "requested"
    confirmed = await client.post(f"/api/loans/{response.json()['id']}/confirm",
                                  headers=await bearer(session_factory, live.organizer))
    assert confirmed.json()["status"] == "reserved"
    assert confirmed.json()["history"][-1]["actor_user_id"] == live.organizer.id

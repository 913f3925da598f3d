"""The lending pages: a vendor books and cancels at /console/loans (errors beside the
field, nothing written), the desk sees the day by slot and checks loans out and in."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.lending import booking, queries
from markets.lending.models import LoanStatus
from tests.markets.lending.conftest import (
    World,
    build_world,
    counts,
    csrf_from,
    future_day,
    login,
)

Client = AsyncTestClient[Litestar]


@pytest.fixture
async def live(session_factory: async_sessionmaker[AsyncSession]) -> World:
    return await build_world(session_factory, day=future_day())


def booking_form(world: World, token: str, **overrides: str) -> dict[str, str]:
    form = {"_csrf_token": token, "vendor_id": str(world.vendor.id),
            "market_id": str(world.market.id), "kit_id": str(world.kit.id), "quantity": "1",
            "period": "day", "market_day_id": str(world.day.id), "pickup_at": ""}
    form.update(overrides)
    return form


async def test_a_vendor_books_a_kit_for_a_market_day_and_cancels_it(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await login(client, live.owner.email)
    page = await client.get(f"/console/loans?market_id={live.market.id}")
    assert page.status_code == 200, page.text
    assert "부스 기본 세트" in page.text and live.day.day.isoformat() in page.text
    booked = await client.post("/console/loans", data=booking_form(
        live, csrf_from(page.text), pickup_at="10:30"), follow_redirects=False)
    assert booked.status_code in (302, 303), booked.text
    detail = await client.get(booked.headers["location"])
    assert "예약 확정" in detail.text and "천막-01" in detail.text
    assert "10:30" in detail.text
    loan_id = int(booked.headers["location"].rsplit("/", 1)[1])
    cancelled = await client.post(f"/console/loans/{loan_id}/cancel",
                                  data={"_csrf_token": csrf_from(detail.text)},
                                  follow_redirects=False)
    assert cancelled.status_code in (302, 303)
    async with session_factory() as session:
        loan = await queries.loan_for(session, live.owner, loan_id)
        assert loan.status is LoanStatus.CANCELLED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"quantity": "0"}, "세트 수량은 1개에서 10개 사이로", id="quantity 0"),
        pytest.param({"period": "range", "start_date": "2031-05-10", "end_date": "2031-05-09"},
                     "종료일이 시작일보다 앞설 수 없습니다", id="end before start"),
        pytest.param({"kit_id": "999999"}, "이 장터에서 빌릴 수 있는 세트가 아닙니다",
                     id="unknown kit"),
        pytest.param({"quantity": "한 개"}, "세트 수량은 숫자로", id="quantity not a number"),
    ],
)
async def test_a_wrong_booking_form_comes_back_with_the_message_beside_the_field(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
    overrides: dict[str, str], message: str,
) -> None:
    await login(client, live.owner.email)
    page = await client.get(f"/console/loans?market_id={live.market.id}")
    before = await counts(session_factory)
    response = await client.post("/console/loans", data=booking_form(
        live, csrf_from(page.text), **overrides))
    assert response.status_code == 400, response.text
    assert message in response.text
    assert 'class="error" id="e-' in response.text
    assert await counts(session_factory) == before


async def test_the_desk_sees_pickups_by_slot_and_checks_a_loan_out_and_in(
    client: Client, live: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        loan = await booking.book_loan(session, live.owner, live.booking(pickup_at="10:30"))
        loan_id = loan.id
    await login(client, live.organizer.email)
    board = await client.get(f"/organizer/lending?market_id={live.market.id}"
                             f"&day={live.day.day.isoformat()}")
    assert board.status_code == 200, board.text
    assert "10:30" in board.text and f"#{loan_id}" in board.text and "수령 처리" in board.text

    page = await client.get(f"/organizer/lending/loans/{loan_id}")
    assert "수령 완료" in page.text
    out = await client.post(f"/organizer/lending/loans/{loan_id}/check-out",
                            data={"_csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert out.status_code in (302, 303), out.text
    page = await client.get(f"/organizer/lending/loans/{loan_id}")
    assert "반납 완료" in page.text

    async with session_factory() as session:
        view = await queries.loan_view(session, await queries.loan_for(
            session, live.organizer, loan_id))
    unit = view.units[0].reservation.unit_id
    missing_note = await client.post(f"/organizer/lending/loans/{loan_id}/check-in", data={
        "_csrf_token": csrf_from(page.text), f"condition_{unit}": "damaged", f"note_{unit}": ""})
    assert missing_note.status_code == 400
    assert "메모를 남겨 주세요" in missing_note.text and f'id="e-note_{unit}"' in missing_note.text

    back = await client.post(f"/organizer/lending/loans/{loan_id}/check-in", data={
        "_csrf_token": csrf_from(page.text), f"condition_{unit}": "damaged",
        f"note_{unit}": "찢어짐"}, follow_redirects=False)
    assert back.status_code in (302, 303), back.text
    board = await client.get(f"/organizer/lending?market_id={live.market.id}")
    assert "정비 중" in board.text and "찢어짐" in board.text


async def test_vendors_cannot_open_the_desk(client: Client, live: World) -> None:
    await login(client, live.owner.email)
    response = await client.get("/organizer/lending")
    assert response.status_code == 403


async def test_the_desk_stocks_equipment_through_its_forms(
    client: Client, live: World,
) -> None:
    await login(client, live.organizer.email)
    page = await client.get(f"/organizer/lending/markets/{live.market.id}/equipment")
    assert page.status_code == 200, page.text
    assert "천막 3×3" in page.text
    bad = await client.post(f"/organizer/lending/markets/{live.market.id}/items", data={
        "_csrf_token": csrf_from(page.text), "name": "", "quantity": "3"})
    assert bad.status_code == 400 and "이름을 1자에서 60자 사이로" in bad.text
    made = await client.post(f"/organizer/lending/markets/{live.market.id}/items", data={
        "_csrf_token": csrf_from(page.text), "name": "파라솔", "quantity": "3"},
        follow_redirects=False)
    assert made.status_code in (302, 303)
    page = await client.get(f"/organizer/lending/markets/{live.market.id}/equipment")
    assert "파라솔" in page.text

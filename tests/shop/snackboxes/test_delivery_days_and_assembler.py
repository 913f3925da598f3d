"""Issue 14: delivery dates skip Korean public holidays (substitute holidays included) and the
organizer's closed days; the organizer says who assembles and delivers a box, and the buyer
reads it. Every date here is fixed, never the wall clock."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import shop.demo
from infra.errors import InvalidInput
from shop.snackboxes import delivery_days, demo, rules, services
from shop.snackboxes.errors import SnackBoxErrorCode as Code
from shop.snackboxes.models import SnackBox
from shop.vendors.models import Vendor, VendorStatus
from tests.shop.cart.conftest import csrf_from
from tests.shop.snackboxes.conftest import World, box_body, delivery_day
from tests.shop.snackboxes.test_snack_box_pages import compose_form, sign_in

Client = AsyncTestClient[Litestar]
TODAY = dt.date(2025, 9, 22)  # a Monday, before 개천절 and 추석


@pytest.mark.parametrize(("day", "name"), [
    (dt.date(2025, 10, 3), "개천절"),
    (dt.date(2025, 10, 6), "추석"),
    (dt.date(2025, 10, 8), "추석 대체 휴일"),  # 추석 전날 fell on a Sunday
    (dt.date(2025, 3, 3), "삼일절 대체 휴일"),
    (dt.date(2025, 6, 3), "대통령 선거일"),
])
def test_korean_public_holidays_are_no_delivery_days(day: dt.date, name: str) -> None:
    assert delivery_days.holiday_name(day) == name
    assert not delivery_days.is_delivery_day(day)
    assert name in (delivery_days.no_delivery_reason(day) or "")


def test_an_ordinary_weekday_and_a_closed_day() -> None:
    assert delivery_days.holiday_name(dt.date(2025, 10, 10)) is None
    assert delivery_days.is_delivery_day(dt.date(2025, 10, 10))
    closed = delivery_days.parse_closed_days("2025-10-10\n2025-10-13")
    assert not delivery_days.is_delivery_day(dt.date(2025, 10, 10), closed)
    assert "쉬는 날" in (delivery_days.no_delivery_reason(dt.date(2025, 10, 13), closed) or "")


def test_closed_days_are_cleaned_one_per_line_or_refused_by_field() -> None:
    text, error = delivery_days.clean_closed_days("2025-12-31, 2025-10-10\n2025-10-10")
    assert (text, error) == ("2025-10-10\n2025-12-31", None)
    _, error = delivery_days.clean_closed_days("2025-10-10\n10월 11일")
    assert error is not None and error.field == "closed_days"
    assert error.code is Code.INVALID_CLOSED_DAYS


@pytest.mark.parametrize("day", [dt.date(2025, 10, 3), dt.date(2025, 10, 6),
                                 dt.date(2025, 10, 8), dt.date(2025, 10, 10)])
def test_no_slot_opens_on_a_holiday_or_a_closed_day(day: dt.date) -> None:
    closed = {dt.date(2025, 10, 10)}
    with pytest.raises(InvalidInput) as refused:
        rules.clean_slot(rules.SlotDraft(day, 5), TODAY, closed)
    assert refused.value.field == "delivery_date"
    assert "배송하지 않습니다" in refused.value.message
    assert rules.clean_slot(rules.SlotDraft(dt.date(2025, 10, 2), 5), TODAY, closed).capacity == 5


def test_a_slot_that_became_a_closed_day_is_not_orderable() -> None:
    problem = rules.slot_problem(day=dt.date(2025, 10, 10), active=True, today=TODAY,
                                 lead_days=3, closed={dt.date(2025, 10, 10)})
    assert problem is not None and problem[0] is Code.SLOT_CLOSED


async def test_the_demo_opens_no_slot_on_a_holiday(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    today = dt.date(2025, 9, 29)  # Monday; 10-03 개천절, 10-06~08 추석, 10-09 한글날
    async with session_factory() as session:
        await shop.demo.load(session)
        await demo.load(session, today=today)
    async with session_factory() as session:
        box = await session.scalar(select(SnackBox))
        assert box is not None
        days = [s.slot.delivery_date for s in await services.slot_views(session, box, today=today)]
    assert dt.date(2025, 10, 2) in days and dt.date(2025, 10, 10) in days
    assert not {dt.date(2025, 10, d) for d in (3, 6, 7, 8, 9)} & set(days)
    assert all(delivery_days.is_delivery_day(d) for d in days)


async def test_the_organizer_names_the_assembler_and_closed_days_and_the_buyer_reads_it(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    closed = delivery_day(8)
    body = box_body(world, assembler_vendor_id=world.tray_vendor.id,
                    closed_days=[closed.isoformat()])
    created = await client.post("/api/snack-boxes", json=body, headers=world.auth("organizer"))
    assert created.status_code == 201, created.text
    box = created.json()
    assert box["assembler_vendor_id"] == world.tray_vendor.id
    assert box["assembler_name"] == "떡공방자활기업"
    assert box["closed_days"] == [closed.isoformat()]
    slot = await client.post(f"/api/snack-boxes/{box['id']}/slots",
                             json={"delivery_date": closed.isoformat(), "capacity": 5},
                             headers=world.auth("organizer"))
    assert slot.status_code == 400 and slot.json()["errors"][0]["field"] == "delivery_date"
    page = await client.get(f"/snack-boxes/{box['id']}")
    assert "꾸려서 배송하는 곳" in page.text and "떡공방자활기업" in page.text

    # A vendor still under review cannot assemble; leaving it out means the organizer does.
    async with session_factory() as session:
        under_review = await session.scalar(
            select(Vendor.id).where(Vendor.status == VendorStatus.APPLIED))
    refused = await client.put(
        f"/api/snack-boxes/{box['id']}",
        json=box_body(world, assembler_vendor_id=under_review),
        headers=world.auth("organizer"),
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalid_assembler"
    plain = await client.put(f"/api/snack-boxes/{box['id']}", json=box_body(world),
                             headers=world.auth("organizer"))
    assert plain.json()["assembler_name"] == services.ORGANIZER_ASSEMBLES


async def test_the_console_form_sets_the_assembler(world: World, client: Client) -> None:
    await sign_in(client, world.organizer.email)
    new = await client.get("/organizer/snack-boxes/new")
    assert 'name="assembler_vendor_id"' in new.text and 'name="closed_days"' in new.text
    form = compose_form(world, csrf_from(new.text))
    form["assembler_vendor_id"] = str(world.juice_vendor.id)
    form["closed_days"] = "2099-12-31"
    saved = await client.post("/organizer/snack-boxes/new", data=form, follow_redirects=False)
    assert saved.status_code in (302, 303), saved.text
    edit = await client.get(saved.headers["location"])
    assert f'value="{world.juice_vendor.id}" selected' in edit.text
    assert "2099-12-31" in edit.text

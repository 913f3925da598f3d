"""Ordering snack boxes through ``POST /api/checkout`` and paying with a test card: the
components are reserved with the loose items (summed per variant), the set price is split
across the component vendors' orders, and the delivery slot's capacity is held with the
checkout, given back when it is abandoned or runs out, and never exceeded by a late payment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from shop.checkout import availability
from shop.checkout import services as checkouts
from shop.checkout.models import Checkout, StockReservation
from shop.orders.models import Order, OrderLine, VendorOrder
from shop.payments.models import PaymentRefund
from shop.snackboxes import delivery_days
from shop.snackboxes.models import SnackBoxBooking
from shop.snackboxes.ordering import held_boxes
from tests.shop.snackboxes.conftest import (
    ADDRESS,
    VISA,
    World,
    box_body,
    delivery_day,
    seoul_today,
    snack_rows,
)

Client = AsyncTestClient[Litestar]


def _day(days: int) -> dt.date:
    """``days`` from today, moved to a delivery day; a slot meant to come too soon (fewer
    days than the lead time) moves back instead, and the test is skipped in a long holiday."""
    if days >= 3:
        return delivery_day(days)
    for back in range(days, -1, -1):
        day = seoul_today() + dt.timedelta(days=back)
        if delivery_days.is_delivery_day(day):
            return day
    pytest.skip("every day before the lead time is a public holiday")


async def _box_with_slot(
    client: Client, world: World, *, capacity: int = 10, days: int = 5,
    body: dict[str, Any] | None = None,
) -> tuple[dict[int, int], int]:
    """A box (sizes by head count → size id) and one slot ``days`` from today."""
    created = await client.post("/api/snack-boxes", json=body or box_body(world),
                                headers=world.auth("organizer"))
    assert created.status_code == 201, created.text
    box = created.json()
    slot = await client.post(
        f"/api/snack-boxes/{box['id']}/slots",
        json={"delivery_date": _day(days).isoformat(),
              "capacity": capacity},
        headers=world.auth("organizer"),
    )
    assert slot.status_code == 201, slot.text
    return {s["headcount"]: s["id"] for s in box["sizes"]}, slot.json()["id"]


def order_body(
    boxes: list[tuple[int, int, int]], lines: list[tuple[int, int]] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "address": ADDRESS, "email": "buyer@seongbuk.go.kr",
        "snack_boxes": [{"size_id": s, "quantity": q, "slot_id": t} for s, q, t in boxes],
        **extra,
    }
    if lines is not None:
        body["lines"] = [{"variant_id": v, "quantity": q} for v, q in lines]
    return body


async def _place(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/checkout", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def _pay(client: Client, placed: dict[str, Any]) -> dict[str, Any]:
    paid = await client.post(f"/api/payments/{placed['payment']['token']}/test-card",
                             json={"card": VISA})
    assert paid.status_code == 200, paid.text
    return paid.json()


async def _held(factory: async_sessionmaker[AsyncSession], slot_id: int) -> int:
    """Boxes the slot holds now (live or paid checkouts)."""
    async with factory() as session:
        return (await held_boxes(session, [slot_id], utcnow()))[slot_id]


async def test_a_box_and_a_loose_item_sharing_a_cookie_pay_each_vendor_its_share(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    sizes, slot_id = await _box_with_slot(client, world)
    # Two 20인 boxes (95,000 each: 20 cookies, 20 juices, 1 tray) and 3 loose cookies.
    placed = await _place(client, order_body([(sizes[20], 2, slot_id)],
                                             lines=[(world.cookie.id, 3)]))
    # Loose cookies 4,500 + the cookie vendor's 3,000 delivery fee; boxes include delivery.
    assert placed["items_total"] == 190_000 + 4_500
    assert placed["delivery_total"] == 3_000
    assert placed["total"] == 197_500
    intent = world.gateway.retrieve_intent(placed["payment"]["client_secret"].split("_secret_")[0])
    assert intent.amount == 197_500

    async with session_factory() as session:
        checkout = await session.scalar(select(Checkout).where(Checkout.token == placed["token"]))
        assert checkout is not None
        reservation = await session.get(StockReservation, checkout.reservation_id)
        assert reservation is not None
        held = {ln.variant_id: ln.quantity for ln in reservation.lines}
        # The cookie is reserved once, summed: 40 in the boxes + 3 loose.
        assert held == {world.cookie.id: 43, world.juice.id: 40, world.tray.id: 2}
        bundle_lines = [ln for ln in checkout.lines if ln["bundle_label"]]
        assert {ln["bundle_label"] for ln in bundle_lines} == {
            next(iter({ln["bundle_label"] for ln in bundle_lines}))
        }
        assert bundle_lines[0]["bundle_label"].startswith("햇음 다과꾸러미 20인 ×2 구성품 · ")
        assert sum(ln["unit_price"] * ln["quantity"] for ln in bundle_lines) == 190_000
    assert await _held(session_factory, slot_id) == 2

    paid = await _pay(client, placed)
    assert paid["status"] == "succeeded"
    async with session_factory() as session:
        order = await session.scalar(select(Order))
        assert order is not None and order.total == 197_500
        by_vendor = {v.vendor_id: v for v in order.vendor_orders}
        assert set(by_vendor) == {world.cookie_vendor.id, world.juice_vendor.id,
                                  world.tray_vendor.id}
        # 95,000 splits over list value 100,000: cookie 1,425, juice 1,900, tray 28,500 a unit.
        assert by_vendor[world.cookie_vendor.id].items_total == 40 * 1_425 + 3 * 1_500
        assert by_vendor[world.cookie_vendor.id].delivery_fee == 3_000
        assert by_vendor[world.juice_vendor.id].total == 40 * 1_900
        assert by_vendor[world.tray_vendor.id].total == 2 * 28_500
        assert sum(v.total for v in order.vendor_orders) == order.total
        lines = (await session.scalars(select(OrderLine))).all()
        boxed = [ln for ln in lines if ln.bundle_label]
        assert len(boxed) == 3 and sum(ln.line_total for ln in boxed) == 190_000
        assert all(ln.unit_price * ln.quantity == ln.line_total for ln in lines)
        levels = await availability.stock_levels(
            session, [world.cookie.id, world.tray.id], utcnow()
        )
        assert levels[world.cookie.id].allocated == 43 and levels[world.tray.id].available == 8
    assert await _held(session_factory, slot_id) == 2  # paid boxes keep their place


async def test_boxes_alone_need_no_lines_and_the_same_key_does_not_take_the_slot_twice(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    sizes, slot_id = await _box_with_slot(client, world, capacity=3)
    first = await _place(client, order_body([(sizes[10], 3, slot_id)], key="office-42"))
    again = await _place(client, order_body([(sizes[10], 3, slot_id)], key="office-42"))
    assert again["token"] == first["token"] and first["total"] == 99_000
    assert first["delivery_total"] == 0
    async with session_factory() as session:
        assert await session.scalar(select(func.count(SnackBoxBooking.id))) == 1
    assert await _held(session_factory, slot_id) == 3


async def test_a_slot_before_the_lead_time_is_refused_and_nothing_is_held(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    sizes, slot_id = await _box_with_slot(client, world, days=2)  # lead time is 3 days
    before = await snack_rows(session_factory)
    response = await client.post("/api/checkout", json=order_body([(sizes[10], 1, slot_id)]))
    assert response.status_code == 400
    assert response.json()["code"] == "slot_too_soon"
    assert response.json()["errors"][0]["field"] == "snack_boxes[0].slot_id"
    assert await snack_rows(session_factory) == before
    async with session_factory() as session:
        assert await session.scalar(select(func.count(StockReservation.id))) == 0


async def test_bad_box_lines_name_their_field(world: World, client: Client) -> None:
    sizes, slot_id = await _box_with_slot(client, world)
    _, other_slot = await _box_with_slot(client, world)
    for boxes, field, code in [
        ([(999_999, 1, slot_id)], "snack_boxes[0].size_id", "unknown_size"),
        ([(sizes[10], 0, slot_id)], "snack_boxes[0].quantity", "invalid_quantity"),
        ([(sizes[10], 1, slot_id), (sizes[20], 1, 999_999)], "snack_boxes[1].slot_id",
         "unknown_slot"),
        ([(sizes[10], 1, other_slot)], "snack_boxes[0].slot_id", "slot_of_another_box"),
    ]:
        response = await client.post("/api/checkout", json=order_body(boxes))
        assert response.status_code == 400, response.text
        assert (response.json()["code"], response.json()["errors"][0]["field"]) == (code, field)


async def test_a_full_slot_is_a_409_and_gives_the_stock_back(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    sizes, slot_id = await _box_with_slot(client, world, capacity=2)
    await _place(client, order_body([(sizes[10], 2, slot_id)]))
    response = await client.post("/api/checkout", json=order_body([(sizes[10], 1, slot_id)]))
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "slot_full" and problem["available"] == 0
    assert problem["errors"][0]["field"] == "snack_boxes[0].slot_id"
    assert "마감" in problem["detail"]
    async with session_factory() as session:
        free = await availability.available(session, [world.cookie.id], utcnow())
        assert free[world.cookie.id] == 100 - 20  # only the first checkout's cookies are held
        assert await session.scalar(select(func.count(Checkout.id))) == 1


async def test_an_abandoned_or_expired_checkout_gives_its_boxes_back(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    sizes, slot_id = await _box_with_slot(client, world, capacity=1)
    first = await _place(client, order_body([(sizes[10], 1, slot_id)]))
    async with session_factory() as session:
        checkout = await checkouts.by_token(session, first["token"])
        await checkouts.abandon(session, checkout)
    assert await _held(session_factory, slot_id) == 0
    second = await _place(client, order_body([(sizes[10], 1, slot_id)]))
    async with session_factory() as session:  # its payment time runs out
        checkout = await checkouts.by_token(session, second["token"])
        reservation = await session.get(StockReservation, checkout.reservation_id)
        assert reservation is not None
        reservation.expires_at = utcnow() - dt.timedelta(seconds=1)
        await session.commit()
    assert await _held(session_factory, slot_id) == 0
    await _place(client, order_body([(sizes[10], 1, slot_id)]))
    assert await _held(session_factory, slot_id) == 1


async def test_a_late_payment_for_a_slot_given_away_meanwhile_is_refunded(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    sizes, slot_id = await _box_with_slot(client, world, capacity=1)
    late = await _place(client, order_body([(sizes[10], 1, slot_id)]))
    async with session_factory() as session:
        checkout = await checkouts.by_token(session, late["token"])
        reservation = await session.get(StockReservation, checkout.reservation_id)
        assert reservation is not None
        reservation.expires_at = utcnow() - dt.timedelta(seconds=1)
        await session.commit()
    other = await _place(client, order_body([(sizes[10], 1, slot_id)]))
    assert (await _pay(client, other))["status"] == "succeeded"

    paid = await _pay(client, late)  # stock is still there, the slot is not
    assert paid["status"] == "refunded"
    after = (await client.get(f"/api/checkout/{late['token']}")).json()
    assert after["status"] == "failed" and "배송" in after["failure_reason"]
    assert await _held(session_factory, slot_id) == 1
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Order.id))) == 1
        refund = await session.scalar(select(PaymentRefund))
        assert refund is not None and refund.amount == late["total"]
        allocated = await availability.stock_levels(session, [world.cookie.id], utcnow())
        assert allocated[world.cookie.id].allocated == 10  # only the paid box


async def test_capacity_cannot_be_cut_below_the_boxes_held(
    world: World, client: Client
) -> None:
    sizes, slot_id = await _box_with_slot(client, world, capacity=5)
    await _place(client, order_body([(sizes[10], 3, slot_id)]))
    box_id = (await client.get("/api/snack-boxes")).json()[0]["id"]
    url = f"/api/snack-boxes/{box_id}/slots/{slot_id}"
    cut = await client.patch(url, json={"capacity": 2}, headers=world.auth("organizer"))
    assert cut.status_code == 409 and cut.json()["errors"][0]["field"] == "capacity"
    assert cut.json()["held"] == 3
    ok = await client.patch(url, json={"capacity": 3}, headers=world.auth("organizer"))
    assert ok.status_code == 200 and ok.json()["available"] == 0
    closed = await client.patch(url, json={"is_active": False}, headers=world.auth("organizer"))
    assert closed.json()["is_active"] is False
    refused = await client.post("/api/checkout", json=order_body([(sizes[10], 1, slot_id)]))
    assert refused.status_code == 409 and refused.json()["code"] == "slot_closed"


async def test_a_size_that_was_ordered_is_kept_inactive_when_left_out(
    world: World, client: Client
) -> None:
    sizes, slot_id = await _box_with_slot(client, world)
    await _place(client, order_body([(sizes[10], 1, slot_id)]))
    box_id = (await client.get("/api/snack-boxes")).json()[0]["id"]
    body = box_body(world)
    body["sizes"] = body["sizes"][1:]
    response = await client.put(f"/api/snack-boxes/{box_id}", json=body,
                                headers=world.auth("organizer"))
    assert response.status_code == 200, response.text
    by_headcount = {s["headcount"]: s for s in response.json()["sizes"]}
    assert by_headcount[10]["is_active"] is False  # organizers still see it
    public = (await client.get(f"/api/snack-boxes/{box_id}")).json()
    assert [s["headcount"] for s in public["sizes"]] == [20]
    refused = await client.post("/api/checkout", json=order_body([(sizes[10], 1, slot_id)]))
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_size"


async def test_vendor_orders_exist_per_component_vendor_only(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    sizes, slot_id = await _box_with_slot(client, world)
    placed = await _place(client, order_body([(sizes[10], 1, slot_id)]))
    await _pay(client, placed)
    async with session_factory() as session:
        vendor_ids = set((await session.scalars(select(VendorOrder.vendor_id))).all())
    assert vendor_ids == {world.cookie_vendor.id, world.juice_vendor.id}

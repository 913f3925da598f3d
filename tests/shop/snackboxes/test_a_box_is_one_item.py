"""Issue 14: a snack box is one thing to its buyer. The order pages and the order API show it
as one item with one price and one cancel that cancels every vendor's part together (or none
of them); cancelling one vendor order holding a part of it is refused, loose items keep their
per-vendor cancel, and the split prices stay on the vendors' side."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from shop.checkout import availability
from shop.orders.models import Order, VendorOrder, VendorOrderStatus
from shop.payments.models import PaymentRefund
from shop.snackboxes.ordering import held_boxes
from tests.shop.cart.conftest import csrf_from
from tests.shop.snackboxes.conftest import ADDRESS, VISA, World, box_body, delivery_day
from tests.shop.snackboxes.test_snack_box_pages import sign_in

Client = AsyncTestClient[Litestar]
# The 10인 box (33,000원: 10 cookies, 10 juices) splits 14,140원 / 18,860원 by list value.
SPLIT = ("14,140", "18,860")


async def _bought(client: Client, world: World) -> dict[str, Any]:
    """One 10인 box and a loose tray, bought by the shopper: ids and the order number."""
    created = await client.post("/api/snack-boxes", json=box_body(world),
                                headers=world.auth("organizer"))
    box = created.json()
    slot = await client.post(f"/api/snack-boxes/{box['id']}/slots",
                             json={"delivery_date": delivery_day(5).isoformat(), "capacity": 4,
                                   "window_label": "오전 10~12시"},
                             headers=world.auth("organizer"))
    size_id = next(s["id"] for s in box["sizes"] if s["headcount"] == 10)
    placed = await client.post("/api/checkout", headers=world.auth("shopper"), json={
        "address": ADDRESS, "email": "buyer@seongbuk.go.kr",
        "snack_boxes": [{"size_id": size_id, "quantity": 1, "slot_id": slot.json()["id"]}],
        "lines": [{"variant_id": world.tray.id, "quantity": 1}],
    })
    assert placed.status_code == 201, placed.text
    paid = await client.post(f"/api/payments/{placed.json()['payment']['token']}/test-card",
                             json={"card": VISA})
    assert paid.json()["status"] == "succeeded", paid.text
    checkout = (await client.get(f"/api/checkout/{placed.json()['token']}")).json()
    return {"number": checkout["order_number"], "slot_id": slot.json()["id"]}


async def _vendor_orders(
    factory: async_sessionmaker[AsyncSession], world: World
) -> dict[str, VendorOrder]:
    async with factory() as session:
        rows = (await session.scalars(select(VendorOrder))).all()
    by_vendor = {vo.vendor_id: vo for vo in rows}
    return {"cookie": by_vendor[world.cookie_vendor.id], "juice": by_vendor[world.juice_vendor.id],
            "tray": by_vendor[world.tray_vendor.id]}


async def test_the_order_api_and_pages_show_the_box_as_one_item_with_one_price(
    world: World, client: Client
) -> None:
    bought = await _bought(client, world)
    order = (await client.get(f"/api/orders/{bought['number']}",
                              headers=world.auth("shopper"))).json()
    (box,) = order["snack_boxes"]
    assert (box["name"], box["headcount"], box["quantity"], box["price"]) == (
        "햇음 다과꾸러미", 10, 1, 33_000)
    assert box["delivery_date"] == delivery_day(5).isoformat()
    assert box["slot_label"].endswith("오전 10~12시") and box["cancellable"] is True
    assert box["assembler"] == "장터 운영자"
    # Only the loose tray is a vendor's parcel to the buyer; no split price anywhere.
    assert [p["vendor_name"] for p in order["vendor_orders"]] == ["떡공방자활기업"]
    assert order["vendor_orders"][0]["total"] == 30_000 + 3_000
    assert all(ln["unit_price"] not in (1_414, 1_886) for p in order["vendor_orders"]
               for ln in p["lines"])

    await sign_in(client, world.shopper.email)
    detail = await client.get(f"/orders/{bought['number']}")
    assert detail.status_code == 200
    assert "햇음 다과꾸러미 10인 × 1상자" in detail.text and "33,000원" in detail.text
    assert not any(split in detail.text for split in SPLIT)
    assert detail.text.count("/cancel") == 2  # the box's and the loose tray's
    assert len(re.findall(r"/snack-boxes/\d+/cancel", detail.text)) == 1
    listing = await client.get("/orders")
    assert "햇음 다과꾸러미 10인 ×1 외 1건" in listing.text


async def test_a_vendor_order_holding_part_of_a_box_cannot_be_cancelled_alone(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    bought = await _bought(client, world)
    parts = await _vendor_orders(session_factory, world)
    refused = await client.post(f"/api/vendor-orders/{parts['cookie'].id}/cancel",
                                json={"reason": "쿠키만 빼고 싶어요"},
                                headers=world.auth("shopper"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "part_of_snack_box"
    assert "햇음 다과꾸러미 10인" in refused.json()["detail"]

    await sign_in(client, world.shopper.email)
    detail = await client.get(f"/orders/{bought['number']}")
    page = await client.post(
        f"/orders/{bought['number']}/vendor-orders/{parts['juice'].id}/cancel",
        data={"_csrf_token": csrf_from(detail.text), "reason": "주스만 취소"})
    assert "따로 취소할 수 없습니다" in page.text
    async with session_factory() as session:
        assert await session.scalar(select(func.count(PaymentRefund.id))) == 0

    # The loose tray keeps its own cancel.
    loose = await client.post(f"/api/vendor-orders/{parts['tray'].id}/cancel",
                              json={"reason": "떡은 필요 없어요"}, headers=world.auth("shopper"))
    assert loose.status_code == 200, loose.text
    assert loose.json()["status"] == "cancelled" and loose.json()["refunded_amount"] == 33_000


async def test_one_cancel_refunds_every_part_of_the_box_and_frees_its_place(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    bought = await _bought(client, world)
    order = (await client.get(f"/api/orders/{bought['number']}",
                              headers=world.auth("shopper"))).json()
    box_id = order["snack_boxes"][0]["id"]
    await sign_in(client, world.shopper.email)
    detail = await client.get(f"/orders/{bought['number']}")
    cancelled = await client.post(
        f"/orders/{bought['number']}/snack-boxes/{box_id}/cancel",
        data={"_csrf_token": csrf_from(detail.text), "reason": "행사가 취소됐어요"})
    assert cancelled.status_code == 200
    assert "33,000원을 환불했습니다" in cancelled.text

    parts = await _vendor_orders(session_factory, world)
    assert parts["cookie"].status is VendorOrderStatus.CANCELLED
    assert parts["juice"].status is VendorOrderStatus.CANCELLED
    assert parts["cookie"].refunded_amount + parts["juice"].refunded_amount == 33_000
    assert parts["tray"].status is VendorOrderStatus.PAID  # the loose item is not touched
    async with session_factory() as session:
        refunds = (await session.scalars(select(PaymentRefund))).all()
        assert sum(r.amount for r in refunds) == 33_000
        free = await availability.available(session, [world.cookie.id, world.juice.id],
                                            utcnow())
        assert free == {world.cookie.id: 100, world.juice.id: 100}
        assert (await held_boxes(session, [bought["slot_id"]], utcnow()))[bought["slot_id"]] == 0
    after = (await client.get(f"/api/orders/{bought['number']}",
                              headers=world.auth("shopper"))).json()["snack_boxes"][0]
    assert after["status"] == "cancelled" and after["refunded_amount"] == 33_000
    assert after["cancellable"] is False
    again = await client.post(f"/api/orders/{bought['number']}/snack-boxes/{box_id}/cancel",
                              json={"reason": "다시"}, headers=world.auth("shopper"))
    assert again.status_code == 409 and again.json()["code"] == "snack_box_already_cancelled"


async def test_a_box_with_a_shipped_part_is_refused_whole(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    bought = await _bought(client, world)
    parts = await _vendor_orders(session_factory, world)
    async with session_factory() as session:  # the juice vendor already sent its part
        juice = await session.get(VendorOrder, parts["juice"].id)
        assert juice is not None
        juice.status, juice.shipped_at = VendorOrderStatus.SHIPPED, utcnow()
        await session.commit()
    order = (await client.get(f"/api/orders/{bought['number']}",
                              headers=world.auth("shopper"))).json()
    box = order["snack_boxes"][0]
    assert box["cancellable"] is False
    refused = await client.post(f"/api/orders/{bought['number']}/snack-boxes/{box['id']}/cancel",
                                json={"reason": "취소"}, headers=world.auth("shopper"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "snack_box_part_shipped"
    assert "이미 발송" in refused.json()["detail"]
    after = await _vendor_orders(session_factory, world)
    assert after["cookie"].status is VendorOrderStatus.PAID
    assert after["cookie"].refunded_amount == 0
    async with session_factory() as session:
        assert await session.scalar(select(func.count(PaymentRefund.id))) == 0
        assert await session.scalar(select(func.count(Order.id))) == 1


async def test_someone_else_cannot_cancel_the_box(world: World, client: Client) -> None:
    bought = await _bought(client, world)
    order = (await client.get(f"/api/orders/{bought['number']}",
                              headers=world.auth("shopper"))).json()
    box_id = order["snack_boxes"][0]["id"]
    stranger = await client.post(f"/api/orders/{bought['number']}/snack-boxes/{box_id}/cancel",
                                 json={"reason": "취소"}, headers=world.auth("organizer"))
    assert stranger.status_code == 403
    missing = await client.post(f"/api/orders/{bought['number']}/snack-boxes/999999/cancel",
                                json={"reason": "취소"}, headers=world.auth("shopper"))
    assert missing.status_code == 404

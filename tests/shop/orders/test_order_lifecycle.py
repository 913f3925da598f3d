"""A vendor order from paid to completed, cancelled before shipment, refunded after it: the
state machine, the stock, and the money given back through Stripe (localstripe)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from shop.catalog.models import ProductVariant
from shop.checkout import availability
from shop.orders.models import OrderRefund, VendorOrder, VendorOrderStatusChange
from shop.payments.models import Payment, PaymentRefund
from tests.shop.conftest import Shop, place_and_pay

Client = AsyncTestClient[Litestar]


async def _vendor_order(client: Client, shop: Shop, number: str) -> dict[str, Any]:
    order = (await client.get(f"/api/orders/{number}", headers=shop.auth("shopper"))).json()
    return next(v for v in order["vendor_orders"] if v["vendor_id"] == shop.cookie_vendor.id)


async def _levels(session: AsyncSession, variant_id: int) -> tuple[int, int, int]:
    level = (await availability.stock_levels(session, [variant_id], utcnow()))[variant_id]
    return level.stock, level.allocated, level.available


async def test_accept_ship_deliver_complete_moves_stock_at_shipment(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    order = await place_and_pay(pay_client, shop, [(shop.cookie.id, 4)])
    vo = await _vendor_order(pay_client, shop, order["order_number"])
    owner = shop.auth("owner")
    base = f"/api/vendor-orders/{vo['id']}"

    early = await pay_client.post(f"{base}/ship", headers=owner,
                                  json={"carrier": "CJ대한통운", "tracking_number": "1234567890"})
    assert early.status_code == 409 and early.json()["code"] == "vendor_order_invalid_transition"
    stranger = await pay_client.post(f"{base}/accept", headers=shop.auth("stranger"))
    assert stranger.status_code == 403

    assert (await pay_client.post(f"{base}/accept", headers=owner)).json()["status"] == "accepted"
    assert await _levels(db_session, shop.cookie.id) == (20, 4, 16)
    bad = await pay_client.post(f"{base}/ship", headers=owner,
                                json={"carrier": "CJ대한통운", "tracking_number": "12"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "tracking_number"
    shipped = await pay_client.post(f"{base}/ship", headers=owner,
                                    json={"carrier": "CJ대한통운",
                                          "tracking_number": "6012-3456-7890"})
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["tracking_number"] == "601234567890"
    assert await _levels(db_session, shop.cookie.id) == (16, 0, 16)  # left the shelf
    assert (await pay_client.post(f"{base}/deliver", headers=owner)).json()["status"] == \
        "delivered"
    done = await pay_client.post(f"{base}/complete", headers=shop.auth("shopper"))
    assert done.json()["status"] == "completed"
    steps = (await db_session.scalars(
        select(VendorOrderStatusChange.to_status)
        .where(VendorOrderStatusChange.vendor_order_id == vo["id"])
        .order_by(VendorOrderStatusChange.id))).all()
    assert [s.value for s in steps] == ["paid", "accepted", "shipped", "delivered", "completed"]


async def test_cancelling_before_shipment_returns_stock_and_refunds_everything(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    order = await place_and_pay(pay_client, shop, [(shop.cookie.id, 2), (shop.tea.id, 1)])
    vo = await _vendor_order(pay_client, shop, order["order_number"])
    assert await _levels(db_session, shop.cookie.id) == (20, 2, 18)
    no_reason = await pay_client.post(f"/api/vendor-orders/{vo['id']}/cancel",
                                      headers=shop.auth("shopper"), json={"reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    cancelled = await pay_client.post(f"/api/vendor-orders/{vo['id']}/cancel",
                                      headers=shop.auth("shopper"), json={"reason": "주소 착오"})
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["refunded_amount"] == 23_000
    assert await _levels(db_session, shop.cookie.id) == (20, 0, 20)
    payment = await db_session.scalar(select(Payment))
    assert payment is not None and payment.refunded_amount == 23_000
    assert payment.status.value == "succeeded"  # the tea vendor's part is still paid
    refund = await db_session.scalar(select(PaymentRefund))
    assert refund is not None
    stripe_refund = shop.gateway.client.v1.refunds.retrieve(refund.stripe_refund_id)
    assert stripe_refund.amount == 23_000
    again = await pay_client.post(f"/api/vendor-orders/{vo['id']}/cancel",
                                  headers=shop.auth("shopper"), json={"reason": "또"})
    assert again.status_code == 409
    assert await db_session.scalar(select(func.count(PaymentRefund.id))) == 1


async def test_partial_refunds_after_shipment_restock_only_returned_goods(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    order = await place_and_pay(pay_client, shop, [(shop.cookie.id, 4)])  # 40,000 + 3,000
    vo = await _vendor_order(pay_client, shop, order["order_number"])
    owner, base = shop.auth("owner"), f"/api/vendor-orders/{vo['id']}"
    await pay_client.post(f"{base}/accept", headers=owner)
    await pay_client.post(f"{base}/ship", headers=owner,
                          json={"carrier": "우체국택배", "tracking_number": "9988776655"})
    line_id = vo["lines"][0]["id"]

    def body(quantity: int, key: str, **extra: Any) -> dict[str, Any]:
        return {"lines": [{"order_line_id": line_id, "quantity": quantity}],
                "reason": "파손", "key": key, **extra}

    broken = await pay_client.post(f"{base}/refunds", headers=owner, json=body(1, "k1"))
    assert broken.status_code == 201 and broken.json()["amount"] == 10_000
    assert broken.json()["restocked"] is False
    replay = await pay_client.post(f"{base}/refunds", headers=owner, json=body(1, "k1"))
    assert replay.json()["id"] == broken.json()["id"]
    returned = await pay_client.post(f"{base}/refunds", headers=owner,
                                     json=body(2, "k2", restock=True))
    assert returned.json()["amount"] == 20_000 and returned.json()["restocked"] is True
    variant = await db_session.get(ProductVariant, shop.cookie.id, populate_existing=True)
    assert variant is not None and variant.stock == 20 - 4 + 2
    too_many = await pay_client.post(f"{base}/refunds", headers=owner, json=body(2, "k3"))
    assert too_many.status_code == 409
    assert too_many.json()["errors"][0]["field"] == "lines[0].quantity"
    last = await pay_client.post(f"{base}/refunds", headers=owner,
                                 json=body(1, "k4", include_delivery_fee=True))
    assert last.json()["amount"] == 10_000 + 3_000
    row = await db_session.get(VendorOrder, vo["id"], populate_existing=True)
    assert row is not None and row.status.value == "refunded"
    assert row.refunded_amount == row.total == 43_000
    payment = await db_session.scalar(select(Payment).execution_options(populate_existing=True))
    assert payment is not None and payment.status.value == "refunded"
    assert await db_session.scalar(select(func.count(OrderRefund.id))) == 3


async def test_stock_cannot_be_set_below_what_is_sold_or_being_paid_for(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    await place_and_pay(pay_client, shop, [(shop.cookie.id, 4)])
    url = f"/api/products/{shop.cookie.product_id}/variants/{shop.cookie.sku}/stock"
    owner = shop.auth("owner")
    refused = await pay_client.put(url, headers=owner, json={"stock": 3})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "stock_below_sold"
    assert refused.json()["errors"][0]["field"] == "stock"
    assert (await pay_client.put(url, headers=owner, json={"stock": 4})).status_code == 200
    page = await pay_client.get(f"/products/{shop.cookie.product_id}")
    assert "품절" in page.text  # 4 on the shelf, all 4 sold: nothing left to buy


async def test_a_refund_key_belongs_to_its_vendor_order_and_strangers_get_403(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    first = await place_and_pay(pay_client, shop, [(shop.cookie.id, 2)])
    second = await place_and_pay(pay_client, shop, [(shop.cookie.id, 2)])
    owner = shop.auth("owner")
    ids = []
    for order in (first, second):
        vo = await _vendor_order(pay_client, shop, order["order_number"])
        body = {"lines": [{"order_line_id": vo["lines"][0]["id"], "quantity": 1}],
                "reason": "품질 불만", "key": "same-key"}
        stranger = await pay_client.post(f"/api/vendor-orders/{vo['id']}/refunds",
                                         headers=shop.auth("stranger"), json=body)
        assert stranger.status_code == 403
        given = await pay_client.post(f"/api/vendor-orders/{vo['id']}/refunds",
                                      headers=owner, json=body)
        assert given.status_code == 201, given.text
        assert given.json()["vendor_order_id"] == vo["id"]
        ids.append(given.json()["id"])
    assert ids[0] != ids[1]
    assert await db_session.scalar(select(func.count(PaymentRefund.id))) == 2

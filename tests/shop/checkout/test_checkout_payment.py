"""Placing an order and paying for it through a real localstripe: one PaymentIntent per
checkout, declines and 3-D Secure, and exactly one order however completion is reached."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from infra.outbox import OutboxEvent
from shop.checkout import availability
from shop.checkout.models import Checkout, StockAllocation
from shop.orders.models import Order, OrderLine, VendorOrder
from shop.payments import services as payments
from shop.payments.models import Payment, PaymentRefund
from tests.shop.conftest import DECLINED, THREE_DS, VISA, Shop, order_body

Client = AsyncTestClient[Litestar]


async def _count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _place(client: Client, lines: list[tuple[int, int]], **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/checkout", json=order_body(lines, **extra))
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_order_splits_per_vendor_and_is_paid_with_a_test_card(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    placed = await _place(pay_client, [(shop.cookie.id, 2), (shop.tea.id, 1)])
    assert placed["status"] == "open" and placed["expires_at"]
    # 20,000 + 3,000 delivery (below 50,000) and 8,000 + 3,000.
    assert (placed["items_total"], placed["delivery_total"], placed["total"]) == (
        28_000, 6_000, 34_000)
    payment = placed["payment"]
    assert payment["status"] == "pending" and payment["client_secret"].startswith("pi_")
    assert payment["publishable_key"].startswith("pk_test_")
    intent = shop.gateway.retrieve_intent(payment["client_secret"].split("_secret_")[0])
    assert (intent.amount, intent.currency) == (34_000, "krw")

    paid = await pay_client.post(f"/api/payments/{payment['token']}/test-card",
                                 json={"card": VISA})
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "succeeded"
    assert paid.json()["next_url"] == f"/checkout/done/{payment['token']}"

    after = (await pay_client.get(f"/api/checkout/{placed['token']}")).json()
    assert after["status"] == "paid" and after["order_number"].startswith("JT-")
    assert after["expires_at"] is None
    order = await db_session.scalar(select(Order))
    assert order is not None and order.total == 34_000 and order.recipient == "김장터"
    vendor_orders = {v.vendor_id: v for v in order.vendor_orders}
    assert vendor_orders[shop.cookie_vendor.id].total == 23_000
    assert vendor_orders[shop.tea_vendor.id].total == 11_000
    assert {v.status.value for v in vendor_orders.values()} == {"paid"}
    # Paid units are allocated, still on the shelf until shipped.
    levels = await availability.stock_levels(db_session, [shop.cookie.id, shop.tea.id], utcnow())
    assert (levels[shop.cookie.id].stock, levels[shop.cookie.id].allocated) == (20, 2)
    assert levels[shop.tea.id].available == 4


async def test_a_declined_card_keeps_the_checkout_payable_with_another_card(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    placed = await _place(pay_client, [(shop.cookie.id, 1)])
    token = placed["payment"]["token"]
    declined = await pay_client.post(f"/api/payments/{token}/test-card", json={"card": DECLINED})
    assert declined.status_code == 200
    assert declined.json()["status"] == "pending" and declined.json()["last_error"]
    assert await _count(db_session, Order) == 0
    paid = await pay_client.post(f"/api/payments/{token}/test-card", json={"card": VISA})
    assert paid.json()["status"] == "succeeded"
    assert await _count(db_session, Order) == 1


async def test_three_d_secure_is_answered_by_the_browser_then_completed(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    placed = await _place(pay_client, [(shop.tea.id, 2)])
    payment = placed["payment"]
    waiting = await pay_client.post(f"/api/payments/{payment['token']}/test-card",
                                    json={"card": THREE_DS})
    assert waiting.json()["requires_action"] is True
    assert await _count(db_session, Order) == 0
    # What the payment page's script does: answer localstripe's 3-D Secure as the payer.
    secret = payment["client_secret"]
    intent_id = secret.split("_secret_")[0]
    answered = await asyncio.to_thread(
        httpx.post,
        f"{shop.settings.stripe_api_base}/v1/payment_intents/{intent_id}/_authenticate",
        params={"success": "true"},
        json={"key": payment["publishable_key"], "client_secret": secret},
    )
    assert answered.status_code == 200, answered.text
    done = await pay_client.post(f"/api/payments/{payment['token']}/complete")
    assert done.json()["status"] == "succeeded"
    assert await _count(db_session, Order) == 1


async def test_return_and_webhooks_racing_make_exactly_one_order(
    shop: Shop, session_factory: async_sessionmaker[AsyncSession], pay_client: Client,
) -> None:
    placed = await _place(pay_client, [(shop.cookie.id, 3)])
    intent_id = placed["payment"]["client_secret"].split("_secret_")[0]
    # The browser paid at Stripe; now the return and (duplicated) webhooks arrive together.
    await asyncio.to_thread(shop.gateway.pay_with_test_card, intent_id, VISA)

    async def via_return() -> None:
        async with session_factory() as session:
            payment = await payments.by_token(session, placed["payment"]["token"])
            await payments.complete(session, shop.gateway, payment)

    async def via_webhook() -> None:
        async with session_factory() as session:
            await payments.process_stripe_event(
                session, shop.gateway, "payment_intent.succeeded", intent_id)

    await asyncio.gather(via_return(), via_webhook(), via_webhook(), via_return(),
                         via_webhook())
    async with session_factory() as session:
        assert await _count(session, Order) == 1
        assert await _count(session, VendorOrder) == 1
        assert await _count(session, OrderLine) == 1
        allocated = await session.scalar(select(func.sum(StockAllocation.quantity)))
        assert allocated == 3


async def test_same_key_returns_the_same_checkout_and_one_payment_intent(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    first = await _place(pay_client, [(shop.cookie.id, 1)], key="order-abc")
    again = await _place(pay_client, [(shop.cookie.id, 1)], key="order-abc")
    assert again["token"] == first["token"]
    assert again["payment"]["token"] == first["payment"]["token"]
    assert await _count(db_session, Checkout) == 1 and await _count(db_session, Payment) == 1
    other = await pay_client.post("/api/checkout", json=order_body([(shop.cookie.id, 2)],
                                                                   key="order-abc"))
    assert other.status_code == 409 and other.json()["code"] == "checkout_key_reused"


async def test_a_bad_address_names_every_field_and_holds_nothing(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    body = order_body([(shop.cookie.id, 1)])
    body["address"] = {**body["address"], "postal_code": "1234", "phone": "12", "recipient": ""}
    response = await pay_client.post("/api/checkout", json=body)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"address.postal_code", "address.phone", "address.recipient"}
    too_many = await pay_client.post("/api/checkout", json=order_body([(shop.tea.id, 6)]))
    assert too_many.status_code == 409 and too_many.json()["code"] == "out_of_stock"
    assert too_many.json()["errors"][0]["field"] == "lines[0].quantity"
    assert await _count(db_session, Checkout) == 0 and await _count(db_session, Payment) == 0


async def test_a_late_payment_for_stock_sold_meanwhile_is_refunded_in_full(
    shop: Shop, pay_client: Client, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    late = await _place(pay_client, [(shop.tea.id, 5)])
    async with session_factory() as session:  # the hold runs out while 3-D Secure waits…
        checkout = await session.scalar(select(Checkout).where(Checkout.token == late["token"]))
        assert checkout is not None
        from shop.checkout.models import StockReservation

        reservation = await session.get(StockReservation, checkout.reservation_id)
        assert reservation is not None
        reservation.expires_at = utcnow()
        await session.commit()
    expired = (await pay_client.get(f"/api/checkout/{late['token']}")).json()
    assert (expired["status"], expired["expires_at"]) == ("expired", None)
    other = await _place(pay_client, [(shop.tea.id, 5)])  # …and someone else buys it all
    sold = await pay_client.post(f"/api/payments/{other['payment']['token']}/test-card",
                                 json={"card": VISA})
    assert sold.json()["status"] == "succeeded"

    paid = await pay_client.post(f"/api/payments/{late['payment']['token']}/test-card",
                                 json={"card": VISA})
    assert paid.json()["status"] == "refunded"
    after = (await pay_client.get(f"/api/checkout/{late['token']}")).json()
    assert after["status"] == "failed" and "환불" in after["failure_reason"]
    assert after["order_number"] is None
    async with session_factory() as session:
        assert await _count(session, Order) == 1
        # The refused order was written before the stock check and rolled back with it:
        # no event announces it (no mail, no ledger entry for an order that does not exist).
        placed = await session.scalar(select(func.count(OutboxEvent.id))
                                      .where(OutboxEvent.name == "order.placed"))
        assert placed == 1
        refund = await session.scalar(select(PaymentRefund))
        assert refund is not None and refund.amount == late["total"]

"""A new checkout of the same cart cancels the older unpaid one: its stock goes back, its
PaymentIntent is cancelled, and paying it is refused with a Korean message (or, if its money
raced in anyway, refunded in full). So the same cart can never become two orders.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from shop.checkout import availability
from shop.orders.models import Order
from shop.payments import services as payments
from shop.payments.models import PaymentRefund
from tests.fixtures.apps import csrf_from
from tests.shop.conftest import ADDRESS, VISA, Shop, order_body

Client = AsyncTestClient[Litestar]


async def _count(session: AsyncSession, model: Any) -> int:
    session.expire_all()
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _fill_cart(client: Client, shop: Shop, variant_id: int, quantity: int) -> None:
    added = await client.post("/api/cart/items", headers=shop.auth("shopper"),
                              json={"variant_id": variant_id, "quantity": quantity})
    assert added.status_code == 201, added.text


async def _checkout_cart(client: Client, shop: Shop) -> dict[str, Any]:
    placed = await client.post("/api/checkout", headers=shop.auth("shopper"),
                               json={"address": ADDRESS, "email": "shopper@example.kr"})
    assert placed.status_code == 201, placed.text
    return dict(placed.json())


async def _pay(client: Client, placed: dict[str, Any]) -> Any:
    return await client.post(f"/api/payments/{placed['payment']['token']}/test-card",
                             json={"card": VISA})


async def test_a_new_checkout_of_the_cart_cancels_the_old_one_which_cannot_be_paid(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    await _fill_cart(pay_client, shop, shop.cookie.id, 2)
    old = await _checkout_cart(pay_client, shop)
    new = await _checkout_cart(pay_client, shop)
    assert new["token"] != old["token"]

    # The new one is paid first, then the old one is tried: refused, no money taken.
    assert (await _pay(pay_client, new)).json()["status"] == "succeeded"
    refused = await _pay(pay_client, old)
    assert await _count(db_session, Order) == 1
    before = (await pay_client.get(f"/api/checkout/{old['token']}")).json()
    assert before["status"] == "abandoned" and "새 주문서" in before["failure_reason"]
    assert before["expires_at"] is None
    free = await availability.available(db_session, [shop.cookie.id], utcnow())
    assert free[shop.cookie.id] == 20 - 2  # only the new checkout holds cookies
    intent_id = old["payment"]["client_secret"].split("_secret_")[0]
    intent = await asyncio.to_thread(shop.gateway.retrieve_intent, intent_id)
    assert intent.status == "canceled"

    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["code"] == "payment_cancelled"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "새 주문서" in problem["detail"]
    assert await _count(db_session, Order) == 1
    assert await _count(db_session, PaymentRefund) == 0
    after = (await pay_client.get(f"/api/checkout/{old['token']}")).json()
    assert after["status"] == "abandoned" and after["order_number"] is None

    # The old payment page (a tab left open) says so instead of offering the cards.
    page = await pay_client.get(f"/pay/{old['payment']['token']}")
    assert page.status_code == 200 and 'id="order-cancelled"' in page.text
    assert "새 주문서" in page.text
    product = await pay_client.get(f"/products/{shop.cookie.product_id}")
    form = await pay_client.post(f"/pay/{old['payment']['token']}/test-card", data={
        "_csrf_token": csrf_from(product.text), "card": VISA})
    assert form.status_code == 409 and "새 주문서" in form.text
    assert 'id="test-cards"' not in form.text
    assert await _count(db_session, Order) == 1


async def test_the_last_units_can_be_checked_out_again(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    await _fill_cart(pay_client, shop, shop.tea.id, 5)  # all the tea there is
    await _checkout_cart(pay_client, shop)
    again = await _checkout_cart(pay_client, shop)  # the shopper's own hold is given back
    assert (await _pay(pay_client, again)).json()["status"] == "succeeded"
    assert await _count(db_session, Order) == 1


async def test_an_old_payment_that_raced_in_is_refunded_in_full(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    await _fill_cart(pay_client, shop, shop.cookie.id, 1)
    old = await _checkout_cart(pay_client, shop)
    intent_id = old["payment"]["client_secret"].split("_secret_")[0]
    # Paid at Stripe (another tab's Payment Element) but not heard of here yet…
    await asyncio.to_thread(shop.gateway.pay_with_test_card, intent_id, VISA)
    new = await _checkout_cart(pay_client, shop)  # …when the cart is checked out again
    after = (await pay_client.get(f"/api/checkout/{old['token']}")).json()
    assert after["order_number"] is None
    assert "새 주문서" in after["failure_reason"] and "환불" in after["failure_reason"]
    assert after["payment"]["status"] == "refunded"
    refund = await db_session.scalar(select(PaymentRefund))
    assert refund is not None and refund.amount == old["total"]
    # The late webhook of the old payment changes nothing.
    await payments.process_stripe_event(db_session, shop.gateway, "payment_intent.succeeded",
                                        intent_id)
    assert (await _pay(pay_client, new)).json()["status"] == "succeeded"
    assert await _count(db_session, Order) == 1
    assert await _count(db_session, PaymentRefund) == 1


async def test_checkouts_of_explicit_lines_are_independent(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    """A program ordering lines (no cart) may place several orders for the same goods."""
    first = await pay_client.post("/api/checkout", json=order_body([(shop.cookie.id, 1)]),
                                  headers=shop.auth("shopper"))
    second = await pay_client.post("/api/checkout", json=order_body([(shop.cookie.id, 1)]),
                                   headers=shop.auth("shopper"))
    for placed in (first.json(), second.json()):
        assert (await _pay(pay_client, placed)).json()["status"] == "succeeded"
    assert await _count(db_session, Order) == 2

"""A payer who leaves an unfinished 3-D Secure step and comes back to the payment page can
finish it or start over, against a real localstripe, and is never charged twice.

localstripe (like Stripe) refuses a second card on an intent waiting for 3-D Secure; the
payment then cancels that intent and continues on a fresh one.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.orders.models import Order
from shop.payments.models import Payment
from tests.fixtures.apps import csrf_from
from tests.shop.conftest import ADDRESS, THREE_DS, VISA, Shop, order_body

Client = AsyncTestClient[Litestar]


async def _orders(session: AsyncSession) -> int:
    session.expire_all()
    return int(await session.scalar(select(func.count(Order.id))) or 0)


async def _payment(session: AsyncSession, token: str) -> Payment:
    session.expire_all()
    payment = await session.scalar(select(Payment).where(Payment.token == token))
    assert payment is not None
    return payment


async def _authenticate(shop: Shop, intent_id: str, secret: str, *, success: bool = True
                        ) -> httpx.Response:
    """What the payment page's script does: answer localstripe's 3-D Secure as the payer."""
    return await asyncio.to_thread(
        httpx.post,
        f"{shop.settings.stripe_api_base}/v1/payment_intents/{intent_id}/_authenticate",
        params={"success": "true" if success else "false"},
        json={"key": shop.settings.stripe_publishable_key, "client_secret": secret},
    )


async def _charges(shop: Shop, intent_ids: list[str]) -> int:
    """How many of these intents took money (each localstripe intent charges at most once)."""
    def count() -> int:
        return sum(1 for i in intent_ids
                   if shop.gateway.retrieve_intent(i).status == "succeeded")
    return await asyncio.to_thread(count)


async def _login(client: Client, email: str) -> None:
    page = await client.get("/login")
    response = await client.post("/login", data={
        "_csrf_token": csrf_from(page.text), "email": email, "password": "password-123"})
    assert response.status_code == 200, response.text


async def _to_3ds_step(client: Client, shop: Shop) -> tuple[str, str]:
    """Signed in: a cookie into the cart, 주문하기, then the 3-D Secure card: (pay path, page)."""
    await _login(client, "shopper@example.kr")
    product = await client.get(f"/products/{shop.cookie.product_id}")
    added = await client.post("/cart/items", data={
        "_csrf_token": csrf_from(product.text), "variant_id": str(shop.cookie.id),
        "quantity": "1"})
    assert added.status_code == 200
    form = await client.get("/checkout")
    placed = await client.post("/checkout", data={
        "_csrf_token": csrf_from(form.text), **ADDRESS, "email": "shopper@example.kr"})
    assert placed.status_code == 200 and "테스트 카드로 결제" in placed.text, placed.text
    path = placed.url.path
    assert re.fullmatch(r"/pay/[^/]+", path), path
    step = await client.post(f"{path}/test-card", data={
        "_csrf_token": csrf_from(placed.text), "card": THREE_DS})
    assert step.status_code == 200 and 'id="three-ds"' in step.text, step.text
    return path, step.text


async def test_back_on_the_payment_page_after_3ds_another_card_pays_once(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    path, _ = await _to_3ds_step(pay_client, shop)
    token = path.rsplit("/", 1)[1]
    first_intent = (await _payment(db_session, token)).intent_id
    assert first_intent is not None

    # Reloading the 3-D Secure step is a GET of the card form's URL: the step again, signed in.
    reloaded = await pay_client.get(f"{path}/test-card")
    assert reloaded.status_code == 200, reloaded.text
    assert 'id="three-ds"' in reloaded.text and "결제하기" in reloaded.text
    assert 'class="who"' in reloaded.text  # the shopper is still shown signed in

    # Back on the payment page: continue the authentication, or start over with a card.
    back = await pay_client.get(path)
    assert back.status_code == 200
    assert 'id="three-ds"' in back.text and 'id="restart-payment"' in back.text
    assert first_intent in back.text  # "continue" answers the waiting intent

    paid = await pay_client.post(f"{path}/test-card", data={
        "_csrf_token": csrf_from(back.text), "card": VISA})
    assert paid.status_code == 200, paid.text
    assert "주문이 완료되었습니다" in paid.text
    assert await _orders(db_session) == 1
    payment = await _payment(db_session, token)
    assert payment.status.value == "succeeded" and payment.intent_id != first_intent
    old = await asyncio.to_thread(shop.gateway.retrieve_intent, first_intent)
    assert old.status == "canceled"  # the waiting one can never be charged now
    assert await _charges(shop, [first_intent, payment.intent_id]) == 1


async def test_back_on_the_payment_page_the_3ds_step_can_be_finished(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    path, _ = await _to_3ds_step(pay_client, shop)
    token = path.rsplit("/", 1)[1]
    back = await pay_client.get(path)
    assert 'id="three-ds"' in back.text
    payment = await _payment(db_session, token)
    assert payment.intent_id and payment.client_secret
    answered = await _authenticate(shop, payment.intent_id, payment.client_secret)
    assert answered.status_code == 200, answered.text
    done = await pay_client.get(f"{path}/return")
    assert done.status_code == 200 and "주문이 완료되었습니다" in done.text
    assert await _orders(db_session) == 1


async def test_starting_over_cancels_the_waiting_intent(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    path, step = await _to_3ds_step(pay_client, shop)
    token = path.rsplit("/", 1)[1]
    before = await _payment(db_session, token)
    old_id, old_secret = before.intent_id, before.client_secret
    assert old_id and old_secret
    restarted = await pay_client.post(f"{path}/restart",
                                      data={"_csrf_token": csrf_from(step)})
    assert restarted.status_code == 200 and restarted.url.path == path
    assert 'id="test-cards"' in restarted.text and 'id="three-ds"' not in restarted.text
    after = await _payment(db_session, token)
    new_id = after.intent_id
    assert after.status.value == "pending" and new_id and new_id != old_id
    # The abandoned authentication can no longer take money.
    late = await _authenticate(shop, old_id, old_secret)
    assert late.status_code == 400
    paid = await pay_client.post(f"{path}/test-card", data={
        "_csrf_token": csrf_from(restarted.text), "card": VISA})
    assert "주문이 완료되었습니다" in paid.text
    assert await _orders(db_session) == 1
    assert await _charges(shop, [old_id, new_id]) == 1


async def _api_3ds(client: Client, shop: Shop) -> dict[str, Any]:
    placed = await client.post("/api/checkout", json=order_body([(shop.tea.id, 1)]))
    assert placed.status_code == 201, placed.text
    payment = placed.json()["payment"]
    waiting = await client.post(f"/api/payments/{payment['token']}/test-card",
                                json={"card": THREE_DS})
    assert waiting.status_code == 200 and waiting.json()["requires_action"] is True
    return dict(payment)


async def test_the_api_takes_another_card_after_an_unfinished_3ds(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    payment = await _api_3ds(pay_client, shop)
    paid = await pay_client.post(f"/api/payments/{payment['token']}/test-card",
                                 json={"card": VISA})
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "succeeded"
    assert await _orders(db_session) == 1
    # The same 3-D Secure card again, then another: a new step each time, never a 500.
    again = await _api_3ds(pay_client, shop)
    for card in (THREE_DS, THREE_DS):
        step = await pay_client.post(f"/api/payments/{again['token']}/test-card",
                                     json={"card": card})
        assert step.status_code == 200 and step.json()["requires_action"] is True, step.text


async def test_a_3ds_finished_in_another_tab_is_not_charged_again(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    payment = await _api_3ds(pay_client, shop)
    intent_id = payment["client_secret"].split("_secret_")[0]
    answered = await _authenticate(shop, intent_id, payment["client_secret"])
    assert answered.status_code == 200  # charged at Stripe; our side has not heard yet
    # The other tab, still showing the cards, sends one: no second charge, one order.
    paid = await pay_client.post(f"/api/payments/{payment['token']}/test-card",
                                 json={"card": VISA})
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "succeeded"
    assert await _orders(db_session) == 1
    row = await _payment(db_session, payment["token"])
    assert row.intent_id == intent_id
    assert await _charges(shop, [intent_id]) == 1

"""The checkout as a person does it, without JavaScript: cart → 주문서 → payment page with
test cards → the order page."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.shop.cart.conftest import csrf_from
from tests.shop.conftest import ADDRESS, DECLINED, VISA, Shop

Client = AsyncTestClient[Litestar]


async def test_a_guest_checks_out_pays_after_a_decline_and_sees_the_order(
    shop: Shop, pay_client: Client
) -> None:
    product = await pay_client.get(f"/products/{shop.cookie.product_id}")
    added = await pay_client.post("/cart/items", data={
        "_csrf_token": csrf_from(product.text), "variant_id": str(shop.cookie.id),
        "quantity": "2"})
    assert added.status_code == 200
    cart = await pay_client.get("/cart")
    assert 'id="to-checkout"' in cart.text
    form = await pay_client.get("/checkout")
    assert "배송지" in form.text and "23,000원" in form.text
    token = csrf_from(form.text)
    refused = await pay_client.post("/checkout", data={
        "_csrf_token": token, **ADDRESS, "postal_code": "12", "email": "guest@example.kr"})
    assert refused.status_code == 400
    assert "우편번호는 숫자 5자리입니다." in refused.text
    assert 'value="김장터"' in refused.text  # what was typed is kept
    placed = await pay_client.post("/checkout", data={
        "_csrf_token": csrf_from(refused.text), **ADDRESS, "email": "guest@example.kr"})
    assert placed.status_code == 200 and "테스트 카드로 결제" in placed.text
    pay_url = str(placed.url)
    assert "/pay/" in pay_url
    action = re.search(r'action="(/pay/[^"]+/test-card)"', placed.text)
    assert action is not None
    declined = await pay_client.post(action.group(1), data={
        "_csrf_token": csrf_from(placed.text), "card": DECLINED})
    assert declined.status_code == 402 and "결제가 되지 않았습니다" in declined.text
    paid = await pay_client.post(action.group(1), data={
        "_csrf_token": csrf_from(declined.text), "card": VISA})
    assert paid.status_code == 200 and "주문이 완료되었습니다" in paid.text
    assert re.search(r"JT-\d{6}-\d{6}", paid.text)
    cart = await pay_client.get("/cart")
    assert "장바구니가 비어 있습니다" in cart.text
    again = await pay_client.get(pay_url)  # the payment page of a paid payment: the result
    assert "주문이 완료되었습니다" in again.text

"""The vendor's order desk (/console/orders) as a person works it: accept, a refused
tracking number, ship."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.shop.cart.conftest import csrf_from, sign_in
from tests.shop.conftest import Shop, place_and_pay

Client = AsyncTestClient[Litestar]


async def test_the_vendor_works_the_order_from_the_console(
    shop: Shop, pay_client: Client
) -> None:
    order = await place_and_pay(pay_client, shop, [(shop.cookie.id, 1)])
    await sign_in(pay_client, "owner@haessal.kr")
    desk_list = await pay_client.get("/console/orders")
    assert order["order_number"] in desk_list.text
    link = re.search(r'href="(/console/orders/\d+)"', desk_list.text)
    assert link is not None
    desk = await pay_client.get(link.group(1))
    accepted = await pay_client.post(f"{link.group(1)}/accept",
                                     data={"_csrf_token": csrf_from(desk.text)})
    assert "주문을 확인했습니다" in accepted.text
    bad = await pay_client.post(f"{link.group(1)}/ship", data={
        "_csrf_token": csrf_from(accepted.text), "carrier": "CJ대한통운",
        "tracking_number": "abc"})
    assert bad.status_code == 400 and "송장번호는" in bad.text
    shipped = await pay_client.post(f"{link.group(1)}/ship", data={
        "_csrf_token": csrf_from(bad.text), "carrier": "CJ대한통운",
        "tracking_number": "123456789012"})
    assert "발송 처리했습니다" in shipped.text and "배송 중" in shipped.text

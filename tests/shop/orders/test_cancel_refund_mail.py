"""Cancellation and refund mails, from the outbox rows that real cancels and refunds (through
localstripe) leave: who is told, in what words, about how much money."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.mail import Mail
from infra.outbox import OutboxEvent
from shop.orders import notifications
from tests.shop.conftest import Shop, place_and_pay

Client = AsyncTestClient[Litestar]


async def _cookie_order(client: Client, shop: Shop, number: str) -> dict[str, Any]:
    order = (await client.get(f"/api/orders/{number}", headers=shop.auth("shopper"))).json()
    return next(v for v in order["vendor_orders"] if v["vendor_id"] == shop.cookie_vendor.id)


async def _mails(session: AsyncSession, *names: str) -> dict[str, list[Mail]]:
    """The mails each outbox event of these names calls for, by event name."""
    rows = (await session.scalars(
        select(OutboxEvent).where(OutboxEvent.name.in_(names)).order_by(OutboxEvent.id)
        .execution_options(populate_existing=True)
    )).all()
    found: dict[str, list[Mail]] = {}
    for row in rows:
        found.setdefault(row.name, []).extend(await notifications.mails_for_event(
            session, row.name, row.payload, site_url="https://jangteo.example"))
    return found


async def test_a_shopper_cancelling_gets_one_notice_and_the_vendor_is_told_not_to_ship(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    order = await place_and_pay(pay_client, shop, [(shop.cookie.id, 2), (shop.tea.id, 1)])
    vo = await _cookie_order(pay_client, shop, order["order_number"])
    cancelled = await pay_client.post(f"/api/vendor-orders/{vo['id']}/cancel",
                                      headers=shop.auth("shopper"), json={"reason": "주소 착오"})
    assert cancelled.status_code == 200, cancelled.text

    mails = await _mails(db_session, "vendor_order.refunded", "vendor_order.cancelled")
    assert mails["vendor_order.refunded"] == []  # the cancellation notice says it
    shopper, vendor = mails["vendor_order.cancelled"]
    assert shopper.to == "buyer@example.kr"
    assert "주문이 취소되었습니다" in shopper.subject and order["order_number"] in shopper.subject
    assert "요청하신 대로 햇살협동조합의 주문을 취소했습니다." in shopper.text
    assert "유기농 현미 쿠키" in shopper.text and "2개 · 20,000원" in shopper.text
    assert "환불 금액  23,000원 (배송비 3,000원 포함)" in shopper.text
    assert "환불 사유  주소 착오" in shopper.text
    assert "작설차" not in shopper.text  # the other enterprise's part is still on its way
    assert shopper.html is not None and "23,000원" in shopper.html

    assert vendor.to == shop.cookie_vendor.email and "발송하지 마세요" in vendor.subject
    assert "상품코드" in vendor.text and "https://jangteo.example/console/orders/" in vendor.text


async def test_a_vendor_cancelling_tells_only_the_shopper(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    order = await place_and_pay(pay_client, shop, [(shop.cookie.id, 1)])
    vo = await _cookie_order(pay_client, shop, order["order_number"])
    cancelled = await pay_client.post(f"/api/vendor-orders/{vo['id']}/cancel",
                                      headers=shop.auth("owner"), json={"reason": "재료 소진"})
    assert cancelled.status_code == 200, cancelled.text

    [shopper] = (await _mails(db_session, "vendor_order.cancelled"))["vendor_order.cancelled"]
    assert "햇살협동조합의 주문이 취소되었습니다. 불편을 드려 죄송합니다." in shopper.text
    assert "요청하신" not in shopper.text and "환불 사유  재료 소진" in shopper.text


async def test_each_partial_refund_gets_its_own_notice(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    order = await place_and_pay(pay_client, shop, [(shop.cookie.id, 3)])
    vo = await _cookie_order(pay_client, shop, order["order_number"])
    owner, base = shop.auth("owner"), f"/api/vendor-orders/{vo['id']}"
    await pay_client.post(f"{base}/accept", headers=owner)
    await pay_client.post(f"{base}/ship", headers=owner,
                          json={"carrier": "우체국택배", "tracking_number": "9988776655"})
    line = vo["lines"][0]["id"]
    for key, quantity in (("k1", 1), ("k2", 2)):
        given = await pay_client.post(f"{base}/refunds", headers=owner, json={
            "lines": [{"order_line_id": line, "quantity": quantity}], "reason": "파손",
            "key": key})
        assert given.status_code == 201, given.text

    first, second = (await _mails(db_session, "vendor_order.refunded"))["vendor_order.refunded"]
    assert first.subject == f"[장터] 10,000원이 환불되었습니다 (주문번호 {order['order_number']})"
    assert "1개 · 10,000원" in first.text and "환불 사유  파손" in first.text
    assert "배송비" not in first.text
    assert "2개 · 20,000원" in second.text
    assert first.once_key("e") != second.once_key("e")  # two refunds, two mails

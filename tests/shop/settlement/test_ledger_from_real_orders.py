"""The ledger read from the events the real order services record: an order placed and paid
through checkout (localstripe), a partial refund by the vendor and a cancellation by the
shopper through the order API; then the week is closed."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from shop.orders.models import Order, VendorOrder
from shop.settlement import ledger, rules, services
from tests.shop.conftest import Shop, place_and_pay
from tests.shop.settlement.world import Relay

Client = AsyncTestClient[Litestar]


async def test_refund_and_cancellation_through_the_order_api_settle_exactly(
    shop: Shop, pay_client: Client, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    placed = await place_and_pay(pay_client, shop, [(shop.cookie.id, 2), (shop.tea.id, 1)])
    async with session_factory() as session:
        order = await session.scalar(select(Order).where(Order.number == placed["order_number"]))
        assert order is not None
        by_vendor = {v.vendor_id: v for v in order.vendor_orders}
    cookie = by_vendor[shop.cookie_vendor.id]  # 2 × 10,000 + 3,000 delivery
    tea = by_vendor[shop.tea_vendor.id]  # 8,000 + 3,000 delivery
    refunded = await pay_client.post(
        f"/api/vendor-orders/{cookie.id}/refunds", headers=shop.auth("owner"),
        json={"lines": [{"order_line_id": cookie.lines[0].id, "quantity": 1}],
              "reason": "파손", "key": "settle-1"})
    assert refunded.status_code == 201, refunded.text
    cancelled = await pay_client.post(f"/api/vendor-orders/{tea.id}/cancel",
                                      headers=shop.auth("shopper"), json={"reason": "주소 착오"})
    assert cancelled.status_code == 200, cancelled.text

    assert await Relay(session_factory).deliver(again=True) == 3  # sale(s), two refunds
    async with session_factory() as session:
        assert await ledger.vendor_balance(session, shop.cookie_vendor.id) == (
            (23_000 - 1_000) - (10_000 - 500))
        assert await ledger.vendor_balance(session, shop.tea_vendor.id) == 0
        check = await ledger.verify(session)
        assert check.ok and check.transactions == 4
        row = await session.get(VendorOrder, tea.id)
        assert row is not None and row.status.value == "cancelled"

    week = rules.week_of(utcnow())
    async with session_factory() as session:
        *_, closed = await services.close_week(session, week,
                                               now=utcnow() + dt.timedelta(days=8))
    closing = {s.vendor_id: s.closing_balance for s in closed.statements}
    assert closing == {shop.cookie_vendor.id: 12_500, shop.tea_vendor.id: 0}

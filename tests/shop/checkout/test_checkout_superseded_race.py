"""Eight checkouts of one cart at the same moment (a shopper's double clicks and tabs), then
every one of them paid at once: one payable checkout at the end, exactly one order, the
other payments refused (409 ``payment_cancelled``) or, if one raced in, refunded in full.

Against PostgreSQL and a real localstripe; on SQLite the requests only queue on its single
writer.
"""

from __future__ import annotations

import asyncio
import collections

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from shop.checkout import availability
from shop.checkout.models import Checkout, CheckoutStatus
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentStatus
from tests.shop.checkout.test_checkout_race import needs_postgres
from tests.shop.conftest import ADDRESS, VISA, Shop

TABS = 8


@needs_postgres
async def test_checkouts_of_one_cart_racing_leave_one_payable_and_make_one_order(
    shop: Shop, pay_client: AsyncTestClient[Litestar], db_session: AsyncSession,
) -> None:
    added = await pay_client.post("/api/cart/items", headers=shop.auth("shopper"),
                                  json={"variant_id": shop.cookie.id, "quantity": 2})
    assert added.status_code == 201, added.text

    async def place() -> dict[str, object]:
        placed = await pay_client.post("/api/checkout", headers=shop.auth("shopper"),
                                       json={"address": ADDRESS, "email": "s@example.kr"})
        assert placed.status_code == 201, placed.text
        return dict(placed.json())

    checkouts = await asyncio.gather(*(place() for _ in range(TABS)))
    db_session.expire_all()
    statuses = collections.Counter(
        (await db_session.scalars(select(Checkout.status))).all())
    assert statuses == {CheckoutStatus.OPEN: 1, CheckoutStatus.ABANDONED: TABS - 1}
    assert await db_session.scalar(select(func.count(Payment.id)).where(
        Payment.status == PaymentStatus.PENDING)) == 1
    level = (await availability.stock_levels(db_session, [shop.cookie.id], utcnow()))[
        shop.cookie.id]
    assert level.reserved == 2  # only the payable checkout holds its cookies

    async def pay(placed: dict[str, object]) -> tuple[int, str]:
        token = placed["payment"]["token"]  # type: ignore[index]
        paid = await pay_client.post(f"/api/payments/{token}/test-card", json={"card": VISA})
        body = paid.json()
        return paid.status_code, body.get("status") if paid.status_code == 200 else body["code"]

    outcomes = collections.Counter(await asyncio.gather(*(pay(c) for c in checkouts)))
    assert outcomes == {(200, "succeeded"): 1, (409, "payment_cancelled"): TABS - 1}, outcomes
    db_session.expire_all()
    assert await db_session.scalar(select(func.count(Order.id))) == 1

"""500 shoppers press "place order" and pay at once for 50 units: exactly 50 paid orders,
nothing left for sale, and every one of the 450 others told why (409 ``out_of_stock``).

Through the HTTP API in-process (AsyncTestClient), against PostgreSQL and a real
localstripe; on SQLite the same requests would only queue on its single writer.
"""

from __future__ import annotations

import asyncio
import collections

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from infra.settings import Settings
from shop.checkout import availability
from shop.orders.models import Order, OrderLine
from shop.payments.models import Payment
from tests.conftest import TEST_DATABASE_URL
from tests.shop.conftest import VISA, Shop, order_body
from tests.shop.shelf import stocked

ATTEMPTS = 500
STOCK = 50

needs_postgres = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="the race is meaningful on PostgreSQL (JANGTEO_TEST_DATABASE_URL)",
)


@needs_postgres
async def test_500_checkouts_for_50_units_end_in_50_paid_orders(
    shop: Shop, pay_client: AsyncTestClient[Litestar], db_session: AsyncSession,
    pay_settings: Settings,
) -> None:
    variant = await stocked(db_session, shop.cookie_vendor, stock=STOCK, price=12_000,
                            name="한정판 쿠키")
    await db_session.commit()

    async def shopper() -> tuple[int, str]:
        placed = await pay_client.post("/api/checkout", json=order_body([(variant.id, 1)]))
        if placed.status_code != 201:
            body = placed.json()
            return placed.status_code, f"{body['code']}|{body['errors'][0]['field']}|" \
                f"{body['detail']}"
        paid = await pay_client.post(
            f"/api/payments/{placed.json()['payment']['token']}/test-card", json={"card": VISA})
        return paid.status_code, paid.json()["status"]

    outcomes = await asyncio.gather(*(shopper() for _ in range(ATTEMPTS)))
    counted = collections.Counter(outcomes)
    assert counted[(200, "succeeded")] == STOCK, counted
    losers = [text for status, text in outcomes if status == 409]
    assert len(losers) == ATTEMPTS - STOCK, counted
    for text in losers:
        code, field, detail = text.split("|")
        assert (code, field) == ("out_of_stock", "lines[0].quantity")
        assert "품절" in detail or "남았습니다" in detail

    assert await db_session.scalar(select(func.count(Order.id))) == STOCK
    assert await db_session.scalar(
        select(func.sum(OrderLine.quantity)).where(OrderLine.variant_id == variant.id)) == STOCK
    assert await db_session.scalar(select(func.count(Payment.id))) == STOCK
    level = (await availability.stock_levels(db_session, [variant.id], utcnow()))[variant.id]
    assert (level.stock, level.allocated, level.reserved, level.available) == (50, 50, 0, 0)

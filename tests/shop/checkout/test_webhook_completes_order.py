"""The shopper pays and closes the tab: localstripe's signed webhook reaches the real web
process, the outbox relay hands it to a real worker, and the worker completes the payment —
one order, no return visit needed. A webhook replayed afterwards changes nothing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.settings import Settings
from shop.orders.models import Order
from shop.payments.models import StripeWebhookEvent
from tests.processes import running_web, start, stop
from tests.shop.conftest import VISA, Shop, order_body


@pytest.mark.slow
async def test_the_webhook_alone_turns_a_paid_checkout_into_one_order(
    shop: Shop, worker_settings: Settings, db_session: AsyncSession, tmp_path: Path,
) -> None:
    settings = worker_settings
    api = shop.settings.stripe_api_base or ""
    log = tmp_path / "processes.log"
    worker = start(["worker", "--threads", "2"], settings, log, JANGTEO_STRIPE_API_BASE=api)
    try:
        with running_web(settings, log, JANGTEO_STRIPE_API_BASE=api) as web:
            async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
                registered = await http.post(
                    f"{api}/_config/webhooks/jangteo-orders",
                    data={"url": f"{web.url}/webhooks/stripe",
                          "secret": settings.stripe_webhook_secret},
                )
                assert registered.status_code == 200
                placed = await http.post("/api/checkout", json=order_body([(shop.tea.id, 2)]))
                assert placed.status_code == 201, placed.text
                intent_id = placed.json()["payment"]["client_secret"].split("_secret_")[0]
                # What Stripe.js does in the browser; our server is not asked.
                await asyncio.to_thread(shop.gateway.pay_with_test_card, intent_id, VISA)

                deadline = time.monotonic() + 30
                status = ""
                while time.monotonic() < deadline and status != "paid":
                    status = (await http.get(f"/api/checkout/{placed.json()['token']}")).json()[
                        "status"]
                    await asyncio.sleep(0.2)
                assert status == "paid", log.read_text()[-4000:]
        stored = await db_session.scalar(select(func.count(StripeWebhookEvent.id)).where(
            StripeWebhookEvent.object_id == intent_id))
        assert stored and stored >= 1
        assert await db_session.scalar(select(func.count(Order.id))) == 1
    finally:
        stop(worker)

"""Stripe webhooks: verified before anything is stored, stored once, replay-safe; and the
gateway speaks real Stripe (localstripe) in won."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.outbox import OutboxEvent
from infra.payments import StripeGateway
from infra.settings import Settings
from shop.payments.models import StripeWebhookEvent
from tests.processes import running_web


def signed(payload: bytes, secret: str, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def event(event_id: str, kind: str = "payment_intent.succeeded", obj: str = "pi_1") -> bytes:
    return json.dumps({
        "id": event_id, "object": "event", "type": kind, "created": int(time.time()),
        "livemode": False, "data": {"object": {"id": obj, "object": "payment_intent",
                                               "amount": 25000, "currency": "krw"}},
    }).encode()


async def _counts(session: AsyncSession) -> tuple[int, int]:
    stored = await session.scalar(select(func.count(StripeWebhookEvent.id)))
    events = await session.scalar(
        select(func.count(OutboxEvent.id)).where(
            OutboxEvent.name == "payment.stripe_event_received"
        )
    )
    return int(stored or 0), int(events or 0)


async def test_forged_or_stale_signatures_get_400_and_change_nothing(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    secret = app.state.settings.stripe_webhook_secret
    body = event("evt_forged")
    for header in [
        signed(body, "whsec_someone_else"),
        signed(body, secret, at=int(time.time()) - 3600),  # stale: replayed an hour later
        "t=123,v1=deadbeef",
        None,
    ]:
        headers = {"Content-Type": "application/json"}
        if header:
            headers["Stripe-Signature"] = header
        response = await client.post("/webhooks/stripe", content=body, headers=headers)
        assert response.status_code == 400, header
        assert response.json()["errors"][0]["field"] == "Stripe-Signature"
    assert await _counts(db_session) == (0, 0)


async def test_each_stripe_event_is_stored_once_whatever_the_replays_and_order(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    secret = app.state.settings.stripe_webhook_secret
    later = event("evt_2", "charge.refunded", "ch_1")
    earlier = event("evt_1", "payment_intent.succeeded", "pi_1")
    answers = []
    for body in (later, earlier, later, earlier, later):  # out of order, then duplicates
        response = await client.post(
            "/webhooks/stripe", content=body,
            headers={"Stripe-Signature": signed(body, secret),
                     "Content-Type": "application/json"},
        )
        assert response.status_code == 200
        answers.append(response.json()["duplicate"])
    assert answers == [False, False, True, True, True]
    assert await _counts(db_session) == (2, 2)


def test_gateway_charges_won_as_zero_decimal_and_reports_declines_and_3ds(
    localstripe_url: str, settings: Settings
) -> None:
    gateway = StripeGateway(settings.with_(stripe_api_base=localstripe_url))
    cards = {"4242424242424242": "succeeded", "4000002760003184": "requires_action"}
    for number, expected in cards.items():
        method = gateway.client.v1.payment_methods.create(params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        })
        intent = gateway.create_intent(
            amount=25_000, idempotency_key=f"t-{number}", metadata={"checkout": "7"},
            payment_method=method.id,
        )
        assert (intent.amount, intent.currency) == (25_000, "krw")
        assert gateway.confirm_intent(intent.id).status == expected
    declined = gateway.client.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": "4000000000000341", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
    })
    intent = gateway.create_intent(amount=9_900, idempotency_key="t-decline",
                                   metadata={}, payment_method=declined.id)
    import stripe

    with pytest.raises(stripe.CardError):
        gateway.confirm_intent(intent.id)
    with pytest.raises(ValueError, match="won"):
        gateway.create_intent(amount=99.5, idempotency_key="x", metadata={})  # type: ignore[arg-type]


@pytest.mark.slow
async def test_webhook_sent_by_localstripe_is_verified_and_stored(
    localstripe_url: str,
    settings: Settings,
    db_session: AsyncSession,
    tmp_path: Path,
) -> None:
    with running_web(settings, tmp_path / "web.log",
                     JANGTEO_STRIPE_API_BASE=localstripe_url) as web:
        async with httpx.AsyncClient(timeout=5) as http:
            registered = await http.post(
                f"{localstripe_url}/_config/webhooks/jangteo",
                data={"url": f"{web.url}/webhooks/stripe",
                      "secret": settings.stripe_webhook_secret},
            )
            assert registered.status_code == 200
        gateway = StripeGateway(settings.with_(stripe_api_base=localstripe_url))
        method = gateway.client.v1.payment_methods.create(params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2031, "cvc": "123"},
        })
        intent = gateway.create_intent(amount=32_000, idempotency_key="hook", metadata={},
                                       payment_method=method.id)
        gateway.confirm_intent(intent.id)
        deadline = time.monotonic() + 15
        stored = None
        while time.monotonic() < deadline and stored is None:
            stored = await db_session.scalar(
                select(StripeWebhookEvent).where(
                    StripeWebhookEvent.object_id == intent.id,
                    StripeWebhookEvent.type == "payment_intent.succeeded",
                )
            )
            await asyncio.sleep(0.1)
        assert stored is not None, web.log_tail()
        assert stored.payload["data"]["object"]["amount"] == 32_000

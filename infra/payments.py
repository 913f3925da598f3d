"""The Stripe gateway: the only place that talks to Stripe (or localstripe in tests and demo).

Amounts are integer won: KRW is a zero-decimal currency in Stripe, so 25,000원 is sent as
``amount=25000``. Every write carries an idempotency key chosen by the caller (Stripe honours
it; localstripe ignores it, so callers must also be idempotent on their side). Webhooks are
verified with the endpoint secret and a 5-minute tolerance before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from infra.settings import Settings

CURRENCY = "krw"
WEBHOOK_TOLERANCE_S = 300


class WebhookRejected(Exception):
    """A webhook whose signature is missing, forged or stale."""


@dataclass(frozen=True)
class IntentView:
    id: str
    amount: int
    currency: str
    status: str
    client_secret: str | None
    metadata: dict[str, str]


def _view(intent: Any) -> IntentView:
    return IntentView(
        id=intent.id,
        amount=int(intent.amount),
        currency=intent.currency,
        status=intent.status,
        client_secret=getattr(intent, "client_secret", None),
        metadata=intent.metadata.to_dict() if intent.metadata else {},
    )


class StripeGateway:
    def __init__(self, settings: Settings) -> None:
        base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
        self.client = stripe.StripeClient(
            settings.stripe_secret_key, base_addresses=base, max_network_retries=2  # type: ignore[arg-type]
        )
        self.webhook_secret = settings.stripe_webhook_secret
        self.publishable_key = settings.stripe_publishable_key
        self.is_test = settings.stripe_is_test

    def create_intent(
        self, *, amount: int, idempotency_key: str, metadata: dict[str, str],
        payment_method: str | None = None,
    ) -> IntentView:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError("amount must be a positive integer number of won")
        params: dict[str, Any] = {
            "amount": amount, "currency": CURRENCY, "payment_method_types": ["card"],
            "metadata": metadata,
        }
        if payment_method:
            params["payment_method"] = payment_method
        intent = self.client.v1.payment_intents.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
        return _view(intent)

    def retrieve_intent(self, intent_id: str) -> IntentView:
        return _view(self.client.v1.payment_intents.retrieve(intent_id))

    def confirm_intent(self, intent_id: str) -> IntentView:
        return _view(self.client.v1.payment_intents.confirm(intent_id))

    def refund(self, *, intent_id: str, amount: int, idempotency_key: str) -> dict[str, Any]:
        refund = self.client.v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
        return {"id": refund.id, "amount": int(refund.amount), "status": refund.status}

    def parse_webhook(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The verified event as a plain dict; raises :class:`WebhookRejected` otherwise."""
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self.webhook_secret, tolerance=WEBHOOK_TOLERANCE_S
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise WebhookRejected(str(exc)) from exc
        return event.to_dict()

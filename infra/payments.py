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
from infra.stripe_http import KeptConnectionsClient

CURRENCY = "krw"
WEBHOOK_TOLERANCE_S = 300


class WebhookRejected(Exception):
    """A webhook whose signature is missing, forged or stale."""


class CardDeclined(Exception):
    """The card network refused the charge; the message is safe to show the payer."""

    def __init__(self, intent_id: str, message: str) -> None:
        super().__init__(message)
        self.intent_id = intent_id
        self.message = message


class IntentNotReusable(Exception):
    """Stripe will not confirm this intent with a new card (it waits for 3-D Secure, its
    charge was declined, it has moved on); the caller cancels it and starts a fresh one."""

    def __init__(self, intent_id: str) -> None:
        super().__init__(intent_id)
        self.intent_id = intent_id


@dataclass(frozen=True)
class IntentView:
    id: str
    amount: int
    currency: str
    status: str
    client_secret: str | None
    metadata: dict[str, str]
    #: Why the last attempt failed (a decline), if it did.
    error: str = ""


def _view(intent: Any) -> IntentView:
    data = intent.to_dict() if hasattr(intent, "to_dict") else dict(intent)
    error = data.get("last_payment_error") or {}
    return IntentView(
        id=str(data["id"]),
        amount=int(data["amount"]),
        currency=str(data["currency"]),
        status=str(data["status"]),
        client_secret=data.get("client_secret"),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        error=str(error.get("message") or ""),
    )


def intent_from_event(payload: dict[str, Any]) -> IntentView | None:
    """The PaymentIntent an event carries (``payment_intent.*``), or None for other events."""
    obj = (payload.get("data") or {}).get("object") or {}
    if obj.get("object") != "payment_intent":
        return None
    return _view(obj)


class StripeGateway:
    def __init__(self, settings: Settings) -> None:
        base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
        self.client = stripe.StripeClient(
            settings.stripe_secret_key, base_addresses=base, max_network_retries=2,  # type: ignore[arg-type]
            http_client=KeptConnectionsClient(),
        )
        self.webhook_secret = settings.stripe_webhook_secret
        self.publishable_key = settings.stripe_publishable_key
        self.is_test = settings.stripe_is_test
        self.api_base = settings.stripe_api_base
        #: localstripe only: one PaymentMethod per test card number, reused by every payment
        #: (a call to localstripe saved per test-card payment; see ``pay_with_test_card``).
        self._test_methods: dict[str, str] = {}

    def _call(self, method: str, path: str, **params: Any) -> dict[str, Any]:
        """One API call, answered as the plain JSON document: building the library's
        ``StripeObject`` tree for it cost more CPU than we use of it (decision 82). Errors
        are raised as the library's exceptions, as with its typed services."""
        data: dict[str, Any] = self.client.raw_request(method, path, **params).data
        return data

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
        return _view(self._call("post", "/v1/payment_intents", **params,
                                idempotency_key=idempotency_key))

    def retrieve_intent(self, intent_id: str) -> IntentView:
        return _view(self._call("get", f"/v1/payment_intents/{intent_id}"))

    def confirm_intent(self, intent_id: str) -> IntentView:
        return _view(self._call("post", f"/v1/payment_intents/{intent_id}/confirm"))

    def cancel_intent(self, intent_id: str) -> IntentView:
        """Cancel the intent so it can never take money; the intent as it then stands.

        An intent Stripe will not cancel (it succeeded or is processing) is returned as is:
        the caller must act on that state instead of starting another intent.
        """
        try:
            return _view(self._call("post", f"/v1/payment_intents/{intent_id}/cancel"))
        except stripe.InvalidRequestError:
            return self.retrieve_intent(intent_id)

    @property
    def is_localstripe(self) -> bool:
        """Whether we talk to localstripe, whose fake cards may be sent from our server."""
        return self.is_test and self.api_base is not None

    def pay_with_test_card(
        self, intent_id: str, card_number: str, *, after_decline: bool = True
    ) -> IntentView:
        """localstripe only: put a test card on the intent and confirm it, as Stripe.js would.

        Real Stripe never accepts card numbers from a server; there the Payment Element in
        the browser does this. Raises :class:`CardDeclined`, and :class:`IntentNotReusable`
        when the intent cannot take another card (localstripe cannot after a declined
        charge; nobody can while it waits for 3-D Secure or after it succeeded).
        """
        if not self.is_localstripe:
            raise RuntimeError("test cards are only sent to localstripe")
        # ``after_decline=False`` (the caller knows no card was refused yet) saves a call.
        current = self.retrieve_intent(intent_id) if after_decline else None
        if current is not None and current.status == "requires_payment_method" and current.error:
            raise IntentNotReusable(intent_id)
        try:
            method = self._test_method(card_number)
            path = f"/v1/payment_intents/{intent_id}"
            try:
                self._call("post", path, payment_method=method)
            except stripe.InvalidRequestError:
                # The remembered method is unknown (localstripe restarted): make a new one.
                self._test_methods.pop(card_number, None)
                method = self._test_method(card_number)
                self._call("post", path, payment_method=method)
            return _view(self._call("post", f"{path}/confirm"))
        except stripe.CardError as exc:
            raise CardDeclined(intent_id, exc.user_message or "카드가 거절되었습니다.") from exc
        except stripe.InvalidRequestError as exc:
            raise IntentNotReusable(intent_id) from exc

    def _test_method(self, card_number: str) -> str:
        method = self._test_methods.get(card_number)
        if method is None:
            method = str(self._call(
                "post", "/v1/payment_methods", type="card",
                card={"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
            )["id"])
            self._test_methods[card_number] = method
        return method

    def refund(self, *, intent_id: str, amount: int, idempotency_key: str) -> dict[str, Any]:
        refund = self._call("post", "/v1/refunds", payment_intent=intent_id, amount=amount,
                            idempotency_key=idempotency_key)
        return {"id": refund["id"], "amount": int(refund["amount"]),
                "status": refund["status"]}

    def parse_webhook(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The verified event as a plain dict; raises :class:`WebhookRejected` otherwise."""
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self.webhook_secret, tolerance=WEBHOOK_TOLERANCE_S
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise WebhookRejected(str(exc)) from exc
        return event.to_dict()

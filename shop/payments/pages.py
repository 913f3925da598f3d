"""The payment page (결제하기) and its JSON twin, for every kind of payment.

With real Stripe keys the page mounts Stripe's Payment Element with the publishable key and
Stripe.js confirms the payment in the browser, then Stripe sends the payer back to
``/pay/{token}/return``. Against localstripe (tests, demo) there is no Payment Element, so
the page offers Stripe's test cards: our server puts the chosen card on the intent, and a
card that wants 3-D Secure is answered from the browser straight to localstripe, as
Stripe.js would. Either way the return path asks Stripe how the payment stands; the webhook
does the same in a worker, and whichever comes first completes it (once).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.payments import IntentView, StripeGateway
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, strict_body
from shop.payments import handlers, services
from shop.payments.models import Payment, PaymentStatus


def _gateway(request: Request[Any, Any, Any]) -> StripeGateway:
    return request.app.state.payments


async def _by_token_outside(
    request: Request[Any, Any, Any], session: AsyncSession, token: str
) -> Payment:
    """``services.by_token`` read on the read engine, outside any transaction, and handed to
    ``session`` as if read there (decision 91): for a handler that goes to Stripe next and
    would end the read's transaction first, this spares its BEGIN and COMMIT. Later locking
    reads in ``session`` refresh this same object (``populate_existing``)."""
    async with AsyncSession(request.app.state.read_engine) as reader:
        payment = await services.by_token(reader, token)
        reader.expunge(payment)
    session.add(payment)
    return payment


def _result(payment: Payment) -> str:
    return handlers.handler_for(payment.kind).result_path(payment)


def _page(
    request: Request[Any, Any, Any],
    payment: Payment,
    *,
    error: str = "",
    intent: IntentView | None = None,
    status_code: int = 200,
) -> Template:
    gateway = _gateway(request)
    return Template(
        "payments/pay.html",
        context={
            "payment": payment,
            "error": error or payment.last_error,
            "test_cards": services.TEST_CARDS if gateway.is_localstripe else {},
            "publishable_key": gateway.publishable_key,
            "stripe_base": gateway.api_base or "",
            "three_ds": intent,
            "return_url": str(request.url.with_replacements(
                path=f"/pay/{payment.token}/return", query=""
            )),
        },
        status_code=status_code,
    )


class PaymentPages(Controller):
    include_in_schema = False

    @get("/pay/{token:str}", name="payments:page")
    async def page(
        self, request: Request[Any, Any, Any], db_session: DbSession, token: FromPath[str]
    ) -> Template | Redirect:
        gateway = _gateway(request)
        payment = await services.by_token(db_session, token)
        # Back from somewhere (a 3-D Secure step left, another tab): how does it stand?
        payment, waiting = await services.resume(db_session, gateway, payment)
        if payment.status is not PaymentStatus.PENDING:
            return Redirect(_result(payment))
        return _page(request, payment, intent=waiting if gateway.is_localstripe else None)

    @get("/pay/{token:str}/test-card", name="payments:test-card-reload")
    async def test_card_reloaded(self, token: FromPath[str]) -> Redirect:
        """A reload of the page a card was sent from: the payment page shows where it stands."""
        return Redirect(f"/pay/{token}")

    @post("/pay/{token:str}/restart", name="payments:restart")
    async def restart(
        self, request: Request[Any, Any, Any], db_session: DbSession, token: FromPath[str]
    ) -> Template | Redirect:
        """Start over with another card: the intent waiting for 3-D Secure is cancelled."""
        payment = await services.by_token(db_session, token)
        restarted = await attempt(
            db_session, lambda: services.restart(db_session, _gateway(request), payment),
            shown={409},
        )
        if isinstance(restarted, Refusal):
            payment = await services.by_token(db_session, token)  # the rollback expired it
            return _page(request, payment, error=restarted.message,
                         status_code=restarted.status_code)
        payment = restarted
        if payment.status is not PaymentStatus.PENDING:
            return Redirect(_result(payment))
        return Redirect(f"/pay/{payment.token}")

    @post("/pay/{token:str}/test-card", name="payments:test-card")
    async def test_card(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        token: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        payment = await services.by_token(db_session, token)
        paid = await attempt(
            db_session,
            lambda: services.pay_with_test_card(
                db_session, _gateway(request), payment, data.get("card", "")
            ),
            shown={400, 403, 409},
        )
        if isinstance(paid, Refusal):
            payment = await services.by_token(db_session, token)  # the rollback expired it
            return _page(request, payment, error=paid.message, status_code=paid.status_code)
        payment, waiting = paid
        if waiting is not None:  # the payment page shows the 3-D Secure step, also on reload
            return Redirect(f"/pay/{payment.token}")
        if payment.status is PaymentStatus.PENDING:
            return _page(request, payment, status_code=402)
        return Redirect(_result(payment))

    @get("/pay/{token:str}/return", name="payments:return")
    async def returned(
        self, request: Request[Any, Any, Any], db_session: DbSession, token: FromPath[str]
    ) -> Redirect:
        payment = await services.by_token(db_session, token)
        payment = await services.complete(db_session, _gateway(request), payment)
        if payment.status is PaymentStatus.PENDING:
            return Redirect(f"/pay/{payment.token}")
        return Redirect(_result(payment))


class PaymentOut(msgspec.Struct, kw_only=True):
    token: str
    kind: str
    status: str
    status_label: str
    amount: int
    currency: str
    refunded_amount: int
    description: str
    #: For Stripe.js in the browser (``stripe.confirmPayment``); null once paid.
    client_secret: str | None
    publishable_key: str
    last_error: str
    #: Where a person continues: the payment page while pending, the result page after.
    next_url: str
    #: localstripe only: waiting for the payer's 3-D Secure answer.
    requires_action: bool = False

    @classmethod
    def of(cls, payment: Payment, gateway: StripeGateway, *, requires_action: bool = False
           ) -> PaymentOut:
        pending = payment.status is PaymentStatus.PENDING
        return cls(
            token=payment.token, kind=payment.kind, status=payment.status.value,
            status_label=payment.status.label, amount=payment.amount,
            currency=payment.currency, refunded_amount=payment.refunded_amount,
            description=payment.description,
            client_secret=payment.client_secret if pending else None,
            publishable_key=gateway.publishable_key, last_error=payment.last_error,
            next_url=f"/pay/{payment.token}" if pending else _result(payment),
            requires_action=requires_action,
        )


class TestCardIn(msgspec.Struct, forbid_unknown_fields=True):
    card: str


class PaymentApi(Controller):
    path = "/api/payments"
    tags = ["결제 (Payments)"]

    @get("/{token:str}", operation_id="getPayment", summary="결제 상태")
    async def get_payment(
        self, request: Request[Any, Any, Any], db_session: DbSession, token: FromPath[str]
    ) -> PaymentOut:
        return PaymentOut.of(await services.by_token(db_session, token), _gateway(request))

    @post(
        "/{token:str}/complete", operation_id="completePayment",
        summary="결제 확인 (Stripe에 결제 상태를 물어 완료 처리, 여러 번 불러도 한 번만 처리)",
        status_code=200,
    )
    async def complete(
        self, request: Request[Any, Any, Any], db_session: DbSession, token: FromPath[str]
    ) -> PaymentOut:
        gateway = _gateway(request)
        payment = await services.by_token(db_session, token)
        return PaymentOut.of(await services.complete(db_session, gateway, payment), gateway)

    @post(
        "/{token:str}/test-card", operation_id="payWithTestCard",
        summary="테스트 카드로 결제 (localstripe 테스트 환경 전용)", status_code=200,
    )
    async def test_card(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        token: FromPath[str],
        data: JSONBody[TestCardIn],
    ) -> PaymentOut:
        data = await strict_body(request, TestCardIn)
        gateway = _gateway(request)
        payment = await _by_token_outside(request, db_session, token)
        payment, waiting = await services.pay_with_test_card(db_session, gateway, payment,
                                                             data.card)
        return PaymentOut.of(payment, gateway, requires_action=waiting is not None)


ROUTES: list[Any] = [PaymentPages, PaymentApi]

"""Paying for things through Stripe, for any feature that sells something.

A feature (a checkout, a booth fee) asks for a :class:`Payment` with :func:`start_payment`
and declares a ``PaymentHandler`` (``shop.payments.handlers``) for its ``kind``. When the
money is taken — learnt
from the payer's return to our site, from the signed webhook, or from both racing —
:func:`apply_intent` locks the payment row, marks it succeeded and calls the handler's
``on_succeeded`` in the same transaction, exactly once. A handler that can no longer deliver
(the stock sold while a slow 3-D Secure ran) raises :class:`Unfulfillable`: its work is
rolled back with the whole transaction, the payment is marked succeeded again without it
in a fresh one and refunded in full, and ``on_unfulfillable`` says
so on the feature's side.

Stripe is called from a worker thread (the client is synchronous) and always with an
idempotency key derived from our row ids; the row locks make our side idempotent too, since
localstripe ignores the keys. We always act on the intent's *current* state, retrieved from
Stripe, so a late or reordered webhook cannot move a payment backwards.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name, end_read, insert_as_loaded, transaction
from infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from infra.outbox import record
from infra.payments import CardDeclined, IntentNotReusable, IntentView, StripeGateway
from shop.payments.errors import PaymentErrorCode as Code
from shop.payments.events import PaymentFailed, PaymentRefunded, PaymentSucceeded
from shop.payments.handlers import Unfulfillable, handler_for
from shop.payments.models import (
    PAYMENT_TRANSITIONS,
    Payment,
    PaymentRefund,
    PaymentStatus,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Stripe's test cards that localstripe understands, as the payment page offers them.
TEST_CARDS: dict[str, str] = {
    "4242424242424242": "결제 성공 (Visa)",
    "5555555555554444": "결제 성공 (Mastercard)",
    "4000002760003184": "3-D Secure 인증 필요",
    "4000000000000341": "결제 거절 (잔액 부족 등)",
}


async def _stripe(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))


async def _lock(session: AsyncSession, **where: Any) -> Payment | None:
    stmt = select(Payment).filter_by(**where)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=Payment)
    else:  # SQLite: take the write lock first so the read is the latest committed state
        await session.execute(update(Payment).filter_by(**where).values(id=Payment.id))
    return await session.scalar(stmt.execution_options(populate_existing=True))


# -- starting -----------------------------------------------------------------------------


async def start_payment(
    session: AsyncSession,
    gateway: StripeGateway,
    *,
    kind: str,
    reference: str,
    amount: int,
    description: str,
    user: User | None = None,
) -> Payment:
    """The payment for ``(kind, reference)``, with its PaymentIntent, made once.

    Calling again (a double click, a retry after a timeout) returns the same payment and
    intent. Commits.
    """
    _check_amount(kind, amount)
    # Split: the payment row is committed before Stripe is asked for its intent, so a crash
    # in between leaves a payment that the next call (or ``ensure_intent``) completes.
    try:
        async with transaction(session):
            payment = await session.scalar(
                select(Payment).filter_by(kind=kind, reference=reference)
            )
            if payment is None:
                payment = Payment(
                    token=secrets.token_urlsafe(32), kind=kind, reference=reference,
                    amount=amount, description=description[:200],
                    user_id=user.id if user else None,
                )
                session.add(payment)
    except IntegrityError:  # a concurrent first call made it: that payment is this one
        payment = await session.scalar(select(Payment).filter_by(kind=kind, reference=reference))
        if payment is None:
            raise
    if payment.amount != amount:
        raise Conflict(
            Code.PAYMENT_AMOUNT_CHANGED, "이미 다른 금액으로 결제를 시작했습니다.", field="amount",
            extra={"payment_amount": payment.amount},
        )
    return await ensure_intent(session, gateway, payment)


def _check_amount(kind: str, amount: int) -> None:
    handler_for(kind)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(Code.INVALID_AMOUNT, "결제 금액은 1원 이상의 정수여야 합니다.",
                           field="amount")


async def start_fresh_payment(
    session: AsyncSession,
    gateway: StripeGateway,
    *,
    kind: str,
    reference: str,
    amount: int,
    description: str,
    user: User | None = None,
) -> Payment:
    """The payment of a feature row just committed that nobody else can know of yet (its
    token has not left the request): Stripe is asked for the intent first, and the payment
    is written with it, one insert (commits) where :func:`start_payment` needs an insert,
    a lock and an update (decision 76).

    The feature's row is committed before, so a crash between leaves it without a payment;
    :func:`start_payment` (a retry with the same key, the feature's own pages) makes one.
    If such a caller made the payment meanwhile, that payment is the one, and the intent
    asked for here is cancelled (best effort: nobody has its secret, so nobody can pay it).
    """
    _check_amount(kind, amount)
    intent = await _stripe(
        gateway.create_intent, amount=amount, idempotency_key=f"{kind}-{reference}",
        metadata={"kind": kind, "reference": reference},
    )
    payment = Payment(
        token=secrets.token_urlsafe(32), kind=kind, reference=reference, amount=amount,
        description=description[:200], user_id=user.id if user else None,
        intent_id=intent.id, client_secret=intent.client_secret,
    )
    try:
        async with transaction(session):
            payment = await insert_as_loaded(session, payment)
    except IntegrityError:
        log.warning("%s %s: a payment was made meanwhile; intent %s left unused",
                    kind, reference, intent.id)
        try:
            await _stripe(gateway.cancel_intent, intent.id)
        except Exception:
            log.exception("could not cancel the unused intent %s", intent.id)
        return await start_payment(session, gateway, kind=kind, reference=reference,
                                   amount=amount, description=description, user=user)
    return payment


async def payment_for(session: AsyncSession, kind: str, reference: str) -> Payment | None:
    """The payment of ``(kind, reference)``, if one was started."""
    return await session.scalar(
        select(Payment).filter_by(kind=kind, reference=reference)
        .execution_options(populate_existing=True)
    )


async def ensure_intent(
    session: AsyncSession, gateway: StripeGateway, payment: Payment
) -> Payment:
    """Give a committed payment its PaymentIntent, once (commits)."""
    if payment.intent_id is None:
        # The lock below reads the row into this same object (populate_existing).
        await _create_intent(session, gateway, payment.id)
    return payment


async def _create_intent(session: AsyncSession, gateway: StripeGateway, payment_id: int) -> None:
    """Create the intent under the payment's row lock, so two racing calls make one intent."""
    async with transaction(session):
        payment = await _lock(session, id=payment_id)
        assert payment is not None
        if payment.intent_id is None:
            intent = await _stripe(
                gateway.create_intent,
                amount=payment.amount,
                idempotency_key=f"payment-{payment.id}",
                metadata=_metadata(payment),
            )
            payment.intent_id, payment.client_secret = intent.id, intent.client_secret


def _metadata(payment: Payment) -> dict[str, str]:
    return {"kind": payment.kind, "reference": payment.reference, "payment_id": str(payment.id)}


async def restart(session: AsyncSession, gateway: StripeGateway, payment: Payment) -> Payment:
    """Start over with a new payment method: the current intent is cancelled at Stripe and the
    payment gets a fresh one (commits).

    For an intent that cannot take another card (waiting for a 3-D Secure answer the payer
    walked away from, declined on localstripe). Never two charges: under the payment's row
    lock the old intent is cancelled *before* the new one exists, so it can never succeed
    afterwards; if Stripe will not cancel it because it already succeeded, the payment
    completes with it instead, and if it is still processing the payer is told to wait.
    A second caller racing here finds the intent already replaced and changes nothing.
    """
    if payment.status is not PaymentStatus.PENDING or payment.intent_id is None:
        return await ensure_intent(session, gateway, payment)
    old = payment.intent_id
    await end_read(session)  # the lock below is taken in a transaction of its own
    settled: IntentView | None = None
    # Split in two: this transaction holds the row lock while Stripe cancels the old intent
    # and makes the new one; an intent that settled meanwhile is applied by ``apply_intent``,
    # which takes the lock afresh (as the webhook does).
    async with transaction(session):
        locked = await _lock(session, id=payment.id)
        assert locked is not None
        if locked.status is PaymentStatus.PENDING and locked.intent_id == old:
            current = await _stripe(gateway.cancel_intent, old)
            if current.status == "canceled":
                fresh = await _stripe(
                    gateway.create_intent, amount=locked.amount,
                    idempotency_key=f"payment-{locked.id}-after-{old}",
                    metadata=_metadata(locked),
                )
                locked.intent_id, locked.client_secret = fresh.id, fresh.client_secret
                locked.last_error = ""
            else:
                settled = current
    if settled is None:
        return locked
    locked = await apply_intent(session, gateway, settled) or locked
    if locked.status is PaymentStatus.PENDING:
        raise Conflict(
            Code.PAYMENT_IN_PROGRESS,
            "카드사에서 앞선 결제를 아직 처리하고 있습니다. "
            "잠시 뒤 결제 페이지를 다시 열어 주세요.",
            field="status",
        )
    return locked


async def cancel(
    session: AsyncSession, gateway: StripeGateway, payment_id: int, *, reason: str
) -> Payment | None:
    """Nobody may pay this any more (its feature replaced it): the intent is cancelled at
    Stripe and the payment marked cancelled, ``reason`` kept for the payer (commits).

    An intent that already succeeded (the payer was faster) is completed instead, so its
    handler decides; a handler that refuses it has it refunded in full.
    """
    settled: IntentView | None = None
    # Split like ``restart``: the intent is cancelled under the row lock; one that succeeded
    # meanwhile is applied afterwards by ``apply_intent`` in its own transaction.
    async with transaction(session):
        payment = await _lock(session, id=payment_id)
        if payment is None or payment.status is not PaymentStatus.PENDING:
            return payment
        current = None
        if payment.intent_id is not None:
            current = await _stripe(gateway.cancel_intent, payment.intent_id)
        if current is None or current.status == "canceled":
            PAYMENT_TRANSITIONS.check(payment.status, PaymentStatus.CANCELLED)
            payment.status = PaymentStatus.CANCELLED
            payment.last_error = reason
        else:
            settled = current
    if settled is not None:
        return await apply_intent(session, gateway, settled) or payment
    return payment


#: Built once (its cache key is computed once per process, not per request; decision 82).
_BY_TOKEN = (
    select(Payment).where(Payment.token == bindparam("token"))
    .execution_options(populate_existing=True)
)


async def by_token(session: AsyncSession, token: str) -> Payment:
    payment = await session.scalar(_BY_TOKEN, {"token": token})
    if payment is None:
        raise NotFound(Code.PAYMENT_NOT_FOUND, "결제를 찾을 수 없습니다.", field="token")
    return payment


# -- completing ---------------------------------------------------------------------------


async def complete(session: AsyncSession, gateway: StripeGateway, payment: Payment) -> Payment:
    """Ask Stripe how the payment stands and act on it (the payer's return path)."""
    return (await resume(session, gateway, payment))[0]


async def resume(
    session: AsyncSession, gateway: StripeGateway, payment: Payment
) -> tuple[Payment, IntentView | None]:
    """:func:`complete`, and the intent when it still waits for the payer's 3-D Secure
    answer (a payer back on the payment page may finish it, or :func:`restart`)."""
    if payment.status is not PaymentStatus.PENDING or payment.intent_id is None:
        return payment, None
    await end_read(session)  # no transaction (and no pooled connection) held while Stripe answers
    intent = await _stripe(gateway.retrieve_intent, payment.intent_id)
    payment = await apply_intent(session, gateway, intent) or payment
    if payment.status is PaymentStatus.PENDING and intent.status == "requires_action":
        return payment, intent
    return payment, None


async def apply_intent(
    session: AsyncSession, gateway: StripeGateway, intent: IntentView
) -> Payment | None:
    """Bring our payment in line with the intent's current state; None if it is not ours.

    Succeeds exactly once however many callers race here: the row lock serialises them and
    the first one moves the payment out of ``pending``.
    """
    unfulfilled: str | None = None
    # Split: the money received is recorded (with the handler's work) before Stripe is asked
    # to give it back; an unfulfillable payment is then refunded in ``refund``'s own
    # transaction (keyed ``unfulfillable-<id>``, so it pays back once) and its feature is
    # told in a third.
    try:
        async with transaction(session):
            if intent.status == "succeeded" and (
                claimed := await _claim_succeeded(session, intent)
            ) is not None:
                # The usual case in one statement (decision 76): the handler runs under the
                # row lock the update took, exactly as after ``_lock`` below.
                await handler_for(claimed.kind).on_succeeded(session, claimed)
                _record_succeeded(session, claimed, intent)
                return claimed
            payment = await _lock(session, intent_id=intent.id)
            if payment is None:
                return None
            if payment.status not in (PaymentStatus.PENDING, PaymentStatus.CANCELLED):
                return payment
            if intent.status == "succeeded":
                if intent.amount != payment.amount or intent.currency != payment.currency:
                    log.error("payment %s: intent %s amount %s %s differs", payment.id,
                              intent.id, intent.amount, intent.currency)
                    raise Conflict(Code.PAYMENT_AMOUNT_MISMATCH,
                                   "결제 금액이 주문 금액과 다릅니다.", field="amount")
                _succeed(payment)
                # No savepoint around the handler (decision 60): one that refuses raises
                # Unfulfillable, which rolls this whole transaction back (below).
                await handler_for(payment.kind).on_succeeded(session, payment)
                _record_succeeded(session, payment, intent)
            elif intent.status == "canceled":
                if payment.status is PaymentStatus.PENDING:
                    payment.status = PaymentStatus.CANCELLED
            elif intent.error and intent.error != payment.last_error:
                payment.last_error = intent.error
                record(session, PaymentFailed(
                    id=payment.id, kind=payment.kind, reference=payment.reference,
                    amount=payment.amount, intent_id=intent.id, message=intent.error,
                ))
    except Unfulfillable as exc:
        unfulfilled = str(exc) or "결제한 상품을 더 이상 제공할 수 없습니다."
        # The handler's work went with the rollback, and so did the payment's new status:
        # the money received is recorded again, without the handler, under a fresh lock.
        async with transaction(session):
            payment = await _lock(session, intent_id=intent.id)
            assert payment is not None
            if payment.status not in (PaymentStatus.PENDING, PaymentStatus.CANCELLED):
                return payment  # completed meanwhile by a racing caller, whose handler decided
            _succeed(payment)
            _record_succeeded(session, payment, intent)
    if unfulfilled is not None:
        await refund(session, gateway, payment.id, amount=payment.amount, reason=unfulfilled,
                     key=f"unfulfillable-{payment.id}")
        on_unfulfillable = handler_for(payment.kind).on_unfulfillable
        if on_unfulfillable is not None:
            async with transaction(session):
                await on_unfulfillable(session, payment, unfulfilled)
        await session.refresh(payment)
    return payment


async def _claim_succeeded(session: AsyncSession, intent: IntentView) -> Payment | None:
    """Mark the payment of a succeeded ``intent`` succeeded, if it is still waiting for its
    money and the amounts agree: one conditional update that also takes the row lock, where
    :func:`_lock` and a write would be two (three on SQLite). None when nothing matched
    (not ours, settled already, a racing caller won, a differing amount): the caller then
    takes the lock and decides as usual. The update re-checks its condition on the row a
    racing caller committed, so only one of them gets the payment back."""
    now = utcnow()
    return (await session.scalars(_CLAIM_SUCCEEDED, {
        "intent": intent.id, "paid": intent.amount, "in_currency": intent.currency,
        "at": now,
    })).one_or_none()


#: :func:`_claim_succeeded`'s statement, built once (decision 82).
_CLAIM_SUCCEEDED = (
    update(Payment)
    .where(
        Payment.intent_id == bindparam("intent"),
        Payment.status.in_([
            s for s in PaymentStatus if PAYMENT_TRANSITIONS.can(s, PaymentStatus.SUCCEEDED)
        ]),
        Payment.amount == bindparam("paid"),
        Payment.currency == bindparam("in_currency"),
    )
    # Bind names other than the columns': those are reserved in an UPDATE's SET clause.
    .values(status=PaymentStatus.SUCCEEDED, succeeded_at=bindparam("at"), last_error="",
            updated_at=bindparam("at"))
    .returning(Payment)
    .execution_options(synchronize_session=False, populate_existing=True)
)


def _succeed(payment: Payment) -> None:
    """Mark the locked payment succeeded: the money is ours."""
    PAYMENT_TRANSITIONS.check(payment.status, PaymentStatus.SUCCEEDED)
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = utcnow()
    payment.last_error = ""


def _record_succeeded(session: AsyncSession, payment: Payment, intent: IntentView) -> None:
    record(session, PaymentSucceeded(
        id=payment.id, kind=payment.kind, reference=payment.reference,
        amount=payment.amount, intent_id=intent.id, user_id=payment.user_id,
    ))


async def pay_with_test_card(
    session: AsyncSession, gateway: StripeGateway, payment: Payment, card_number: str
) -> tuple[Payment, IntentView | None]:
    """localstripe only: pay with one of :data:`TEST_CARDS` from our server.

    Returns the payment and, when the card wants 3-D Secure, the intent still waiting for
    the payer's answer (the page then asks localstripe directly, as Stripe.js would).
    """
    if not gateway.is_localstripe:
        raise Forbidden(Code.TEST_CARDS_DISABLED,
                        "테스트 카드는 테스트 결제 환경에서만 쓸 수 있습니다.", field="card")
    number = "".join(ch for ch in (card_number or "") if ch.isdigit())
    if number not in TEST_CARDS:
        raise InvalidInput(Code.UNKNOWN_TEST_CARD, "제시된 테스트 카드 중 하나를 골라 주세요.",
                           field="card")
    if payment.status is PaymentStatus.SUCCEEDED:
        return payment, None
    if payment.status is PaymentStatus.CANCELLED:
        raise Conflict(Code.PAYMENT_CANCELLED,
                       payment.last_error or "취소된 결제입니다.", field="status")
    if payment.status is not PaymentStatus.PENDING or payment.intent_id is None:
        raise Conflict(Code.PAYMENT_NOT_PAYABLE,
                       f"'{payment.status.label}' 상태의 결제입니다.", field="status")
    for _ in range(2):
        await end_read(session)  # no transaction (no pooled connection) held while Stripe answers
        assert payment.intent_id is not None
        try:
            intent = await _stripe(gateway.pay_with_test_card, payment.intent_id, number,
                                   after_decline=bool(payment.last_error))
            break
        except CardDeclined as exc:
            intent = await _stripe(gateway.retrieve_intent, exc.intent_id)
            intent = dataclasses.replace(intent, error=intent.error or exc.message)
            break
        except IntentNotReusable:
            # Declined before, or left waiting for 3-D Secure: start over on a fresh intent.
            payment = await restart(session, gateway, payment)
            if payment.status is not PaymentStatus.PENDING:
                return payment, None
    else:  # the fresh intent was taken too: another tab is paying this very moment
        raise Conflict(
            Code.PAYMENT_IN_PROGRESS,
            "다른 창에서 이 결제를 진행하고 있습니다. 결제 페이지를 다시 열어 주세요.",
            field="status",
        )
    if intent.status == "requires_action":
        return payment, intent
    return (await apply_intent(session, gateway, intent) or payment), None


# -- refunds ------------------------------------------------------------------------------


async def refund(
    session: AsyncSession,
    gateway: StripeGateway,
    payment_id: int,
    *,
    amount: int,
    reason: str,
    key: str,
    actor: User | None = None,
) -> PaymentRefund:
    """Give ``amount`` won back through Stripe, once per ``key``. Commits.

    The payment row stays locked while Stripe is asked, so two refunds can never together
    exceed what was paid.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(Code.INVALID_AMOUNT, "환불 금액은 1원 이상의 정수여야 합니다.",
                           field="amount")
    async with transaction(session):
        existing = await session.scalar(select(PaymentRefund).where(PaymentRefund.key == key))
        if existing is not None:
            return existing
        payment = await _lock(session, id=payment_id)
        if payment is None:
            raise NotFound(Code.PAYMENT_NOT_FOUND, "결제를 찾을 수 없습니다.", field="payment_id")
        existing = await session.scalar(select(PaymentRefund).where(PaymentRefund.key == key))
        if existing is not None:
            return existing
        if amount > payment.refundable or payment.intent_id is None:
            raise Conflict(
                Code.REFUND_EXCEEDS_PAYMENT,
                f"환불할 수 있는 금액은 {payment.refundable:,}원입니다.", field="amount",
                extra={"refundable": payment.refundable},
            )
        given = await _stripe(gateway.refund, intent_id=payment.intent_id, amount=amount,
                              idempotency_key=f"refund-{key}")
        row = PaymentRefund(
            payment_id=payment.id, key=key, amount=amount, stripe_refund_id=given["id"],
            status=str(given["status"]), reason=reason[:2000],
            actor_user_id=actor.id if actor else None,
        )
        session.add(row)
        payment.refunded_amount += amount
        if payment.refunded_amount == payment.amount:
            PAYMENT_TRANSITIONS.check(payment.status, PaymentStatus.REFUNDED)
            payment.status = PaymentStatus.REFUNDED
        await session.flush()
        record(session, PaymentRefunded(
            id=payment.id, kind=payment.kind, reference=payment.reference, amount=amount,
            refund_id=row.id, total_refunded=payment.refunded_amount,
            actor_user_id=actor.id if actor else None, reason=reason[:500],
        ))
        return row


# -- webhooks -----------------------------------------------------------------------------


async def process_stripe_event(
    session: AsyncSession, gateway: StripeGateway, event_type: str, object_id: str
) -> Payment | None:
    """A stored webhook event, acted on by a worker: payment intents only, current state."""
    if not event_type.startswith("payment_intent.") or not object_id.startswith("pi_"):
        return None
    intent = await _stripe(gateway.retrieve_intent, object_id)
    return await apply_intent(session, gateway, intent)

"""Booth fees paid by card, through the shared payment module (``shop.payments``, kind
``booth_fee``).

A vendor's member starts a payment for a due fee (:func:`start_fee_payment`) and pays on the
payment page; when Stripe says the money was taken, the module calls :func:`_on_paid` inside
its own transaction, exactly once per payment, and the fee becomes ``paid`` with an audit
row. The payment's reference is ``"<fee id>:<amount>"``: if the organizer changes the day's
fee while a payment is open, the new amount gets a new payment, and a late success of the
old one is refused (:class:`~shop.payments.handlers.Unfulfillable`) and refunded in full, as
is a card payment arriving for a fee that was meanwhile paid on site or waived.

A fee paid by card that becomes ``refund_due`` (the day was cancelled, the vendor withdrew)
is refunded through Stripe by a worker (:func:`refund_card_fee`), once per fee, and then
marked ``refunded``; fees paid on site stay ``refund_due`` for the organizer to settle.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.db import dialect_name, end_read, transaction
from infra.errors import Conflict, NotFound
from infra.payments import StripeGateway
from markets.days import fees
from markets.days.errors import MarketErrorCode
from markets.days.models import BoothFee, BoothFeeStatus, MarketDay, MarketDayStatus
from markets.models import Market
from markets.schedules import describe_day
from shop.payments import handlers as payment_handlers
from shop.payments import services as payments
from shop.payments.models import Payment, PaymentStatus
from shop.vendors.access import vendor_for_member

KIND = "booth_fee"


def reference_of(fee: BoothFee) -> str:
    return f"{fee.id}:{fee.amount}"


def fee_id_of(payment: Payment) -> int:
    return int(payment.reference.split(":", 1)[0])


async def _fee(session: AsyncSession, fee_id: int, *, lock: bool = False) -> BoothFee | None:
    stmt = select(BoothFee).where(BoothFee.id == fee_id)
    if lock and dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=BoothFee)
    elif lock:  # SQLite: take the write lock first so the read is the latest committed state
        await session.execute(update(BoothFee).where(BoothFee.id == fee_id).values(id=BoothFee.id))
    return await session.scalar(stmt.execution_options(populate_existing=True))


def _not_found() -> NotFound:
    return NotFound(MarketErrorCode.FEE_NOT_FOUND, "참가비 내역을 찾을 수 없습니다.",
                    field="fee_id")


async def start_fee_payment(
    session: AsyncSession, gateway: StripeGateway, actor: User | None, fee_id: int
) -> Payment:
    """카드로 참가비 내기: the payment (and its PaymentIntent) for one due fee of the actor's
    vendor; asking again returns the same open payment. Commits (in the payment module)."""
    fee = await _fee(session, fee_id)
    if fee is None:
        raise _not_found()
    await vendor_for_member(session, actor, fee.vendor_id)
    if fee.status is not BoothFeeStatus.DUE:
        raise Conflict(
            MarketErrorCode.FEE_NOT_DUE,
            f"'{fee.status.label}' 상태의 참가비는 결제할 수 없습니다.", field="fee_id",
        )
    day = await session.get(MarketDay, fee.market_day_id)
    assert day is not None
    if day.status is MarketDayStatus.CANCELLED:
        raise Conflict(MarketErrorCode.DAY_CANCELLED, "취소된 장날입니다.", field="fee_id")
    market = await session.get(Market, day.market_id)
    assert market is not None
    return await payments.start_payment(
        session, gateway, kind=KIND, reference=reference_of(fee), amount=fee.amount,
        description=f"{market.name} {describe_day(day.day)} 부스 참가비", user=actor,
    )


async def _on_paid(session: AsyncSession, payment: Payment) -> None:
    """The card payment went through: the fee it was for becomes paid, if it still waits for
    exactly this amount; otherwise the money goes back (Unfulfillable → full refund)."""
    fee = await _fee(session, fee_id_of(payment), lock=True)
    if fee is None:
        raise payment_handlers.Unfulfillable("참가비 내역이 없어져 결제를 환불했습니다.")
    if fee.status is not BoothFeeStatus.DUE:
        raise payment_handlers.Unfulfillable(
            f"이미 '{fee.status.label}' 처리된 참가비라 카드 결제를 환불했습니다."
        )
    if fee.amount != payment.amount:
        raise payment_handlers.Unfulfillable(
            f"참가비가 {fee.amount:,}원으로 바뀌어 {payment.amount:,}원 결제를 환불했습니다. "
            "새 금액으로 다시 결제해 주세요."
        )
    fees.move(session, fee, BoothFeeStatus.PAID, payment.user_id,
              f"카드 결제 {payment.amount:,}원 (결제 #{payment.id})")


def _result_path(payment: Payment) -> str:
    return f"/console/markets/fees/paid/{payment.token}"


#: What the payment module calls for ``kind="booth_fee"``; ``infra.bootstrap`` registers it.
PAYMENT_HANDLER = payment_handlers.PaymentHandler(
    kind=KIND, on_succeeded=_on_paid, result_path=_result_path,
)


async def card_payment_of(session: AsyncSession, fee: BoothFee) -> Payment | None:
    """The succeeded (possibly since refunded) card payment that paid ``fee``, if any."""
    return await session.scalar(
        select(Payment)
        .where(
            Payment.kind == KIND,
            Payment.reference == reference_of(fee),
            Payment.status.in_([PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]),
        )
        .order_by(Payment.id.desc())
        .limit(1)
    )


async def refund_card_fee(session: AsyncSession, gateway: StripeGateway, fee_id: int) -> bool:
    """A fee paid by card and now owed back goes back to the card, once; the fee is then
    marked refunded. Safe to run twice (the refund is keyed per fee). Returns whether this
    call marked the fee refunded; a fee paid on site is left for the organizer."""
    fee = await _fee(session, fee_id)
    if fee is None or fee.status is not BoothFeeStatus.REFUND_DUE:
        await end_read(session)
        return False
    payment = await card_payment_of(session, fee)
    if payment is None:
        await end_read(session)
        return False
    await payments.refund(
        session, gateway, payment.id, amount=fee.amount,
        reason="부스 참가비 환불 (장날 취소·참가 철회)", key=f"booth-fee-{fee.id}",
    )  # commits; a second call finds the refund under its key
    async with transaction(session):  # nothing is written when it was settled meanwhile
        fee = await _fee(session, fee_id, lock=True)
        if fee is None or fee.status is not BoothFeeStatus.REFUND_DUE:
            return False
        fees.move(session, fee, BoothFeeStatus.REFUNDED, None,
                  f"카드 환불 완료 ({fee.amount:,}원)")
    return True

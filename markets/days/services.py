"""The organizer's use cases on one market day: cancel it, set its booth fee, and record
payments, waivers and refunds of its fees.

Each use case is one transaction: its rows, audit rows and outbox events commit together,
and every rule is checked before anything is written. ``now`` is a parameter wherever time
decides (tests pass a fixed moment); it defaults to the clock. The day's other use cases
have their own modules: ``generation``, ``check_in``, ``sales``, ``notices``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import require_organizer
from infra.clock import utcnow
from infra.db import dialect_name, transaction
from infra.errors import Conflict, InvalidInput, NotFound, Problems
from infra.outbox import record
from markets.access import get_market, require_market_organizer
from markets.applications.queries import booked_applications
from markets.days import fees
from markets.days import payments as fee_payments
from markets.days.errors import MarketErrorCode, clean_reason
from markets.days.events import MarketDayCancelled, MarketDayFeeChanged
from markets.days.models import (
    MARKET_DAY_TRANSITIONS,
    BoothFee,
    BoothFeeStatus,
    MarketDay,
    MarketDayStatus,
)

MAX_FEE = 1_000_000



async def organizer_of_day(session: AsyncSession, actor: User | None, day_id: int) -> User:
    """The actor, if it runs the market of the day (``markets.access``); 404 for no such day."""
    require_organizer(actor)
    market_id = await session.scalar(select(MarketDay.market_id).where(MarketDay.id == day_id))
    if market_id is None:
        raise NotFound(
            MarketErrorCode.MARKET_DAY_NOT_FOUND, "장날을 찾을 수 없습니다.", field="market_day_id"
        )
    return await require_market_organizer(session, actor, int(market_id))


async def get_day(session: AsyncSession, day_id: int, *, for_update: bool = False) -> MarketDay:
    stmt = select(MarketDay).where(MarketDay.id == day_id)
    if for_update and dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    day = await session.scalar(stmt.execution_options(populate_existing=True))
    if day is None:
        raise NotFound(
            MarketErrorCode.MARKET_DAY_NOT_FOUND, "장날을 찾을 수 없습니다.", field="market_day_id"
        )
    return day


# ---------------------------------------------------------------- organizer actions


async def cancel_market_day(
    session: AsyncSession,
    day_id: int,
    actor: User | None,
    reason: str | None,
    *,
    now: dt.datetime | None = None,
) -> MarketDay:
    """장날 취소 (weather, …): the reason is told to every vendor booked on the day.

    Due fees of the day are waived and paid ones become refunds owed, each audited; the
    event names the booked vendors so a worker writes their notices.
    """
    organizer = await organizer_of_day(session, actor, day_id)
    why = clean_reason(reason)
    if not why:
        raise InvalidInput(
            MarketErrorCode.REASON_REQUIRED,
            "취소 사유를 입력해 주세요. 참가 기업에 그대로 전달됩니다.",
            field="reason",
        )
    day = await get_day(session, day_id, for_update=True)
    MARKET_DAY_TRANSITIONS.check(day.status, MarketDayStatus.CANCELLED)
    if day.closes_at <= (now or utcnow()):
        raise Conflict(
            MarketErrorCode.DAY_IN_PAST, "이미 끝난 장날은 취소할 수 없습니다.",
            field="market_day_id",
        )
    market = await get_market(session, day.market_id)
    booked = await booked_applications(session, day)
    async with transaction(session):
        waived, refund_due = fees.settle_cancelled(
            session, await fees.fees_of_day(session, day.id), organizer.id, f"장날 취소: {why}"
        )
        day.status = MarketDayStatus.CANCELLED
        day.cancel_reason = why
        day.cancelled_by_user_id = organizer.id
        day.cancelled_at = now or utcnow()
        record(
            session,
            MarketDayCancelled(
                id=day.id, market_id=day.market_id, actor_user_id=organizer.id,
                day=day.day.isoformat(), market_name=market.name, reason=why,
                vendor_ids=sorted({a.vendor_id for a in booked}),
                fees_waived=waived, fees_refund_due=refund_due,
            ),
        )
    return day


async def set_day_fee(
    session: AsyncSession, day_id: int, actor: User | None, amount: int | str
) -> MarketDay:
    """Change one day's booth fee; unpaid fees follow, booked vendors without one get one."""
    organizer = await organizer_of_day(session, actor, day_id)
    value = amount if isinstance(amount, int) and not isinstance(amount, bool) else None
    if isinstance(amount, str) and amount.strip().replace(",", "").isdigit():
        value = int(amount.strip().replace(",", ""))
    if value is None or not 0 <= value <= MAX_FEE:
        problems = Problems()
        problems.add(
            MarketErrorCode.INVALID_AMOUNT, "booth_fee",
            f"참가비는 0원에서 {MAX_FEE:,}원 사이의 정수로 입력하세요.",
        )
        problems.raise_if_any()
    assert value is not None
    day = await get_day(session, day_id, for_update=True)
    if day.status is not MarketDayStatus.SCHEDULED:
        raise Conflict(
            MarketErrorCode.DAY_CANCELLED,
            f"'{day.status.label}' 상태의 장날은 참가비를 바꿀 수 없습니다.",
            field="booth_fee",
        )
    async with transaction(session):  # committed even unchanged: the lock is let go
        if day.booth_fee == value:
            return day
        day.booth_fee = value
        await fees.reprice_due(session, day)
        await fees.assess(session, day, await booked_applications(session, day), organizer.id,
                          "참가비 변경")
        record(
            session,
            MarketDayFeeChanged(
                id=day.id, market_id=day.market_id, actor_user_id=organizer.id, booth_fee=value
            ),
        )
    return day


FEE_ACTIONS: dict[str, tuple[BoothFeeStatus, str, bool]] = {
    # action: (target, label, reason required)
    "paid": (BoothFeeStatus.PAID, "납부 확인", False),
    "waive": (BoothFeeStatus.WAIVED, "면제", True),
    "refunded": (BoothFeeStatus.REFUNDED, "환불 완료", False),
}


async def change_fee_status(
    session: AsyncSession, fee_id: int, actor: User | None, action: str, reason: str | None = ""
) -> BoothFee:
    """An organizer records a payment, a waiver or a refund made, with who and why."""
    organizer = require_organizer(actor)
    fee_day = await session.scalar(select(BoothFee.market_day_id).where(BoothFee.id == fee_id))
    if fee_day is None:
        raise NotFound(MarketErrorCode.FEE_NOT_FOUND, "참가비 내역을 찾을 수 없습니다.",
                       field="fee_id")
    await organizer_of_day(session, organizer, int(fee_day))
    if action not in FEE_ACTIONS:
        raise InvalidInput(MarketErrorCode.INVALID_CHOICE, "알 수 없는 처리입니다.", field="action")
    target, label, reason_required = FEE_ACTIONS[action]
    why = clean_reason(reason)
    if reason_required and not why:
        raise InvalidInput(
            MarketErrorCode.REASON_REQUIRED, f"{label} 사유를 입력해 주세요.", field="reason"
        )
    stmt = select(BoothFee).where(BoothFee.id == fee_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    fee = await session.scalar(stmt.execution_options(populate_existing=True))
    if fee is None:
        raise NotFound(MarketErrorCode.FEE_NOT_FOUND, "참가비 내역을 찾을 수 없습니다.",
                       field="fee_id")
    if target is BoothFeeStatus.REFUNDED and await fee_payments.card_payment_of(session, fee):
        raise Conflict(
            MarketErrorCode.FEE_PAID_BY_CARD,
            "카드로 낸 참가비는 카드로 자동 환불됩니다. 따로 환불 처리하지 마세요.",
            field="action",
        )
    async with transaction(session):
        fees.move(session, fee, target, organizer.id, why or label)
    return fee

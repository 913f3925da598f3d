"""Booth fees inside a caller's transaction: assess, move through their states, settle.

These helpers never commit: acceptance, a generated day, a changed fee and a cancelled day
each call them inside their own use case, so the fee rows, their audit rows and the events
commit together with the change that caused them. A fee is paid by card
(``markets.days.payments``, through ``shop.payments``) or marked paid by an organizer
(현장·계좌 납부).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.outbox import record
from markets.applications.models import Application
from markets.days.events import BoothFeeStatusChanged
from markets.days.models import (
    BOOTH_FEE_TRANSITIONS,
    BoothFee,
    BoothFeeChange,
    BoothFeeStatus,
    MarketDay,
    MarketDayStatus,
)


def move(
    session: AsyncSession, fee: BoothFee, target: BoothFeeStatus, actor_id: int | None,
    reason: str,
) -> None:
    """One audited fee transition (refused transitions are a 409 and change nothing)."""
    BOOTH_FEE_TRANSITIONS.check(fee.status, target)
    session.add(
        BoothFeeChange(
            fee_id=fee.id, from_status=fee.status, to_status=target,
            actor_user_id=actor_id, reason=reason,
        )
    )
    record(
        session,
        BoothFeeStatusChanged(
            id=fee.id, market_day_id=fee.market_day_id, vendor_id=fee.vendor_id,
            amount=fee.amount, from_status=fee.status.value, to_status=target.value,
            actor_user_id=actor_id, reason=reason,
        ),
    )
    fee.status = target


async def fees_of_day(session: AsyncSession, day_id: int) -> list[BoothFee]:
    rows = await session.scalars(
        select(BoothFee).where(BoothFee.market_day_id == day_id).order_by(BoothFee.id)
    )
    return list(rows.all())


async def assess(
    session: AsyncSession,
    day: MarketDay,
    applications: Sequence[Application],
    actor_id: int | None,
    reason: str,
) -> int:
    """A due fee for each booked vendor on a scheduled, non-free day that has none yet.

    Returns how many fees were created. Free days get no rows: there is nothing to pay.
    """
    if day.status is not MarketDayStatus.SCHEDULED or day.booth_fee <= 0:
        return 0
    existing = {f.vendor_id for f in await fees_of_day(session, day.id)}
    created = 0
    for application in applications:
        if application.vendor_id in existing or not application.covers(day.id, day.day.year):
            continue
        fee = BoothFee(
            market_day_id=day.id, vendor_id=application.vendor_id,
            application_id=application.id, amount=day.booth_fee, status=BoothFeeStatus.DUE,
        )
        session.add(fee)
        await session.flush()
        session.add(
            BoothFeeChange(
                fee_id=fee.id, from_status=None, to_status=BoothFeeStatus.DUE,
                actor_user_id=actor_id, reason=reason,
            )
        )
        existing.add(application.vendor_id)
        created += 1
    return created


async def reprice_due(session: AsyncSession, day: MarketDay) -> int:
    """After the day's fee changed, fees not yet paid follow it (paid ones keep theirs)."""
    changed = 0
    for fee in await fees_of_day(session, day.id):
        if fee.status is BoothFeeStatus.DUE and fee.amount != day.booth_fee:
            fee.amount = day.booth_fee
            changed += 1
    return changed


def settle_cancelled(
    session: AsyncSession, fees: Sequence[BoothFee], actor_id: int | None, reason: str
) -> tuple[int, int]:
    """A day that will not take place owes nothing: due fees are waived, paid ones are
    owed back. Returns ``(waived, refund_due)``."""
    waived = refund_due = 0
    for fee in fees:
        if fee.status is BoothFeeStatus.DUE:
            move(session, fee, BoothFeeStatus.WAIVED, actor_id, reason)
            waived += 1
        elif fee.status is BoothFeeStatus.PAID:
            move(session, fee, BoothFeeStatus.REFUND_DUE, actor_id, reason)
            refund_due += 1
    return waived, refund_due

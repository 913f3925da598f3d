"""Correcting an approved order's counted amount: its own row with a reason (issue 10 §5).

Approval fixes ``counted_as``, the certificate and the counted amount, never to change
(decision 35). When the amount turns out wrong later (a price corrected with the vendor, a
returned item after payment), the discloser or the institution admin adds a
:class:`~shop.procurement.outside_models.CountedCorrection`: a signed change and a reason,
effective on the Seoul day it is recorded. The order row is locked first, as every order use
case does, so each correction is checked against those committed before it (the counted
amount never goes below zero: two corrections racing are checked one after the other, tested
on PostgreSQL). Reports read original + inspection
reduction + corrections (:func:`adjustments_by_order`); a month already published is not
reopened: the next version shows the difference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_date, utcnow
from infra.db import transaction
from infra.errors import Conflict, InvalidInput
from infra.outbox import record
from shop.procurement.access import lock_order, order_facts, require_role
from shop.procurement.amounts import not_accepted_reduction
from shop.procurement.disclosure import Adjustment
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import CountedAmountCorrected
from shop.procurement.models import Department, ProcurementRole, PurchaseOrder
from shop.procurement.outside_models import CountedCorrection
from shop.procurement.reasons import required_reason
from shop.procurement.record_models import Inspection

MAX_REASON = 500


async def correct_counted_amount(
    session: AsyncSession, user: User, order_id: int, *, amount_change: int, reason: str,
) -> CountedCorrection:
    """Add a correction row (the discloser or the institution admin)."""
    reason = required_reason(reason, code=Code.CORRECTION_REASON_REQUIRED, what="정정 사유",
                             limit=MAX_REASON)
    if amount_change == 0:
        raise InvalidInput(Code.CORRECTION_ZERO, "정정 금액은 0이 아니어야 합니다.",
                           field="amount_change")
    async with transaction(session):
        order = await lock_order(session, order_id)
        await require_role(session, user, order.institution_id, ProcurementRole.DISCLOSER,
                           ProcurementRole.INSTITUTION_ADMIN)
        if order.counted_amount is None or order.cancelled_at is not None:
            raise Conflict(Code.CORRECTION_NOT_COUNTED,
                           "승인되어 실적에 들어간 주문만 정정할 수 있습니다.", field="order_id")
        now_counted = await counted_now(session, order)
        if now_counted + amount_change < 0:
            raise Conflict(Code.CORRECTION_BELOW_ZERO,
                           f"정정 후 인정 금액이 0원보다 작아집니다 (지금 {now_counted:,}원).",
                           field="amount_change", extra={"counted_amount": now_counted})
        now = utcnow()
        row = CountedCorrection(
            order_id=order.id, institution_id=order.institution_id,
            amount_change=amount_change, effective_on=seoul_date(now), reason=reason,
            recorded_by=user.id, recorded_at=now)
        session.add(row)
        await session.flush()
        record(session, CountedAmountCorrected(
            **await order_facts(session, order, user), correction_id=row.id,
            amount_change=amount_change, effective_on=row.effective_on.isoformat(),
            reason=reason))
    return row


async def counted_now(session: AsyncSession, order: PurchaseOrder) -> int:
    """The order's counted amount today: as approval fixed it, less what inspection did not
    accept, plus every correction so far (0 for an order not counted)."""
    if order.counted_amount is None:
        return 0
    inspected = await session.scalar(select(Inspection).where(Inspection.order_id == order.id))
    reduction = 0
    if inspected is not None and inspected.accepted_supply < order.supply_amount:
        reduction = not_accepted_reduction(order.supply_amount, inspected.accepted_supply)
    earlier = int(await session.scalar(
        select(func.coalesce(func.sum(CountedCorrection.amount_change), 0))
        .where(CountedCorrection.order_id == order.id)) or 0)
    return order.counted_amount - reduction + earlier


@dataclass(frozen=True)
class TrailRow:
    """One correction as the audit trail shows it: what, on which order, by whom, when."""

    correction: CountedCorrection
    order_number: str
    department: str
    recorded_by: str


async def trail_of(session: AsyncSession, institution_id: int) -> list[TrailRow]:
    """Every correction of the institution's orders, newest first (no access check)."""
    rows = (await session.execute(
        select(CountedCorrection, PurchaseOrder.number, Department.name, User.display_name)
        .join(PurchaseOrder, PurchaseOrder.id == CountedCorrection.order_id)
        .join(Department, Department.id == PurchaseOrder.department_id)
        .join(User, User.id == CountedCorrection.recorded_by)
        .where(CountedCorrection.institution_id == institution_id)
        .order_by(CountedCorrection.recorded_at.desc(), CountedCorrection.id.desc()))).all()
    return [TrailRow(c, number, department, name) for c, number, department, name in rows]


async def order_by_number(
    session: AsyncSession, institution_id: int, number: str
) -> PurchaseOrder:
    """The institution's order with this number (400 naming ``order_number`` otherwise)."""
    number = number.strip()
    order = await session.scalar(select(PurchaseOrder).where(
        PurchaseOrder.number == number, PurchaseOrder.institution_id == institution_id)
    ) if number else None
    if order is None:
        raise InvalidInput(Code.ORDER_NOT_FOUND if number else Code.REQUIRED,
                           "이 기관의 주문번호를 적어 주세요." if not number else
                           f"이 기관에 주문번호 '{number}'인 주문이 없습니다.",
                           field="order_number")
    return order


async def corrections_of(session: AsyncSession, order_id: int) -> list[CountedCorrection]:
    return list((await session.scalars(
        select(CountedCorrection).where(CountedCorrection.order_id == order_id)
        .order_by(CountedCorrection.id))).all())


async def adjustments_by_order(
    session: AsyncSession, institution_id: int, *, until: dt.date | None = None,
) -> dict[int, tuple[Adjustment, ...]]:
    """Every correction of the institution's orders, as dated adjustments per order id."""
    stmt = (select(CountedCorrection.order_id, CountedCorrection.effective_on,
                   CountedCorrection.amount_change)
            .where(CountedCorrection.institution_id == institution_id)
            .order_by(CountedCorrection.id))
    if until is not None:
        stmt = stmt.where(CountedCorrection.effective_on <= until)
    found: dict[int, list[Adjustment]] = {}
    for order_id, on, change in (await session.execute(stmt)).all():
        found.setdefault(int(order_id), []).append(Adjustment(on, int(change)))
    return {k: tuple(v) for k, v in found.items()}

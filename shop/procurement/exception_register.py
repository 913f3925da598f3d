"""The exception register (우선구매 예외, art. 10) on the database: append-only.

The reason is validated by the pure rule (``exceptions.record_exception``); the entry keeps
who decided and when, and is never changed or deleted (``record_models`` refuses it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_today, utcnow
from infra.db import transaction
from infra.errors import InvalidInput
from infra.outbox import record
from shop.catalog.taxonomy import Category
from shop.procurement.access import department_of, institution_or_404, order_or_404, require_role
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import ExceptionRecorded
from shop.procurement.exceptions import record_exception
from shop.procurement.models import ProcurementRole
from shop.procurement.record_models import ExceptionEntry


async def record_entry(
    session: AsyncSession, user: User, institution_id: int, *, department_id: int,
    category: str, reason: str, explanation: str = "", order_id: int | None = None,
    decided_on: dt.date | None = None,
) -> ExceptionEntry:
    """Add an exception of the institution (its requesters, approvers or admin)."""
    try:
        chosen_category = Category(category)
    except ValueError:
        raise InvalidInput(Code.REQUIRED, "품목 분류를 골라 주세요.", field="category") from None
    async with transaction(session):
        await institution_or_404(session, institution_id)
        await require_role(session, user, institution_id, ProcurementRole.REQUESTER,
                           ProcurementRole.APPROVER, ProcurementRole.INSTITUTION_ADMIN)
        department = await department_of(session, institution_id, department_id)
        if order_id is not None:
            order = await order_or_404(session, order_id)
            if order.institution_id != institution_id:
                raise InvalidInput(Code.ORDER_NOT_FOUND, "이 기관의 주문이 아닙니다.",
                                   field="order_id")
        entry = record_exception(  # 400 naming every wrong field
            department=department.name, category=chosen_category, reason=reason,
            explanation=explanation, decided_on=decided_on or seoul_today(),
            decided_by=user.id)
        row = ExceptionEntry(
            institution_id=institution_id, department_id=department.id, order_id=order_id,
            category=entry.category, reason=entry.reason, explanation=entry.explanation,
            decided_on=entry.decided_on, decided_by=entry.decided_by, recorded_at=utcnow())
        session.add(row)
        await session.flush()
        record(session, ExceptionRecorded(
            id=institution_id, exception_id=row.id, department_id=department.id,
            order_id=order_id, category=entry.category.value, reason=entry.reason.value,
            decided_on=entry.decided_on.isoformat(), decided_by=user.id))
    return row


async def entries_of(session: AsyncSession, institution_id: int) -> list[ExceptionEntry]:
    rows = await session.scalars(
        select(ExceptionEntry).where(ExceptionEntry.institution_id == institution_id)
        .order_by(ExceptionEntry.decided_on, ExceptionEntry.id))
    return list(rows.all())

"""What every procurement use case needs first: the row (or a 404), who may act on it (a
membership with the right role), the order locked against a concurrent change, the audit row
of a status change, and the facts an order event carries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name
from infra.errors import Forbidden, NotFound
from shop.procurement.contracting import PURCHASE_ORDER_TRANSITIONS, PurchaseOrderStatus
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import EventLine
from shop.procurement.models import (
    Department,
    Institution,
    Membership,
    ProcurementRole,
    PurchaseOrder,
    PurchaseOrderStatusChange,
)


async def institution_or_404(session: AsyncSession, institution_id: int) -> Institution:
    institution = await session.get(Institution, institution_id)
    if institution is None:
        raise NotFound(Code.INSTITUTION_NOT_FOUND, "기관을 찾을 수 없습니다.",
                       field="institution_id")
    return institution


async def department_of(
    session: AsyncSession, institution_id: int, department_id: int
) -> Department:
    department = await session.get(Department, department_id)
    if department is None or department.institution_id != institution_id:
        raise NotFound(Code.DEPARTMENT_NOT_FOUND, "이 기관의 부서가 아닙니다.",
                       field="department_id")
    return department


async def roles_of(session: AsyncSession, user: User, institution_id: int) -> set[ProcurementRole]:
    rows = await session.scalars(
        select(Membership.role).where(
            Membership.institution_id == institution_id, Membership.user_id == user.id
        )
    )
    return set(rows.all())


async def require_role(
    session: AsyncSession, user: User, institution_id: int, *roles: ProcurementRole
) -> None:
    """A 403 unless ``user`` holds one of ``roles`` in the institution.

    A platform admin passes where an institution admin would (registering people), never
    for the buying roles: approving or inspecting is an act of the institution's own staff.
    """
    if user.is_admin and ProcurementRole.INSTITUTION_ADMIN in roles:
        return
    if not (await roles_of(session, user, institution_id)) & set(roles):
        names = ", ".join(r.label for r in roles)
        raise Forbidden(Code.NOT_A_MEMBER, f"이 기관의 {names}만 할 수 있습니다.",
                        field="user", extra={"roles": [r.value for r in roles]})


async def order_or_404(session: AsyncSession, order_id: int) -> PurchaseOrder:
    order = await session.get(PurchaseOrder, order_id)
    if order is None:
        raise NotFound(Code.ORDER_NOT_FOUND, "구매 주문을 찾을 수 없습니다.", field="order_id")
    return order


async def lock_order(session: AsyncSession, order_id: int) -> PurchaseOrder:
    """The order, locked until the transaction ends, read as last committed.

    PostgreSQL: ``SELECT … FOR UPDATE``. SQLite: a no-op update first takes the database's
    write lock, so the read that follows is the latest committed state (as ``payments._lock``).
    """
    stmt = select(PurchaseOrder).where(PurchaseOrder.id == order_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=PurchaseOrder)
    else:
        await session.execute(
            update(PurchaseOrder).where(PurchaseOrder.id == order_id).values(id=PurchaseOrder.id)
        )
    order = await session.scalar(stmt.execution_options(populate_existing=True))
    if order is None:
        raise NotFound(Code.ORDER_NOT_FOUND, "구매 주문을 찾을 수 없습니다.", field="order_id")
    return order


def change_status(
    session: AsyncSession,
    order: PurchaseOrder,
    target: PurchaseOrderStatus,
    *,
    actor: User | None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> PurchaseOrderStatus:
    """Move the order (409 if the state machine refuses) and write the audit row."""
    previous = order.status
    PURCHASE_ORDER_TRANSITIONS.check(previous, target)
    order.status = target
    session.add(PurchaseOrderStatusChange(
        order_id=order.id, actor_id=actor.id if actor else None, from_status=previous,
        to_status=target, reason=reason, changed_at=at or utcnow(),
    ))
    return previous


async def order_facts(
    session: AsyncSession, order: PurchaseOrder, actor: User | None = None
) -> dict[str, Any]:
    """The fields of :class:`shop.procurement.events.OrderFacts` for this order."""
    institution = await session.get(Institution, order.institution_id)
    department = await session.get(Department, order.department_id)
    assert institution is not None and department is not None
    return {
        "id": order.id,
        "number": order.number,
        "institution_id": order.institution_id,
        "institution_name": institution.name,
        "department_id": order.department_id,
        "department_name": department.name,
        "vendor_id": order.vendor_id,
        "requester_id": order.requester_id,
        "method": order.method.value,
        "contract_date": order.contract_date.isoformat(),
        "status": order.status.value,
        "counted_as": order.counted_as.value if order.counted_as else None,
        "counted_certificate_id": order.counted_certificate_id,
        "counted_amount": order.counted_amount,
        "estimated_price": order.estimated_price,
        "supply_amount": order.supply_amount,
        "vat_amount": order.vat_amount,
        "total": order.total,
        "lines": tuple(
            EventLine(category=line.category.value, description=line.description,
                      quantity=line.quantity, unit_price=line.unit_price)
            for line in order.lines
        ),
        "actor_id": actor.id if actor else None,
    }

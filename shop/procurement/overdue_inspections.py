"""Deliveries waiting for inspection (검수) past their due date: a report for the institution.

Issue 10 §6: the buyer inspects within a number of days of delivery (setting
``Settings.inspection_days``, default 14, :data:`shop.procurement.inspection.
DEFAULT_INSPECTION_DAYS`). An order is on this report while it is delivered (in full or in
part), not yet inspected, and ``today`` is after :func:`~shop.procurement.inspection.
inspection_due` of its **latest** delivery — the same date the recorded inspection is later
measured from (``receiving.inspect`` records the latest delivery date), so the report and the
inspection's own on-time flag never disagree. A cancelled order is not waiting for anyone.
Oldest delivery first: the one waiting longest is on top. Read-only; who may read it (any
member of the institution) is checked here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from shop.procurement.access import institution_or_404
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.inspection import DEFAULT_INSPECTION_DAYS, inspection_due
from shop.procurement.models import Department, PurchaseOrder
from shop.procurement.plans import require_reader
from shop.procurement.record_models import Delivery, Inspection
from shop.vendors.models import Vendor

WAITING = (PurchaseOrderStatus.DELIVERED, PurchaseOrderStatus.PARTIALLY_DELIVERED)


@dataclass(frozen=True)
class OverdueInspection:
    order_id: int
    number: str
    title: str
    department: str
    vendor: str
    status: PurchaseOrderStatus
    total: int
    delivered_on: dt.date  # the latest delivery
    due_on: dt.date  # the last day the inspection was on time
    days_overdue: int  # days after the due date, 1 on the first late day


async def overdue_inspections(
    session: AsyncSession, institution_id: int, *, today: dt.date,
    days: int = DEFAULT_INSPECTION_DAYS,
) -> list[OverdueInspection]:
    """The institution's delivered, uninspected orders past due on ``today`` (no access check)."""
    latest = (select(Delivery.order_id, func.max(Delivery.delivered_on).label("delivered_on"))
              .group_by(Delivery.order_id).subquery())
    rows = (await session.execute(
        select(PurchaseOrder.id, PurchaseOrder.number, PurchaseOrder.title, Department.name,
               Vendor.name, PurchaseOrder.status, PurchaseOrder.supply_amount,
               PurchaseOrder.vat_amount, latest.c.delivered_on)
        .join(latest, latest.c.order_id == PurchaseOrder.id)
        .join(Department, Department.id == PurchaseOrder.department_id)
        .join(Vendor, Vendor.id == PurchaseOrder.vendor_id)
        .outerjoin(Inspection, Inspection.order_id == PurchaseOrder.id)
        .where(PurchaseOrder.institution_id == institution_id,
               PurchaseOrder.status.in_(WAITING), Inspection.id.is_(None),
               latest.c.delivered_on < today - dt.timedelta(days=days))
        .order_by(latest.c.delivered_on, PurchaseOrder.id)
    )).all()
    found = []
    for order_id, number, title, department, vendor, status, supply, vat, delivered_on in rows:
        due = inspection_due(delivered_on, days)
        found.append(OverdueInspection(
            order_id=order_id, number=number, title=title, department=department,
            vendor=vendor, status=status, total=supply + vat, delivered_on=delivered_on,
            due_on=due, days_overdue=(today - due).days))
    return found


async def readable_overdue(
    session: AsyncSession, user: User, institution_id: int, *, today: dt.date, days: int,
) -> list[OverdueInspection]:
    """The report for a member of the institution (404 unknown institution, 403 outsider)."""
    await institution_or_404(session, institution_id)
    await require_reader(session, user, institution_id)
    return await overdue_inspections(session, institution_id, today=today, days=days)


class OverdueInspectionOut(msgspec.Struct, kw_only=True):
    order_id: int
    number: str
    title: str
    department: str
    vendor: str
    status: str
    total: int
    delivered_on: dt.date
    due_on: dt.date
    days_overdue: int

    @classmethod
    def of(cls, row: OverdueInspection) -> OverdueInspectionOut:
        return cls(order_id=row.order_id, number=row.number, title=row.title,
                   department=row.department, vendor=row.vendor, status=row.status.value,
                   total=row.total, delivered_on=row.delivered_on, due_on=row.due_on,
                   days_overdue=row.days_overdue)


class OverdueReportOut(msgspec.Struct, kw_only=True):
    institution_id: int
    as_of: dt.date
    inspection_days: int
    orders: list[OverdueInspectionOut]

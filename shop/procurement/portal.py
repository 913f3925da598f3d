"""What the buyer portal reads: a person's institutions and roles, an institution's orders by
status, the approver's inbox, and everything one order page shows.

Read-only: every change goes through the use-case modules (ordering, approval, receiving,
invoicing), which decide. What this module says a person *may* do only chooses which
buttons a page offers; pressing one still runs the use case, which refuses with its own
rule when the page was wrong (or out of date).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_time
from shop.procurement import corrections
from shop.procurement.access import institution_or_404, order_or_404, require_role
from shop.procurement.approval import approvers_of
from shop.procurement.contracting import PURCHASE_ORDER_TRANSITIONS, PurchaseOrderStatus
from shop.procurement.invoicing import invoice_of, payment_of
from shop.procurement.models import (
    Department,
    Institution,
    Membership,
    ProcurementRole,
    PurchaseOrder,
    PurchaseOrderStatusChange,
)
from shop.procurement.outside_models import CountedCorrection
from shop.procurement.receiving import delivered_quantities, deliveries_of, inspection_of
from shop.procurement.record_models import (
    Delivery,
    Inspection,
    ProcurementInvoice,
    ProcurementPayment,
)
from shop.vendors.models import Vendor, VendorStatus

_S = PurchaseOrderStatus
PAGE_SIZE = 20


@dataclass(frozen=True)
class MyInstitution:
    institution: Institution
    roles: frozenset[ProcurementRole]

    @property
    def role_labels(self) -> list[str]:
        return [r.label for r in ProcurementRole if r in self.roles]


async def institutions_of(session: AsyncSession, user: User) -> list[MyInstitution]:
    """Every institution the person holds a role in, with those roles (by institution id)."""
    rows = (await session.execute(
        select(Membership.institution_id, Membership.role)
        .where(Membership.user_id == user.id).order_by(Membership.institution_id)
    )).all()
    roles: dict[int, set[ProcurementRole]] = defaultdict(set)
    for institution_id, role in rows:
        roles[institution_id].add(role)
    return [MyInstitution(await institution_or_404(session, i), frozenset(r))
            for i, r in roles.items()]


async def chosen_institution(
    session: AsyncSession, user: User, institution: int | None
) -> MyInstitution | None:
    """The institution a portal page shows: the one asked for if the person belongs to it,
    else their first (``None`` for someone with no institution)."""
    mine = await institutions_of(session, user)
    return next((m for m in mine if m.institution.id == institution), mine[0] if mine else None)


@dataclass(frozen=True)
class OrderRow:
    order: PurchaseOrder
    department: str
    vendor: str


async def orders_of(
    session: AsyncSession, institution_id: int, *, status: PurchaseOrderStatus | None = None,
    page: int = 1,
) -> tuple[list[OrderRow], int]:
    """One page of the institution's orders, newest first, and how many there are in all."""
    where = [PurchaseOrder.institution_id == institution_id]
    if status is not None:
        where.append(PurchaseOrder.status == status)
    total = await session.scalar(select(func.count(PurchaseOrder.id)).where(*where)) or 0
    rows = (await session.execute(
        select(PurchaseOrder, Department.name, Vendor.name)
        .join(Department, Department.id == PurchaseOrder.department_id)
        .join(Vendor, Vendor.id == PurchaseOrder.vendor_id)
        .where(*where).order_by(PurchaseOrder.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )).all()
    return [OrderRow(o, d, v) for o, d, v in rows], total


async def status_counts(session: AsyncSession, institution_id: int) -> dict[_S, int]:
    rows = (await session.execute(
        select(PurchaseOrder.status, func.count(PurchaseOrder.id))
        .where(PurchaseOrder.institution_id == institution_id)
        .group_by(PurchaseOrder.status)
    )).all()
    return {status: count for status, count in rows}


async def inbox_of(session: AsyncSession, user: User) -> list[OrderRow]:
    """Orders awaiting approval where the person is an approver, did not request the order
    and has not approved it yet: what is waiting for *their* 결재."""
    approver_of = select(Membership.institution_id).where(
        Membership.user_id == user.id, Membership.role == ProcurementRole.APPROVER)
    rows = (await session.execute(
        select(PurchaseOrder, Department.name, Vendor.name)
        .join(Department, Department.id == PurchaseOrder.department_id)
        .join(Vendor, Vendor.id == PurchaseOrder.vendor_id)
        .where(PurchaseOrder.status == _S.PENDING_APPROVAL,
               PurchaseOrder.institution_id.in_(approver_of),
               PurchaseOrder.requester_id != user.id)
        .order_by(PurchaseOrder.submitted_at, PurchaseOrder.id)
    )).all()
    result = []
    for order, department, vendor in rows:
        if user.id not in await approvers_of(session, order.id):
            result.append(OrderRow(order, department, vendor))
    return result


async def selling_vendors(session: AsyncSession) -> list[Vendor]:
    """The vendors an order may name (approved, so able to sell), by name."""
    rows = await session.scalars(
        select(Vendor).where(Vendor.status == VendorStatus.APPROVED).order_by(Vendor.name))
    return list(rows.all())


@dataclass(frozen=True)
class HistoryRow:
    change: PurchaseOrderStatusChange
    actor: str
    at: str


@dataclass
class OrderPage:
    """Everything the order page shows, and which actions it offers this person."""

    order: PurchaseOrder
    institution: Institution
    department: Department
    vendor: Vendor
    requester: str
    roles: frozenset[ProcurementRole]
    history: list[HistoryRow]
    approvers: list[str]
    deliveries: list[Delivery]
    delivered: dict[int, int]
    inspection: Inspection | None
    invoice: ProcurementInvoice | None
    payment: ProcurementPayment | None
    corrections: list[CountedCorrection] = field(default_factory=list)
    counted_now: int = 0  # the counted amount with inspection and corrections applied
    actions: set[str] = field(default_factory=set)

    @property
    def accepted(self) -> dict[int, int]:
        """Accepted quantity per order line (empty before inspection)."""
        if self.inspection is None:
            return {}
        return {line.order_line_id: line.accepted_quantity for line in self.inspection.lines}


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = (await session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids)))).all()
    return {i: name for i, name in rows}


def _actions(page: OrderPage, user: User, approved_by_me: bool) -> set[str]:
    order, roles = page.order, page.roles
    mine = order.requester_id == user.id
    can = PURCHASE_ORDER_TRANSITIONS.can
    actions: set[str] = set()
    if mine and order.status is _S.DRAFT:
        actions.add("submit")
    if (order.status is _S.PENDING_APPROVAL and ProcurementRole.APPROVER in roles
            and not mine and not approved_by_me):
        actions.add("approve")
    if (order.status in (_S.APPROVED, _S.PARTIALLY_DELIVERED)
            and roles & {ProcurementRole.REQUESTER, ProcurementRole.INSPECTOR}):
        actions.add("deliver")
    if (can(order.status, _S.INSPECTED) and ProcurementRole.INSPECTOR in roles and not mine
            and page.deliveries):
        actions.add("inspect")
    if order.status is _S.INSPECTED and ProcurementRole.ACCOUNTANT in roles:
        actions.add("invoice")
    if order.status is _S.INVOICED and ProcurementRole.ACCOUNTANT in roles:
        actions.add("pay")
    if can(order.status, _S.CANCELLED) and (
            mine or roles & {ProcurementRole.APPROVER, ProcurementRole.INSTITUTION_ADMIN}):
        actions.add("cancel")
    return actions


async def order_page(session: AsyncSession, user: User, order_id: int) -> OrderPage:
    """The order as its institution's staff see it (403 for anyone else, 404 if none)."""
    order = await order_or_404(session, order_id)
    await require_role(session, user, order.institution_id, *ProcurementRole)
    institution = await institution_or_404(session, order.institution_id)
    department = await session.get(Department, order.department_id)
    vendor = await session.get(Vendor, order.vendor_id)
    assert department is not None and vendor is not None
    memberships = await session.scalars(select(Membership.role).where(
        Membership.institution_id == order.institution_id, Membership.user_id == user.id))
    changes = list((await session.scalars(
        select(PurchaseOrderStatusChange).where(PurchaseOrderStatusChange.order_id == order.id)
        .order_by(PurchaseOrderStatusChange.changed_at, PurchaseOrderStatusChange.id))).all())
    approver_ids = await approvers_of(session, order.id)
    names = await _names(session, {order.requester_id, *approver_ids,
                                   *(c.actor_id for c in changes if c.actor_id)})
    page = OrderPage(
        order=order, institution=institution, department=department, vendor=vendor,
        requester=names.get(order.requester_id, ""), roles=frozenset(memberships.all()),
        history=[HistoryRow(c, names.get(c.actor_id, "") if c.actor_id else "",
                            seoul_time(c.changed_at)) for c in changes],
        approvers=[names.get(i, "") for i in approver_ids],
        deliveries=await deliveries_of(session, order.id),
        delivered=await delivered_quantities(session, order.id),
        inspection=await inspection_of(session, order.id),
        invoice=await invoice_of(session, order.id),
        payment=await payment_of(session, order.id),
        corrections=await corrections.corrections_of(session, order.id),
        counted_now=await corrections.counted_now(session, order),
    )
    page.actions = _actions(page, user, user.id in approver_ids)
    return page

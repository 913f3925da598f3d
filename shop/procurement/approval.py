"""Approving a purchase order (결재), and fixing how it counts.

The number of distinct approvers comes from ``contracting.approvers_required`` (stored on the
order when drafted). The order row is locked for the whole use case, so two approvers
pressing at once are taken one after the other: the second sees the first's approval, and
an order needing one approval is approved once (the second gets the state machine's 409).

On the final approval the order fixes, never to change, the certificate it counts under,
``counted_as`` and the counted amount (its total incl. VAT): ``certificates.counted_as``
over the vendor's certificate history on the contract date.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict
from infra.outbox import record
from shop.procurement.access import change_status, lock_order, order_facts, require_role
from shop.procurement.amounts import counted_amount
from shop.procurement.certificate_history import certificates_of
from shop.procurement.certificates import counted_as
from shop.procurement.contracting import Approvals, PurchaseOrderStatus
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import OrderApproved
from shop.procurement.models import ProcurementRole, PurchaseOrder, PurchaseOrderApproval


async def approvers_of(session: AsyncSession, order_id: int) -> tuple[int, ...]:
    rows = await session.scalars(
        select(PurchaseOrderApproval.approver_id)
        .where(PurchaseOrderApproval.order_id == order_id)
        .order_by(PurchaseOrderApproval.id))
    return tuple(rows.all())


async def approve(session: AsyncSession, approver: User, order_id: int) -> PurchaseOrder:
    """Record ``approver``'s approval; the last one needed approves the order.

    403 without the approver role, 409 for the requester (``procurement_self_approval``) or
    an order not awaiting approval. Approving twice counts once.
    """
    async with transaction(session):
        order = await lock_order(session, order_id)
        await require_role(session, approver, order.institution_id, ProcurementRole.APPROVER)
        line = Approvals(order.requester_id, order.approvals_required,
                         await approvers_of(session, order.id))
        after = line.approve(approver.id)  # 409 for the requester
        if order.status is not PurchaseOrderStatus.PENDING_APPROVAL:
            # Names both states: an approved order is not approved again.
            change_status(session, order, PurchaseOrderStatus.APPROVED, actor=approver)
        if after is line:
            return order  # this approver had approved already
        now = utcnow()
        session.add(PurchaseOrderApproval(order_id=order.id, approver_id=approver.id,
                                          approved_at=now))
        if after.complete:
            await _fix_counting(session, order)
            change_status(session, order, PurchaseOrderStatus.APPROVED, actor=approver,
                          reason=f"결재 완료 ({len(after.approvers)}명)", at=now)
            order.approved_at = now
            record(session, OrderApproved(
                **await order_facts(session, order, approver),
                approver_ids=after.approvers, counted_reason=order.counted_reason))
    return order


async def _fix_counting(session: AsyncSession, order: PurchaseOrder) -> None:
    if order.counted_amount is not None:
        raise Conflict(Code.PURCHASE_ORDER_INVALID_TRANSITION,
                       "이미 실적 집계가 확정된 주문입니다.", field="status")
    rows = await certificates_of(session, order.vendor_id)
    rules = [row.rule() for row in rows]
    counting = counted_as(rules, order.contract_date)
    chosen = next((row for row, rule in zip(rows, rules, strict=True)
                   if rule is counting.certificate), None)
    order.counted_as = counting.enterprise_type
    order.counted_certificate_id = chosen.id if chosen else None
    order.counted_amount = counted_amount(order.supply_amount, order.supply_amount)
    order.counted_reason = counting.reason


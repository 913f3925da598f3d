"""Goods arriving (납품) and their inspection (검수), on the database.

A delivery records quantities per order line (all that is still due when none are given);
the order is delivered when every line has arrived in full. The inspection records the
accepted quantity per line through the pure rule (``inspection.inspect``), by an inspector
who is not the order's requester; the invoice may then claim only what was accepted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_today
from infra.db import transaction
from infra.errors import Conflict, Forbidden, Problems
from infra.outbox import record
from shop.procurement import inspection as rules
from shop.procurement.access import change_status, lock_order, order_facts, require_role, roles_of
from shop.procurement.amounts import counted_amount
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import OrderDelivered, OrderInspected
from shop.procurement.models import ProcurementRole, PurchaseOrder
from shop.procurement.record_models import Delivery, DeliveryLine, Inspection, InspectionLine
from shop.vendors.access import member_role

_S = PurchaseOrderStatus


async def deliveries_of(session: AsyncSession, order_id: int) -> list[Delivery]:
    rows = await session.scalars(
        select(Delivery).where(Delivery.order_id == order_id).order_by(Delivery.id))
    return list(rows.all())


async def delivered_quantities(session: AsyncSession, order_id: int) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for delivery in await deliveries_of(session, order_id):
        for line in delivery.lines:
            totals[line.order_line_id] += line.quantity
    return dict(totals)


async def inspection_of(session: AsyncSession, order_id: int) -> Inspection | None:
    return await session.scalar(select(Inspection).where(Inspection.order_id == order_id))


def _rule_lines(order: PurchaseOrder) -> list[rules.OrderLine]:
    return [rules.OrderLine(str(line.id), line.quantity, line.unit_price) for line in order.lines]


def as_rule(order: PurchaseOrder, row: Inspection) -> rules.Inspection:
    """The stored inspection read back through the pure rule (for the invoice check)."""
    return rules.inspect(
        _rule_lines(order), {str(line.order_line_id): line.accepted_quantity for line in row.lines},
        delivered_on=row.delivered_on, inspected_on=row.inspected_on)


async def deliver(
    session: AsyncSession, user: User, order_id: int, *, delivered_on: dt.date | None = None,
    quantities: Mapping[int, int] | None = None,
) -> Delivery:
    """Record goods arriving (the vendor's members or the institution's staff)."""
    delivered_on = delivered_on or seoul_today()
    async with transaction(session):
        order = await lock_order(session, order_id)
        staff = {ProcurementRole.REQUESTER, ProcurementRole.INSPECTOR}
        if await member_role(session, user, order.vendor_id) is None and not (
            await roles_of(session, user, order.institution_id) & staff
        ):
            raise Forbidden(Code.NOT_A_MEMBER, "납품 기업이나 기관의 요청자·검수자만 기록할 수 "
                            "있습니다.", field="user")
        if order.status not in (_S.APPROVED, _S.PARTIALLY_DELIVERED):
            change_status(session, order, _S.DELIVERED, actor=user)  # the 409 naming states
        so_far = await delivered_quantities(session, order.id)
        due = {line.id: line.quantity - so_far.get(line.id, 0) for line in order.lines}
        wanted = dict(quantities) if quantities else {k: v for k, v in due.items() if v > 0}
        problems = Problems()
        for line_id, quantity in wanted.items():
            field = f"quantities.{line_id}"
            if line_id not in due:
                problems.add(Code.UNKNOWN_ORDER_LINE, field, "주문에 없는 품목입니다.")
            elif quantity <= 0:
                problems.add(Code.INVALID_QUANTITY, field, "납품 수량은 1 이상이어야 합니다.")
            elif quantity > due[line_id]:
                problems.add(Code.DELIVERY_EXCEEDS_ORDERED, field,
                             f"남은 주문 수량({due[line_id]:,})보다 많이 납품할 수 없습니다.")
        if not wanted:
            problems.add(Code.DELIVERY_EXCEEDS_ORDERED, "quantities", "납품할 수량이 없습니다.")
        problems.raise_if_any()
        delivery = Delivery(order_id=order.id, delivered_on=delivered_on, recorded_by=user.id,
                            lines=[DeliveryLine(order_line_id=k, quantity=v)
                                   for k, v in sorted(wanted.items())])
        session.add(delivery)
        await session.flush()
        complete = all(due[k] == wanted.get(k, 0) for k in due)
        target = _S.DELIVERED if complete else _S.PARTIALLY_DELIVERED
        if order.status is not target:
            change_status(session, order, target, actor=user, reason="납품")
        record(session, OrderDelivered(
            **await order_facts(session, order, user), delivery_id=delivery.id,
            delivered_on=delivered_on.isoformat(), complete=complete))
    return delivery


async def inspect(
    session: AsyncSession, user: User, order_id: int, accepted: Mapping[int, int],
    *, inspected_on: dt.date | None = None,
) -> Inspection:
    """Record the inspection (an inspector of the institution who did not request it)."""
    inspected_on = inspected_on or seoul_today()
    async with transaction(session):
        order = await lock_order(session, order_id)
        if order.requester_id == user.id:
            raise Conflict(Code.SELF_INSPECTION, "요청자는 자신의 주문을 검수할 수 없습니다.",
                           field="inspector")
        await require_role(session, user, order.institution_id, ProcurementRole.INSPECTOR)
        if order.status not in (_S.DELIVERED, _S.PARTIALLY_DELIVERED):
            change_status(session, order, _S.INSPECTED, actor=user)  # the 409 naming states
        deliveries = await deliveries_of(session, order.id)
        delivered = await delivered_quantities(session, order.id)
        ordered = {line.id: line.quantity for line in order.lines}
        problems = Problems()
        for line_id, quantity in accepted.items():
            # Unknown lines and more than ordered are the pure rule's to refuse.
            if line_id in ordered and delivered.get(line_id, 0) < quantity <= ordered[line_id]:
                problems.add(Code.ACCEPTED_EXCEEDS_ORDERED, f"accepted.{line_id}",
                             f"합격 수량({quantity:,})이 납품 수량"
                             f"({delivered.get(line_id, 0):,})보다 많습니다.")
        problems.raise_if_any()
        result = rules.inspect(
            _rule_lines(order), {str(k): v for k, v in accepted.items()},
            delivered_on=max(d.delivered_on for d in deliveries), inspected_on=inspected_on)
        row = Inspection(
            order_id=order.id, inspector_id=user.id, delivered_on=result.delivered_on,
            inspected_on=result.inspected_on, outcome=result.outcome,
            accepted_supply=result.accepted_supply, ordered_supply=result.ordered_supply,
            lines=[InspectionLine(order_line_id=int(k), accepted_quantity=v)
                   for k, v in result.accepted.items()])
        session.add(row)
        await session.flush()
        change_status(session, order, _S.INSPECTED, actor=user, reason=result.outcome.label)
        record(session, OrderInspected(
            **await order_facts(session, order, user), inspection_id=row.id,
            outcome=result.outcome.value, inspected_on=inspected_on.isoformat(),
            accepted_supply=result.accepted_supply,
            counted_after_inspection=counted_amount(order.supply_amount, result.accepted_supply)))
    return row

"""Approvals on the database: one approver below 10,000,000 won, two from it; the requester
never approves their own order (409); an approver approving twice counts once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import Conflict, Forbidden
from shop.procurement import approval
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.models import PurchaseOrderApproval, PurchaseOrderStatusChange
from tests.shop.procurement.world import make_world


async def test_9_999_999_needs_one_approver(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    order = await world.order(db_session, quantity=1, unit_price=9_999_999)
    assert order.approvals_required == 1
    await approval.approve(db_session, world.approver, order.id)
    assert order.status is PurchaseOrderStatus.APPROVED


async def test_10_000_000_needs_two_distinct_approvers(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    order = await world.order(db_session, quantity=1, unit_price=10_000_000)
    assert order.approvals_required == 2
    await approval.approve(db_session, world.approver, order.id)
    await approval.approve(db_session, world.approver, order.id)  # a double click
    assert order.status is PurchaseOrderStatus.PENDING_APPROVAL
    assert order.counted_amount is None
    await approval.approve(db_session, world.second_approver, order.id)
    assert order.status is PurchaseOrderStatus.APPROVED
    assert await db_session.scalar(select(func.count(PurchaseOrderApproval.id))) == 2
    trail = (await db_session.execute(
        select(PurchaseOrderStatusChange.from_status, PurchaseOrderStatusChange.to_status,
               PurchaseOrderStatusChange.actor_id)
        .order_by(PurchaseOrderStatusChange.id))).all()
    assert trail == [
        (None, PurchaseOrderStatus.DRAFT, world.requester.id),
        (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.PENDING_APPROVAL, world.requester.id),
        (PurchaseOrderStatus.PENDING_APPROVAL, PurchaseOrderStatus.APPROVED,
         world.second_approver.id),
    ]


async def test_a_requester_approving_their_own_order_gets_409(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    order = await world.order(db_session, quantity=1, unit_price=500_000)
    with pytest.raises(Conflict) as refused:
        await approval.approve(db_session, world.requester, order.id)
    assert refused.value.code == "procurement_self_approval"
    assert refused.value.status_code == 409


async def test_someone_without_the_approver_role_cannot_approve(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    order = await world.order(db_session, quantity=1, unit_price=500_000)
    with pytest.raises(Forbidden):
        await approval.approve(db_session, world.inspector, order.id)


async def test_an_approved_order_is_not_approved_again(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    order = await world.approved(db_session, quantity=1, unit_price=500_000)
    with pytest.raises(Conflict) as refused:
        await approval.approve(db_session, world.second_approver, order.id)
    assert refused.value.code == "purchase_order_invalid_transition"

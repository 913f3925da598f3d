"""Two approvers pressing "approve" on the same order at once approve it once.

The order row is locked for the use case (``SELECT … FOR UPDATE``): an order needing one
approval is approved by one of them (the other gets 409), and an order needing two is
approved by both, with exactly one ``order_approved`` event either way. On PostgreSQL this
is the row lock at work; on SQLite, the write lock the use case takes before reading.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from shop.procurement import approval
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.models import PurchaseOrder, PurchaseOrderApproval
from tests.fixtures.races import race
from tests.shop.procurement.world import make_world


@pytest.mark.parametrize(("price", "outcomes"), [
    (9_999_999, ["ok", "purchase_order_invalid_transition"]),
    (10_000_000, ["ok", "ok"]),
])
async def test_two_approvers_at_once_approve_the_order_once(
    db_session: AsyncSession, racing_sessions: async_sessionmaker[AsyncSession],
    price: int, outcomes: list[str],
) -> None:
    world = await make_world(db_session)
    order = await world.order(db_session, quantity=1, unit_price=price)
    order_id = order.id
    await db_session.commit()

    results = await race(racing_sessions, [
        lambda s, who=who: approval.approve(s, who, order_id)
        for who in (world.approver, world.second_approver)
    ])
    assert sorted(results) == outcomes

    db_session.expunge_all()
    approved = await db_session.get(PurchaseOrder, order_id)
    assert approved is not None and approved.status is PurchaseOrderStatus.APPROVED
    assert await db_session.scalar(select(func.count(PurchaseOrderApproval.id))) == (
        outcomes.count("ok"))
    assert await db_session.scalar(select(func.count(OutboxEvent.id)).where(
        OutboxEvent.name == "procurement.order_approved")) == 1

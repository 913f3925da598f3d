"""Approval fixes which certificate an order counted under, ``counted_as`` and the counted
amount; a later change of the vendor's certificates changes nothing of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.outbox import OutboxEvent
from shop.procurement import certificate_history
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.models import PurchaseOrder
from shop.vendors.types import EnterpriseType
from tests.shop.procurement.world import make_world


async def test_an_order_on_the_last_valid_day_counts_and_a_revocation_later_changes_nothing(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    order = await world.approved(db_session, quantity=400, unit_price=10_000,
                                 contract_date=dt.date(2025, 3, 9))
    assert order.status is PurchaseOrderStatus.APPROVED
    assert order.counted_as is EnterpriseType.CERTIFIED_SOCIAL
    assert order.counted_certificate_id == world.certificate.id
    assert order.counted_amount == 4_400_000  # 4,000,000 + VAT 400,000

    # The certificate is revoked from a date before the contract, and a new one recorded.
    await certificate_history.revoke_certificate(db_session, world.admin, world.certificate.id,
                                                 dt.date(2025, 3, 1))
    await certificate_history.record_certificate(
        db_session, world.admin, world.vendor.id, enterprise_type="cooperative",
        number="coop-7", valid_from=dt.date(2025, 1, 1))
    again = await db_session.scalar(select(PurchaseOrder).where(PurchaseOrder.id == order.id)
                                    .execution_options(populate_existing=True))
    assert again is not None
    assert (again.counted_as, again.counted_certificate_id, again.counted_amount) == (
        EnterpriseType.CERTIFIED_SOCIAL, world.certificate.id, 4_400_000)

    approved = (await db_session.scalars(select(OutboxEvent).where(
        OutboxEvent.name == "procurement.order_approved"))).all()
    assert [e.payload["counted_as"] for e in approved] == ["certified_social"]
    assert approved[0].payload["lines"] == [
        {"category": "food", "description": "친환경 도시락", "quantity": 400,
         "unit_price": 10_000}]


async def test_an_order_the_day_after_the_certificate_ended_counts_as_general(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    order = await world.approved(db_session, quantity=400, unit_price=10_000,
                                 contract_date=dt.date(2025, 3, 10))
    assert order.counted_as is None
    assert order.counted_certificate_id is None
    assert order.counted_amount == 4_400_000
    assert "2025-03-09에 유효기간이 끝났습니다" in order.counted_reason

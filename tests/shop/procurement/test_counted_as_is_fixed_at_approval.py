"""Approval fixes which certificate an order counted under, ``counted_as`` and the counted
amount; a later change of the vendor's certificates changes nothing of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.outbox import OutboxEvent
from shop.catalog.taxonomy import Category
from shop.procurement import certificate_history, yearly_report
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


async def test_pre_certified_until_june_and_certified_from_july_count_apart(
    db_session: AsyncSession,
) -> None:
    """예비 사회적기업 until 2025-06-30, 인증 from 2025-07-01: orders of 5,000,000 on 06-15 and
    3,000,000 on 07-15 appear in the yearly report as 예비 5,000,000 and 인증 3,000,000."""
    world = await make_world(db_session)
    for kind, number, start, end in (
            ("pre_social_regional", "예비-2024-7", dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
            ("certified_social", "2025-0418", dt.date(2025, 7, 1), None)):
        await certificate_history.record_certificate(
            db_session, world.admin, world.vendor.id, enterprise_type=kind, number=number,
            valid_from=start, valid_to=end, vulnerable_share_bp=1000)
    # Totals incl. VAT: 4,545,455 + 454,545 and 2,727,273 + 272,727.
    june = await world.approved(db_session, quantity=1, unit_price=4_545_455,
                                contract_date=dt.date(2025, 6, 15))
    july = await world.approved(db_session, quantity=1, unit_price=2_727_273,
                                contract_date=dt.date(2025, 7, 15))
    assert (june.counted_as, june.counted_amount) == (
        EnterpriseType.PRE_SOCIAL_REGIONAL, 5_000_000)
    assert (july.counted_as, july.counted_amount) == (EnterpriseType.CERTIFIED_SOCIAL, 3_000_000)
    report = await yearly_report.yearly_report(db_session, world.institution.id, 2025,
                                               as_of=dt.date(2099, 12, 31))
    assert report.amounts == {(Category.FOOD, EnterpriseType.PRE_SOCIAL_REGIONAL): 5_000_000,
                              (Category.FOOD, EnterpriseType.CERTIFIED_SOCIAL): 3_000_000}

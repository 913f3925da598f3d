"""The yearly results report: target 6,000,000,000 and counted 7,540,000,000 is 125.7 %;
with 100,000,000,000 of purchases the social-economy share is 7.54 %. The purchases count as
approval fixed them, by item and enterprise type, per department and for the institution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shop.catalog.taxonomy import Category
from shop.procurement import exception_register, ordering, plans, yearly_report
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.models import PurchaseMethod, PurchaseOrder
from shop.procurement.plan_rules import PlanFigures, PlanLineInput
from shop.procurement.yearly_report import Result
from shop.vendors.types import EnterpriseType
from tests.shop.procurement.world import World, make_world


def test_the_ordinance_example_rates() -> None:
    result = Result("성북구청", 100_000_000_000, 6_000_000_000, 100_000_000_000,
                    7_540_000_000)
    assert result.achievement == Decimal("125.7")
    assert result.share == Decimal("7.54")
    assert result.target_rate == Decimal("6.00")
    assert Result("부서", 0, 0, 0, 0).achievement is None


async def _counted_order(session: AsyncSession, world: World, n: int, total: int,
                         counted_as: EnterpriseType | None, on: dt.date) -> None:
    """An approved order as approval leaves it (each under PostgreSQL's INTEGER)."""
    supply = -(-total * 10 // 11)
    assert supply + supply // 10 == total
    session.add(PurchaseOrder(
        number=f"T-{n:04d}", institution_id=world.institution.id,
        department_id=world.department.id, vendor_id=world.vendor.id,
        requester_id=world.requester.id, title="연간 구매", category=Category.FOOD,
        method=PurchaseMethod.MULTIPLE_QUOTES, quotes=2, estimated_price=supply,
        supply_amount=supply, vat_amount=supply // 10, contract_date=on,
        status=PurchaseOrderStatus.APPROVED, approvals_required=2,
        approved_at=dt.datetime.combine(on, dt.time(3), tzinfo=dt.UTC),
        counted_as=counted_as, counted_amount=total, counted_reason=""))


async def test_results_against_the_plan_for_the_institution_and_its_department(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    plan = await plans.draft_plan(db_session, world.admin, world.institution.id, 2025,
                                  PlanFigures(100_000_000_000, 6_000_000_000, (
                                      PlanLineInput(world.department.id, "food",
                                                    80_000_000_000, 5_000_000_000),)))
    plan_id = plan.id
    await plans.submit(db_session, world.admin, plan_id)
    await plans.publish(db_session, world.admin, plan_id,
                        at=dt.datetime(2025, 1, 3, tzinfo=dt.UTC))
    for n in range(4):  # 4 × 1,885,000,000 = 7,540,000,000 counted as social economy
        await _counted_order(db_session, world, n, 1_885_000_000,
                             EnterpriseType.CERTIFIED_SOCIAL, dt.date(2025, 3, n + 1))
    for n in range(46):  # 46 × 2,010,000,000 = 92,460,000,000 of general purchases
        await _counted_order(db_session, world, 100 + n, 2_010_000_000, None,
                             dt.date(2025, 4 + n % 8, 10))
    await _counted_order(db_session, world, 999, 1_000_000, None, dt.date(2024, 12, 31))
    await db_session.commit()
    await exception_register.record_entry(
        db_session, world.requester, world.institution.id, department_id=world.department.id,
        category="food", reason="emergency", decided_on=dt.date(2025, 4, 10))

    report = await yearly_report.yearly_report(db_session, world.institution.id, 2025,
                                               as_of=dt.date(2026, 1, 15))
    result = report.institution_result
    assert (result.target_amount, result.counted_amount, result.total_purchases) == (
        6_000_000_000, 7_540_000_000, 100_000_000_000)
    assert (result.achievement, result.share) == (Decimal("125.7"), Decimal("7.54"))
    assert yearly_report.percent_text(result.achievement) == "125.7 %"
    [department] = report.department_results
    assert (department.name, department.target_amount, department.counted_amount) == (
        "사회적경제과", 5_000_000_000, 7_540_000_000)
    assert department.achievement == Decimal("150.8")
    assert report.amounts == {
        (Category.FOOD, EnterpriseType.CERTIFIED_SOCIAL): 7_540_000_000,
        (Category.FOOD, None): 92_460_000_000}
    assert report.months[2].social_economy == 7_540_000_000  # March
    assert report.late  # published 3 January
    assert [e.reason.value for e in report.exceptions] == ["emergency"]


async def test_a_cancelled_order_and_an_inspection_shortfall_count_as_disclosures_do(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    kept = await world.approved(db_session, quantity=400, unit_price=11_000,
                                contract_date=dt.date(2025, 3, 9))
    await world.inspected(db_session, kept, accepted=300)
    cancelled = await world.approved(db_session, quantity=100, unit_price=10_000,
                                     contract_date=dt.date(2025, 3, 9))
    await ordering.cancel_order(db_session, world.requester, cancelled.id, "행사 취소")
    general = await world.approved(db_session, quantity=10, unit_price=10_000,
                                   contract_date=dt.date(2025, 3, 10))
    assert general.counted_as is None

    report = await yearly_report.yearly_report(db_session, world.institution.id, 2025)
    assert report.plan is None and report.late
    result = report.institution_result
    # 300 × 11,000 accepted = 3,300,000 + 330,000 VAT; the general order 110,000.
    assert (result.counted_amount, result.total_purchases) == (3_630_000, 3_740_000)
    assert result.achievement is None and result.share == Decimal("97.06")

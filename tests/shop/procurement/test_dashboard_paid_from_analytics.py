"""The institution dashboard's second side: what the institution paid, month by month, read
from analytics (``institution_monthly_totals``), cumulated against the plan's yearly target,
next to the official counted figures of the yearly report, each side saying which it is."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.services import issue_token
from shop.analytics import facts
from shop.analytics.public_body import InstitutionMonth
from shop.procurement import institution_dashboard
from shop.procurement.events import EventLine, OrderPaid
from tests.fixtures.apps import login
from tests.shop.analytics.conftest import envelope
from tests.shop.procurement.world import World, make_world


def test_paid_months_cumulate_social_economy_against_the_target() -> None:
    months = [InstitutionMonth(dt.date(2025, m, 1), 0, 0, 0, {}) for m in range(1, 13)]
    months[3] = InstitutionMonth(dt.date(2025, 4, 1), 3_740_000, 1, 1,
                                 {"certified_social": 3_740_000})
    months[5] = InstitutionMonth(dt.date(2025, 6, 1), 2_200_000, 1, 1, {"": 2_200_000})
    months[6] = InstitutionMonth(dt.date(2025, 7, 1), 6_600_000, 2, 2,
                                 {"certified_social": 5_500_000, "": 1_100_000})
    rows = institution_dashboard.paid_rows(months, 10_000_000)
    assert [r.cumulative for r in rows][2:8] == [0, 3_740_000, 3_740_000, 3_740_000,
                                                 9_240_000, 9_240_000]
    assert (rows[6].social_economy, rows[6].total, rows[6].target) == (
        5_500_000, 6_600_000, 10_000_000)
    assert institution_dashboard.paid_type_rows(months) == [
        ("certified_social", "인증 사회적기업", 9_240_000), ("", "일반 구매", 3_300_000)]


def _paid(world: World, n: int, amount: int, on: str, counted_as: str | None,
          institution_id: int | None = None) -> OrderPaid:
    supply = -(-amount * 10 // 11)
    return OrderPaid(
        id=900 + n, number=f"PO-2025-{n:04d}",
        institution_id=institution_id or world.institution.id, institution_name="성북구청",
        department_id=world.department.id, department_name="사회적경제과",
        vendor_id=world.vendor.id, requester_id=world.requester.id, method="single_quote",
        contract_date=on, status="paid", counted_as=counted_as, counted_certificate_id=None,
        counted_amount=amount, estimated_price=supply, supply_amount=supply,
        vat_amount=supply // 10, total=amount,
        lines=(EventLine(category="food", description="도시락", quantity=1, unit_price=supply),),
        payment_id=900 + n, paid_on=on, amount=amount, bank_reference=f"KB-{n}", invoice_id=n)


async def test_the_dashboard_shows_paid_amounts_from_analytics_against_the_target(
    client: AsyncTestClient[Litestar], db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    await world.published_plan(db_session, planned_total=50_000_000, target_amount=10_000_000)
    # Official side: one order contracted 2025-03-09, 400 × 11,000 + VAT = 4,840,000.
    await world.approved(db_session, quantity=400, unit_price=11_000,
                         contract_date=dt.date(2025, 3, 9))
    at = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
    for event in (_paid(world, 1, 3_740_000, "2025-04-20", "certified_social"),
                  _paid(world, 2, 2_200_000, "2025-06-05", None),
                  _paid(world, 3, 5_500_000, "2025-07-31", "certified_social"),
                  _paid(world, 4, 1_100_000, "2025-07-02", None),
                  _paid(world, 5, 9_900_000, "2025-07-02", "certified_social",
                        institution_id=world.institution.id + 1000),
                  _paid(world, 6, 7_700_000, "2024-12-30", "certified_social")):
        assert await facts.consume(db_session, envelope(event.name, event.to_payload(), at)) == 1

    token = await issue_token(db_session, world.requester)
    await db_session.commit()
    board = (await client.get(
        f"/api/procurement/institutions/{world.institution.id}/dashboard?year=2025",
        headers={"Authorization": f"Bearer {token}"})).json()
    assert board["basis"].startswith("공식 실적: 계약일 기준")
    assert board["months"][2]["cumulative_social_economy"] == 4_840_000
    paid = board["paid"]
    assert paid["basis"].startswith("지급 실적") and paid["target_amount"] == 10_000_000
    assert [m["cumulative_social_economy"] for m in paid["months"]] == [
        0, 0, 0, 3_740_000, 3_740_000, 3_740_000, 9_240_000, 9_240_000, 9_240_000,
        9_240_000, 9_240_000, 9_240_000]
    july = paid["months"][6]
    assert (july["social_economy"], july["total"], july["target"]) == (
        5_500_000, 6_600_000, 10_000_000)
    assert july["by_counted_as"] == {"certified_social": 5_500_000, "": 1_100_000}
    assert [(t["enterprise_type"], t["amount"]) for t in paid["by_counted_as"]] == [
        ("certified_social", 9_240_000), ("general", 3_300_000)]

    await login(client, world.requester.email)
    page = await client.get(
        f"/procurement/dashboard?institution={world.institution.id}&year=2025")
    assert page.status_code == 200, page.text
    assert page.text.count("data-chart") == 3 and 'id="paid-months"' in page.text
    assert "지급 실적 (분석 집계)" in page.text and 'id="official-basis"' in page.text
    assert "9,240,000원" in page.text and "UTC" not in page.text

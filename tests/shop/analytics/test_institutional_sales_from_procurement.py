"""The payment of a purchase order, as public buying really records it (``OrderPaid``), books
institutional sales on the Seoul day it was paid, for exactly what was paid."""

from __future__ import annotations

import datetime as dt

from shop.analytics import facts
from shop.analytics.models import Channel
from shop.procurement.events import EventLine, OrderPaid
from tests.shop.analytics.conftest import (
    AnalyticsWorld,
    Factory,
    consume_all,
    daily_net,
    envelope,
)


def order_paid(vendor_id: int) -> OrderPaid:
    # 300 of 400 accepted at 11,000 and 2 × 50,000: supply 3,400,000, VAT 340,000.
    return OrderPaid(
        id=9, number="PO-2025-0009", institution_id=1, institution_name="성북구청",
        department_id=2, department_name="일자리정책과", vendor_id=vendor_id, requester_id=5,
        method="single_quote", contract_date="2025-05-02", status="paid",
        counted_as="certified_social", counted_certificate_id=3, counted_amount=3_740_000,
        estimated_price=4_500_000, supply_amount=4_500_000, vat_amount=450_000,
        total=4_950_000,
        lines=(EventLine(category="food", description="수제 쿠키 선물세트", quantity=400,
                         unit_price=11_000),
               EventLine(category="office_it", description="재생 복사지", quantity=2,
                         unit_price=50_000)),
        payment_id=4, paid_on="2025-05-20", amount=3_740_000, bank_reference="KB-0520-01",
        invoice_id=6,
    )


async def test_a_recorded_payment_counts_what_was_paid_on_its_seoul_day(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    vendor = world.vendors[1]
    event = order_paid(vendor.id)
    # Recorded at 23:30 UTC on 05-19, which is already 05-20 in Seoul; paid_on says 05-20.
    paid = envelope(event.name, event.to_payload(), dt.datetime(2025, 5, 19, 23, 30, tzinfo=dt.UTC))
    assert await consume_all(session_factory, [paid, paid]) == 2
    async with session_factory() as session:
        assert await daily_net(session, vendor.id, Channel.INSTITUTIONAL) == {
            dt.date(2025, 5, 20): 3_740_000}
        lines = await facts.facts_of(session, "procurement_line")
        # 3,740,000 split by supply value 4,400,000 : 100,000, adding up exactly.
        assert [f.net_amount for f in lines] == [3_656_889, 83_111]
        assert sum(f.net_amount for f in lines) == 3_740_000
        assert {(f.institution, f.department, f.counted_as) for f in lines} == {
            ("성북구청", "일자리정책과", "certified_social")}

"""400 units × 11,000 won ordered, 300 accepted: an invoice of 4,400,000 won is refused,
3,300,000 approved, and any invoice before inspection gets 409. Payment closes the order and
records ``procurement.order_paid`` with what analytics needs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import Conflict
from infra.outbox import OutboxEvent
from shop.procurement import invoicing, receiving
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.inspection import InspectionOutcome
from shop.procurement.models import PurchaseOrder
from tests.shop.procurement.world import make_world


async def test_the_invoice_is_held_to_the_accepted_quantities(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    order = await world.approved(db_session, quantity=400, unit_price=11_000,
                                 contract_date=dt.date(2025, 3, 5))
    order_id, line_id = order.id, order.lines[0].id  # a refusal rolls back and expires rows
    await receiving.deliver(db_session, world.requester, order_id,
                            delivered_on=dt.date(2025, 3, 10))

    with pytest.raises(Conflict) as early:
        await invoicing.approve_invoice(db_session, world.accountant, order_id,
                                        number="20250310-1", supply=3_300_000, vat=330_000)
    assert early.value.code == "invoice_before_inspection"

    with pytest.raises(Conflict) as self_inspection:
        await receiving.inspect(db_session, world.requester, order_id,
                                {line_id: 300})
    assert self_inspection.value.code in {"procurement_self_inspection"}

    inspected = await receiving.inspect(db_session, world.inspector, order_id,
                                        {line_id: 300},
                                        inspected_on=dt.date(2025, 3, 12))
    assert inspected.outcome is InspectionOutcome.PARTIAL
    assert inspected.accepted_supply == 3_300_000

    with pytest.raises(Conflict) as too_much:
        await invoicing.approve_invoice(db_session, world.accountant, order_id,
                                        number="20250312-1", supply=4_400_000, vat=440_000)
    assert too_much.value.code == "invoice_exceeds_accepted"

    invoice = await invoicing.approve_invoice(db_session, world.accountant, order_id,
                                              number="20250312-1", supply=3_300_000,
                                              vat=330_000)
    assert invoice.total == 3_630_000
    assert (await db_session.get(PurchaseOrder, order_id)).status is PurchaseOrderStatus.INVOICED  # type: ignore[union-attr]

    with pytest.raises(Conflict) as wrong_amount:
        await invoicing.record_payment(db_session, world.accountant, order_id,
                                       amount=4_840_000, bank_reference="KB-1")
    assert wrong_amount.value.code == "payment_amount_mismatch"
    await invoicing.record_payment(db_session, world.accountant, order_id, amount=3_630_000,
                                   bank_reference="KB-20250320-01",
                                   paid_on=dt.date(2025, 3, 20))
    assert (await db_session.get(PurchaseOrder, order_id)).status is PurchaseOrderStatus.PAID  # type: ignore[union-attr]

    paid = await db_session.scalar(
        select(OutboxEvent).where(OutboxEvent.name == "procurement.order_paid"))
    assert paid is not None
    payload = paid.payload
    assert payload["amount"] == 3_630_000
    assert payload["institution_name"] == "성북구청"
    assert payload["department_name"] == "사회적경제과"
    assert payload["vendor_id"] == world.vendor.id
    assert payload["contract_date"] == "2025-03-05"
    assert payload["counted_as"] == "certified_social"
    assert payload["lines"][0]["quantity"] == 400


async def test_the_same_tax_invoice_number_of_a_vendor_is_refused_once_used(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    first = await world.approved(db_session, quantity=10, unit_price=1_000,
                                 contract_date=dt.date(2025, 3, 5))
    second = await world.approved(db_session, quantity=10, unit_price=1_000,
                                  contract_date=dt.date(2025, 3, 5))
    for order in (first, second):
        await world.inspected(db_session, order, accepted=10)
    await invoicing.approve_invoice(db_session, world.accountant, first.id, number="T-1",
                                    supply=10_000, vat=1_000)
    with pytest.raises(Conflict) as duplicate:
        await invoicing.approve_invoice(db_session, world.accountant, second.id, number="T-1",
                                        supply=10_000, vat=1_000)
    assert duplicate.value.code == "invoice_duplicate"

"""A recorded payment of a purchase order enters the vendor's settlement ledger as an
institutional sale (공공구매): the bank transfer in, the vendor owed it net of commission, no
card and no Stripe; written once per order however often the payment is recorded or its
event delivered, also when two accountants record it at the same moment (PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from shop.procurement import invoicing
from shop.procurement.models import PurchaseOrder
from shop.procurement.record_models import ProcurementPayment
from shop.settlement import ledger, rules, services, statements
from shop.settlement.models import Account, LedgerTransaction, TransactionKind
from tests.fixtures.races import race
from tests.shop.procurement.world import World, make_world

Factory = async_sessionmaker[AsyncSession]


async def _invoiced(session: AsyncSession, world: World) -> tuple[int, str]:
    """400 × 11,000 ordered, 300 accepted: invoice 3,300,000 + 330,000 VAT."""
    order = await world.approved(session, quantity=400, unit_price=11_000,
                                 contract_date=dt.date(2025, 3, 5))
    await world.inspected(session, order, 300)
    await invoicing.approve_invoice(session, world.accountant, order.id, number="20250312-1",
                                    supply=3_300_000, vat=330_000)
    return order.id, order.number


async def _deliver_paid(factory: Factory, *, times: int = 1) -> list[bool]:
    """Hand ``procurement.order_paid`` to the ledger consumer ``times`` at once."""
    async with factory() as session:
        rows = (await session.scalars(select(OutboxEvent).where(
            OutboxEvent.name == "procurement.order_paid"))).all()
        envelopes = [row.envelope() for row in rows]

    async def consume(envelope: object) -> bool:
        async with factory() as session:
            return await ledger.consume(session, envelope)  # type: ignore[arg-type]

    return list(await asyncio.gather(*(consume(e) for e in envelopes * times)))


async def test_a_recorded_payment_is_the_vendors_institutional_sale(
    db_session: AsyncSession, session_factory: Factory,
) -> None:
    world = await make_world(db_session)
    order_id, number = await _invoiced(db_session, world)
    await invoicing.record_payment(db_session, world.accountant, order_id, amount=3_630_000,
                                   bank_reference="KB-20250320-01",
                                   paid_on=dt.date(2025, 3, 20))
    assert await _deliver_paid(session_factory) == [True]
    assert await _deliver_paid(session_factory) == [False]  # a redelivery writes nothing

    async with session_factory() as session:
        [sale] = (await session.scalars(select(LedgerTransaction))).all()
        assert (sale.kind, sale.key, sale.order_number, sale.vendor_order_id) == (
            TransactionKind.INSTITUTIONAL_SALE, f"sale:purchase_order:{order_id}", number, None)
        assert sale.posted and sale.gross == 3_630_000 and sale.delivery == 0
        # 3,630,000 paid by transfer; 5 % commission on food is 181,500; the vendor is owed
        # 3,448,500. No clearing (card) entry at all.
        assert {(e.account, e.category): e.amount for e in sale.entries} == {
            (Account.INSTITUTIONAL_RECEIPTS, None): 3_630_000,
            (Account.VENDOR_PAYABLE, None): -3_448_500,
            (Account.COMMISSION_REVENUE, "food"): -181_500,
        }
        assert "공공구매 성북구청" in sale.description and "KB-20250320-01" in sale.description
        assert await ledger.vendor_balance(session, world.vendor.id) == 3_448_500
        assert (await ledger.verify(session)).ok

        monday = rules.week_of(sale.occurred_at)
        [closed] = await services.close_week(session, monday,
                                             now=sale.occurred_at + dt.timedelta(days=8))
        await session.commit()
        [statement] = closed.statements
        [line] = await statements.lines_of(session, statement.id)
        assert (line.kind.label, line.order_number, line.sales, line.commission,
                line.amount) == ("공공구매", number, 3_630_000, 181_500, 3_448_500)
        csv = statements.csv_bytes(statement, [line]).decode("utf-8-sig")
        assert f"공공구매,{number}," in csv


async def test_two_payments_recorded_at_once_enter_the_ledger_once(
    db_session: AsyncSession, racing_sessions: Factory, session_factory: Factory,
) -> None:
    world = await make_world(db_session)
    order_id, _ = await _invoiced(db_session, world)
    await db_session.commit()

    outcomes = await race(racing_sessions, [
        lambda s, ref=ref: invoicing.record_payment(s, world.accountant, order_id,
                                                    amount=3_630_000, bank_reference=ref,
                                                    paid_on=dt.date(2025, 3, 20))
        for ref in ("KB-1", "KB-2")
    ])
    assert sorted(outcomes) == ["ok", "purchase_order_invalid_transition"]
    # The one event delivered three times at once (a redelivery racing the first delivery).
    assert sorted(await _deliver_paid(racing_sessions, times=3)) == [False, False, True]

    db_session.expunge_all()
    assert await db_session.scalar(select(func.count(ProcurementPayment.id))) == 1
    assert await db_session.scalar(select(func.count(LedgerTransaction.id))) == 1
    assert await ledger.vendor_balance(db_session, world.vendor.id) == 3_448_500
    paid = await db_session.get(PurchaseOrder, order_id)
    assert paid is not None and paid.status.value == "paid"

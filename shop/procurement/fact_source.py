"""Paid purchase orders as a source of sales facts for ``jangteo analytics rebuild --facts``.

Each recorded payment is handed to analytics as the ``procurement.order_paid`` event
:func:`shop.procurement.invoicing.record_payment` records for it (same fields, built by the
same :func:`shop.procurement.access.order_facts`), so a payment whose event never reached
analytics becomes its institutional sale, and one it has already adds nothing.
``infra.bootstrap`` registers :data:`SOURCE` (analytics does not import public buying).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.events import EventEnvelope
from shop.analytics.regenerate import FactSource, page, regenerated
from shop.procurement.access import order_facts
from shop.procurement.events import OrderPaid
from shop.procurement.models import PurchaseOrder
from shop.procurement.record_models import ProcurementPayment


async def read(session: AsyncSession, after: int, first: dt.date, end: dt.date
               ) -> tuple[list[EventEnvelope], int]:
    """The payments with an id above ``after`` paid from ``first`` to before ``end``, as
    events (one page), and the last id read."""
    rows = await page(session, ProcurementPayment, PurchaseOrder,
                      PurchaseOrder.id == ProcurementPayment.order_id, ProcurementPayment.paid_on,
                      after, first, end)
    envelopes = [regenerated(OrderPaid(
        **await order_facts(session, order), payment_id=payment.id,
        paid_on=payment.paid_on.isoformat(), amount=payment.amount,
        bank_reference=payment.bank_reference, invoice_id=payment.invoice_id,
    ), str(payment.id), payment.recorded_at) for payment, order in rows]
    return envelopes, (rows[-1][0].id if rows else 0)


async def span(session: AsyncSession) -> tuple[dt.date, dt.date] | None:
    """The first and last day a purchase order was paid."""
    low, high = (await session.execute(
        select(func.min(ProcurementPayment.paid_on), func.max(ProcurementPayment.paid_on)))).one()
    return None if low is None else (low, high)


SOURCE = FactSource("procurement_payments", read, span)

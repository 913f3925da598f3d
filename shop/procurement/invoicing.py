"""The vendor's tax invoice and the institution's payment of it.

An invoice is approved only after inspection and only up to the accepted quantity × price
(``inspection.check_invoice``: 409 before inspection or above it, 400 for a VAT that does
not match); its number is unique per vendor. The payment (date, amount, bank reference)
must be the invoice's total; it closes the order and tells analytics of an institutional
sale (``OrderPaid``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_today, utcnow
from infra.db import transaction
from infra.errors import Conflict, InvalidInput
from infra.outbox import record
from shop.procurement import inspection as rules
from shop.procurement.access import change_status, lock_order, order_facts, require_role
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import OrderInvoiced, OrderPaid
from shop.procurement.models import ProcurementRole
from shop.procurement.receiving import as_rule, inspection_of
from shop.procurement.record_models import ProcurementInvoice, ProcurementPayment


async def invoice_of(session: AsyncSession, order_id: int) -> ProcurementInvoice | None:
    return await session.scalar(
        select(ProcurementInvoice).where(ProcurementInvoice.order_id == order_id))


async def payment_of(session: AsyncSession, order_id: int) -> ProcurementPayment | None:
    return await session.scalar(
        select(ProcurementPayment).where(ProcurementPayment.order_id == order_id))


async def approve_invoice(
    session: AsyncSession, user: User, order_id: int, *, number: str, supply: int, vat: int,
    issued_on: dt.date | None = None,
) -> ProcurementInvoice:
    """Record and approve the vendor's tax invoice (the institution's accountant)."""
    number = number.strip()
    if not number:
        raise InvalidInput(Code.REQUIRED, "세금계산서 번호를 입력해 주세요.", field="number")
    duplicate = Conflict(Code.DUPLICATE_INVOICE,
                         f"이 기업의 세금계산서 {number}은(는) 이미 등록되었습니다.",
                         field="number")
    async with transaction(session, on_integrity_error=duplicate):
        order = await lock_order(session, order_id)
        await require_role(session, user, order.institution_id, ProcurementRole.ACCOUNTANT)
        inspected = await inspection_of(session, order.id)
        # 409 before inspection, 409 above the accepted supply, 400 for a wrong VAT.
        rules.check_invoice(rules.Invoice(supply, vat),
                            as_rule(order, inspected) if inspected else None)
        now = utcnow()
        change_status(session, order, PurchaseOrderStatus.INVOICED, actor=user,
                      reason=f"세금계산서 {number}", at=now)
        row = ProcurementInvoice(order_id=order.id, vendor_id=order.vendor_id, number=number,
                                 issued_on=issued_on or seoul_today(), supply_amount=supply,
                                 vat_amount=vat, approved_by=user.id, approved_at=now)
        session.add(row)
        await session.flush()
        record(session, OrderInvoiced(
            **await order_facts(session, order, user), invoice_id=row.id, invoice_number=number,
            invoice_supply=supply, invoice_vat=vat))
    return row


async def record_payment(
    session: AsyncSession, user: User, order_id: int, *, amount: int, bank_reference: str,
    paid_on: dt.date | None = None,
) -> ProcurementPayment:
    """Record the bank transfer that paid the approved invoice (the accountant)."""
    bank_reference = bank_reference.strip()
    if not bank_reference:
        raise InvalidInput(Code.REQUIRED, "이체 참조 번호를 입력해 주세요.", field="bank_reference")
    async with transaction(session):
        order = await lock_order(session, order_id)
        await require_role(session, user, order.institution_id, ProcurementRole.ACCOUNTANT)
        invoice = await invoice_of(session, order.id)
        if invoice is None:
            raise Conflict(Code.NOT_INVOICED, "승인된 세금계산서가 없어 지급할 수 없습니다.",
                           field="invoice")
        if amount != invoice.total:
            raise Conflict(Code.PAYMENT_AMOUNT_MISMATCH,
                           f"지급액은 세금계산서 합계 {invoice.total:,}원이어야 합니다.",
                           field="amount", extra={"invoice_total": invoice.total})
        now = utcnow()
        change_status(session, order, PurchaseOrderStatus.PAID, actor=user,
                      reason=f"이체 {bank_reference}", at=now)
        payment = ProcurementPayment(
            order_id=order.id, invoice_id=invoice.id, paid_on=paid_on or seoul_today(),
            amount=amount, bank_reference=bank_reference, recorded_by=user.id, recorded_at=now)
        session.add(payment)
        await session.flush()
        record(session, OrderPaid(
            **await order_facts(session, order, user), payment_id=payment.id,
            paid_on=payment.paid_on.isoformat(), amount=amount, bank_reference=bank_reference,
            invoice_id=invoice.id))
    return payment


"""The OCDS release package of every public order, read from the database.

An order is public once submitted (a draft is the requester's own working copy). Its events
for the export: the request (tender) when submitted; award and contract when approved;
payment; cancellation. The rest is ``shop.procurement.ocds``'s.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import as_utc, utcnow
from infra.errors import NotFound
from shop.procurement import ocds
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import Institution, PurchaseOrder, VendorCertificate
from shop.procurement.record_models import ProcurementPayment
from shop.vendors.models import Vendor

K = ocds.OrderEventKind


def _events(order: PurchaseOrder, payment: ProcurementPayment | None) -> tuple[ocds.OrderEvent,
                                                                               ...]:
    assert order.submitted_at is not None
    events = [ocds.OrderEvent(K.QUOTES_REQUESTED, as_utc(order.submitted_at))]
    if order.approved_at is not None:
        approved = as_utc(order.approved_at)
        events += [ocds.OrderEvent(K.AWARDED, approved), ocds.OrderEvent(K.CONTRACTED, approved)]
    if payment is not None:
        events.append(ocds.OrderEvent(K.PAID, as_utc(payment.recorded_at), payment.amount))
    if order.cancelled_at is not None:
        events.append(ocds.OrderEvent(K.CANCELLED, as_utc(order.cancelled_at)))
    return tuple(events)


async def export_orders(session: AsyncSession) -> list[ocds.ExportOrder]:
    rows = (await session.execute(
        select(PurchaseOrder, Institution, Vendor, VendorCertificate, ProcurementPayment)
        .join(Institution, Institution.id == PurchaseOrder.institution_id)
        .join(Vendor, Vendor.id == PurchaseOrder.vendor_id)
        .outerjoin(VendorCertificate,
                   VendorCertificate.id == PurchaseOrder.counted_certificate_id)
        .outerjoin(ProcurementPayment, ProcurementPayment.order_id == PurchaseOrder.id)
        .where(PurchaseOrder.submitted_at.is_not(None))
        .order_by(PurchaseOrder.id)
    )).all()
    return [
        ocds.ExportOrder(
            order_id=order.number,
            title=order.title,
            buyer=ocds.Organisation(f"KR-BRN-{institution.business_registration_number}",
                                    institution.name),
            supplier=ocds.Supplier(
                f"KR-BRN-{vendor.business_registration_number}", vendor.name,
                enterprise_type=order.counted_as,
                certificate_number=certificate.number if certificate else None),
            method=order.method.contracting,
            quotes=order.quotes,
            category=order.category,
            lines=tuple(ocds.ExportLine(str(line.id), line.description, line.quantity,
                                        line.unit_price) for line in order.lines),
            events=_events(order, payment),
        )
        for order, institution, vendor, certificate, payment in rows
    ]


async def release_package(session: AsyncSession, *, uri: str) -> dict[str, Any]:
    """Every release of every public order; 404 while there is none (a package needs one)."""
    orders = await export_orders(session)
    if not orders:
        raise NotFound(Code.NO_PUBLIC_ORDERS, "아직 공개된 구매가 없습니다.", field="orders")
    return ocds.export(orders, uri=uri, published_at=utcnow())

"""What a vendor sees of its orders from public bodies (기관 주문): read-only.

Every purchase order naming the vendor once it left the buyer's drafts (a draft is the
buyer's own working copy), with where it stands: approval, delivery, inspection (accepted
amount), the approved tax invoice and the payment. The buyer's side keeps acting through its
own pages; the vendor is told, not asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import NotFound
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.invoicing import invoice_of, payment_of
from shop.procurement.models import Department, Institution, PurchaseOrder
from shop.procurement.receiving import delivered_quantities, deliveries_of, inspection_of
from shop.procurement.record_models import (
    Delivery,
    Inspection,
    ProcurementInvoice,
    ProcurementPayment,
)


@dataclass(frozen=True)
class InstitutionalOrder:
    order: PurchaseOrder
    institution: str
    department: str
    deliveries: list[Delivery]
    delivered: dict[int, int]
    inspection: Inspection | None
    invoice: ProcurementInvoice | None
    payment: ProcurementPayment | None

    @property
    def accepted(self) -> dict[int, int]:
        if self.inspection is None:
            return {}
        return {line.order_line_id: line.accepted_quantity for line in self.inspection.lines}


def _visible(vendor_id: int) -> list[object]:
    return [PurchaseOrder.vendor_id == vendor_id,
            PurchaseOrder.status != PurchaseOrderStatus.DRAFT]


async def orders_of_vendor(
    session: AsyncSession, vendor_id: int
) -> list[tuple[PurchaseOrder, str, str]]:
    """The vendor's institutional orders, newest first, with institution and department."""
    rows = (await session.execute(
        select(PurchaseOrder, Institution.name, Department.name)
        .join(Institution, Institution.id == PurchaseOrder.institution_id)
        .join(Department, Department.id == PurchaseOrder.department_id)
        .where(*_visible(vendor_id))  # type: ignore[arg-type]
        .order_by(PurchaseOrder.contract_date.desc(), PurchaseOrder.id.desc()))).all()
    return [(o, i, d) for o, i, d in rows]


async def institutional_order(
    session: AsyncSession, vendor_id: int, order_id: int
) -> InstitutionalOrder:
    """One order of the vendor's with its delivery, inspection, invoice and payment (404 for
    another vendor's order or a draft)."""
    row = (await session.execute(
        select(PurchaseOrder, Institution.name, Department.name)
        .join(Institution, Institution.id == PurchaseOrder.institution_id)
        .join(Department, Department.id == PurchaseOrder.department_id)
        .where(PurchaseOrder.id == order_id, *_visible(vendor_id)))).first()  # type: ignore[arg-type]
    if row is None:
        raise NotFound(Code.ORDER_NOT_FOUND, "이 기업의 기관 주문이 아닙니다.", field="order_id")
    order, institution, department = row
    return InstitutionalOrder(
        order=order, institution=institution, department=department,
        deliveries=await deliveries_of(session, order.id),
        delivered=await delivered_quantities(session, order.id),
        inspection=await inspection_of(session, order.id),
        invoice=await invoice_of(session, order.id),
        payment=await payment_of(session, order.id),
    )

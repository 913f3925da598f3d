"""Placing a purchase order: draft it, submit it for approval, or cancel it.

The contracting rule decides at drafting whether the order may be placed as asked: a
single-quote (or direct) order above the vendor's ceiling is refused with the 409 that names
the rule (``contracting.contracting_method``), using the vulnerable-employee share of the
vendor's certificate valid on the contract date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_date, seoul_today, utcnow
from infra.db import transaction
from infra.errors import Conflict, Forbidden, InvalidInput, NotFound, Problems
from infra.outbox import record
from shop.procurement import item_lines
from shop.procurement.access import (
    change_status,
    department_of,
    institution_or_404,
    lock_order,
    order_facts,
    require_role,
    roles_of,
)
from shop.procurement.amounts import amounts_of, line_supply
from shop.procurement.certificate_history import certificates_of
from shop.procurement.certificates import vulnerable_share_on
from shop.procurement.contracting import (
    DEFAULT_SETTINGS,
    ContractingSettings,
    PurchaseOrderStatus,
    approvers_required,
    contracting_method,
)
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import OrderCancelled, OrderSubmitted
from shop.procurement.models import (
    ProcurementRole,
    PurchaseMethod,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatusChange,
)
from shop.vendors.models import Vendor


@dataclass(frozen=True)
class LineInput:
    category: str
    description: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class OrderInput:
    institution_id: int
    department_id: int
    vendor_id: int
    title: str
    method: str
    lines: tuple[LineInput, ...]
    quotes: int = 1
    #: 추정가격 before VAT; the lines' supply when not given.
    estimated_price: int | None = None
    #: 계약일 (Seoul); today when not given.
    contract_date: dt.date | None = None


def _clean_lines(problems: Problems, lines: tuple[LineInput, ...]) -> list[PurchaseOrderLine]:
    cleaned = []
    for position, field, category, line in item_lines.checked(problems, lines):
        if line.unit_price < 0:
            problems.add(Code.INVALID_AMOUNT, f"{field}.unit_price", "단가는 0 이상이어야 합니다.")
        cleaned.append(PurchaseOrderLine(
            position=position, category=category, description=line.description.strip(),
            quantity=line.quantity, unit_price=line.unit_price))
    return cleaned


async def create_order(
    session: AsyncSession, requester: User, data: OrderInput,
    settings: ContractingSettings = DEFAULT_SETTINGS,
) -> PurchaseOrder:
    """A draft order of a requester of the institution (400 for bad input, 409 by rule)."""
    async with transaction(session):
        return await draft_order(session, requester, data, settings)


async def draft_order(
    session: AsyncSession, requester: User, data: OrderInput,
    settings: ContractingSettings = DEFAULT_SETTINGS,
) -> PurchaseOrder:
    """:func:`create_order` inside the caller's transaction (an award drafts its order in
    the same transaction that marks the quote awarded)."""
    problems = Problems()
    title = data.title.strip()
    if not title:
        problems.add(Code.REQUIRED, "title", "주문 제목을 입력해 주세요.")
    try:
        method: PurchaseMethod | None = PurchaseMethod(data.method)
    except ValueError:
        method = None
        problems.add(Code.REQUIRED, "method", "구매 방법을 골라 주세요.")
    lines = _clean_lines(problems, data.lines)
    if method is PurchaseMethod.MULTIPLE_QUOTES and data.quotes < 2:
        problems.add(Code.NO_QUOTE, "quotes", "2인 이상 견적은 견적이 2건 이상이어야 합니다.")
    if data.estimated_price is not None and data.estimated_price < 0:
        problems.add(Code.INVALID_AMOUNT, "estimated_price", "추정가격은 0 이상이어야 합니다.")
    problems.raise_if_any()
    assert method is not None

    supply = sum(line_supply(line.quantity, line.unit_price) for line in lines)
    amounts = amounts_of(supply)
    estimated = supply if data.estimated_price is None else data.estimated_price
    contract_date = data.contract_date or seoul_today()
    quotes = data.quotes if method is PurchaseMethod.MULTIPLE_QUOTES else 1

    await institution_or_404(session, data.institution_id)
    await require_role(session, requester, data.institution_id, ProcurementRole.REQUESTER)
    await department_of(session, data.institution_id, data.department_id)
    vendor = await session.get(Vendor, data.vendor_id)
    if vendor is None:
        raise NotFound(Code.VENDOR_NOT_FOUND, "입점기업을 찾을 수 없습니다.",
                       field="vendor_id")
    if not vendor.can_sell:
        raise Conflict(Code.VENDOR_CANNOT_SELL, f"{vendor.name}은(는) 지금 판매할 수 없습니다.",
                       field="vendor_id")
    certificates = [row.rule() for row in await certificates_of(session, vendor.id)]
    share = vulnerable_share_on(certificates, contract_date)
    # 409 naming the ceiling when a single quote is not enough.
    contracting_method(estimated, quotes, share, settings)

    order = PurchaseOrder(
        number=f"tmp-{uuid.uuid4().hex}", institution_id=data.institution_id,
        department_id=data.department_id, vendor_id=vendor.id, requester_id=requester.id,
        title=title, category=lines[0].category, method=method, quotes=quotes,
        estimated_price=estimated, supply_amount=amounts.supply, vat_amount=amounts.vat,
        contract_date=contract_date, status=PurchaseOrderStatus.DRAFT,
        approvals_required=approvers_required(estimated, settings), lines=lines,
    )
    session.add(order)
    await session.flush()
    order.number = f"PO-{contract_date.year}-{order.institution_id:03d}-{order.id:06d}"
    session.add(PurchaseOrderStatusChange(
        order_id=order.id, actor_id=requester.id, from_status=None,
        to_status=PurchaseOrderStatus.DRAFT, reason="작성", changed_at=utcnow()))
    return order


async def submit_order(session: AsyncSession, user: User, order_id: int) -> PurchaseOrder:
    """The requester sends the draft for approval (결재 상신)."""
    async with transaction(session):
        order = await lock_order(session, order_id)
        if order.requester_id != user.id:
            raise Forbidden(Code.NOT_A_MEMBER, "요청자만 결재를 올릴 수 있습니다.", field="user")
        await send_for_approval(session, user, order)
    return order


async def send_for_approval(session: AsyncSession, user: User, order: PurchaseOrder,
                            reason: str = "결재 상신") -> None:
    """Move a (locked or just drafted) order to approval, in the caller's transaction."""
    now = utcnow()
    change_status(session, order, PurchaseOrderStatus.PENDING_APPROVAL, actor=user,
                  reason=reason, at=now)
    order.submitted_at = now
    record(session, OrderSubmitted(**await order_facts(session, order, user),
                                   approvals_required=order.approvals_required))


async def cancel_order(
    session: AsyncSession, user: User, order_id: int, reason: str,
    *, at: dt.datetime | None = None,
) -> PurchaseOrder:
    """Cancel before delivery (the requester, an approver or the institution admin)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(Code.REQUIRED, "취소 사유를 입력해 주세요.", field="reason")
    at = at or utcnow()
    async with transaction(session):
        order = await lock_order(session, order_id)
        allowed = {ProcurementRole.APPROVER, ProcurementRole.INSTITUTION_ADMIN}
        if order.requester_id != user.id and not (
            await roles_of(session, user, order.institution_id) & allowed
        ):
            raise Forbidden(Code.NOT_A_MEMBER, "요청자, 결재자, 기관 관리자만 취소할 수 있습니다.",
                            field="user")
        previous = change_status(session, order, PurchaseOrderStatus.CANCELLED, actor=user,
                                 reason=reason, at=at)
        order.cancelled_at = at
        record(session, OrderCancelled(
            **await order_facts(session, order, user), previous_status=previous.value,
            reason=reason, cancelled_on=seoul_date(at).isoformat()))
    return order

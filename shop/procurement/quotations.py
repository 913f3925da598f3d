"""Asking for quotes (견적 요청): a department's requester sends items, quantities, delivery
place and date, the estimated price before VAT and a deadline to chosen vendors, or to every
approved vendor selling in a category or strategic item.

The deadline is a moment in Seoul time: a time given without an offset is read as Seoul
wall-clock time, stored as UTC. The invited vendors are fixed when the request is sent; the
``procurement.quote_requested`` event names them, and the mail consumer tells their members.

Also here: the request locked against a concurrent quote or award (:func:`lock_request`), and
what the buyer's and the vendor's lists read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import SEOUL, as_utc, utcnow
from infra.db import dialect_name, transaction
from infra.errors import Conflict, NotFound, Problems
from infra.outbox import record
from shop.catalog.models import Product, ProductStatus
from shop.catalog.taxonomy import Category, StrategicItem
from shop.procurement import item_lines
from shop.procurement.access import department_of, institution_or_404, require_role
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import ProcurementRole
from shop.procurement.quotation_events import QuoteRequested, QuoteRequestLineFacts
from shop.procurement.quotation_models import (
    InvitationBasis,
    QuoteInvitation,
    QuoteRequest,
    QuoteRequestLine,
    QuoteRequestStatus,
)
from shop.vendors.models import Vendor, VendorStatus

MAX_UNIT_LENGTH = 20


@dataclass(frozen=True)
class RequestLineInput:
    category: str
    description: str
    quantity: int
    unit: str


@dataclass(frozen=True)
class QuoteRequestInput:
    institution_id: int
    department_id: int
    title: str
    lines: tuple[RequestLineInput, ...]
    delivery_place: str
    delivery_date: dt.date | None
    estimated_price: int | None
    #: Naive: Seoul wall-clock time.
    deadline: dt.datetime | None
    vendor_ids: tuple[int, ...] = ()
    category: str | None = None
    strategic_item: str | None = None


def in_seoul(moment: dt.datetime) -> dt.datetime:
    """An instant from what was typed: a naive time is Seoul wall-clock time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SEOUL).astimezone(dt.UTC)
    return moment.astimezone(dt.UTC)


def _lines(problems: Problems, lines: tuple[RequestLineInput, ...]) -> list[QuoteRequestLine]:
    cleaned = []
    for position, field, category, line in item_lines.checked(problems, lines):
        unit = line.unit.strip()
        if not unit or len(unit) > MAX_UNIT_LENGTH:
            problems.add(Code.REQUIRED, f"{field}.unit",
                         f"단위를 {MAX_UNIT_LENGTH}자 이내로 입력해 주세요 (예: 개, 박스, 식).")
        cleaned.append(QuoteRequestLine(position=position, category=category,
                                        description=line.description.strip(),
                                        quantity=line.quantity, unit=unit))
    return cleaned


def _basis(problems: Problems, data: QuoteRequestInput) -> tuple[InvitationBasis, str]:
    given = [bool(data.vendor_ids), bool(data.category), bool(data.strategic_item)]
    if sum(given) != 1:
        problems.add(Code.REQUIRED, "vendor_ids", "견적을 요청할 기업을 고르거나, "
                     "품목 분류 또는 전략 품목 중 하나를 골라 주세요.")
        return InvitationBasis.VENDORS, ""
    if data.category:
        if data.category not in {c.value for c in Category}:
            problems.add(Code.REQUIRED, "category", "품목 분류를 골라 주세요.")
        return InvitationBasis.CATEGORY, data.category
    if data.strategic_item:
        if data.strategic_item not in {s.value for s in StrategicItem}:
            problems.add(Code.REQUIRED, "strategic_item", "전략 품목을 골라 주세요.")
        return InvitationBasis.STRATEGIC_ITEM, data.strategic_item
    return InvitationBasis.VENDORS, ""


async def vendors_selling(
    session: AsyncSession, *, category: str | None = None, strategic_item: str | None = None
) -> list[int]:
    """Approved vendors with a product on sale in the category or strategic item (by id)."""
    stmt = (select(Product.vendor_id, Product.strategic_items)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(Vendor.status == VendorStatus.APPROVED,
                   Product.status == ProductStatus.PUBLISHED))
    if category:
        stmt = stmt.where(Product.category == Category(category))
    rows = (await session.execute(stmt)).all()
    # Strategic items are a JSON list on the product; read in Python on both databases.
    return sorted({vendor_id for vendor_id, items in rows
                   if strategic_item is None or strategic_item in (items or [])})


async def _invited(
    session: AsyncSession, basis: InvitationBasis, value: str, vendor_ids: tuple[int, ...]
) -> list[int]:
    if basis is InvitationBasis.CATEGORY:
        found = await vendors_selling(session, category=value)
    elif basis is InvitationBasis.STRATEGIC_ITEM:
        found = await vendors_selling(session, strategic_item=value)
    else:
        problems = Problems()
        for i, vendor_id in enumerate(vendor_ids):
            vendor = await session.get(Vendor, vendor_id)
            if vendor is None:
                problems.add(Code.VENDOR_NOT_FOUND, f"vendor_ids[{i}]",
                             "입점기업을 찾을 수 없습니다.", 404)
            elif not vendor.can_sell:
                problems.add(Code.VENDOR_CANNOT_SELL, f"vendor_ids[{i}]",
                             f"{vendor.name}은(는) 지금 판매할 수 없습니다.", 409)
        problems.raise_if_any()
        found = sorted(set(vendor_ids))
    if not found:
        field = "category" if basis is InvitationBasis.CATEGORY else "strategic_item"
        raise Conflict(Code.NO_VENDORS_TO_INVITE,
                       "이 분류의 상품을 판매 중인 승인 기업이 없습니다. 기업을 직접 골라 주세요.",
                       field=field)
    return found


async def request_quotes(
    session: AsyncSession, requester: User, data: QuoteRequestInput,
    *, now: dt.datetime | None = None,
) -> QuoteRequest:
    """Send a request for quotation (400 naming each bad field; 403 without the requester
    role; 409 when nobody can be invited)."""
    now = now or utcnow()
    problems = Problems()
    title = data.title.strip()
    if not title:
        problems.add(Code.REQUIRED, "title", "견적 요청 제목을 입력해 주세요.")
    lines = _lines(problems, data.lines)
    place = data.delivery_place.strip()
    if not place:
        problems.add(Code.REQUIRED, "delivery_place", "납품 장소를 입력해 주세요.")
    if data.estimated_price is None:
        problems.add(Code.REQUIRED, "estimated_price", "추정가격(부가세 별도)을 입력해 주세요.")
    elif data.estimated_price < 0:
        problems.add(Code.INVALID_AMOUNT, "estimated_price", "추정가격은 0 이상이어야 합니다.")
    deadline = in_seoul(data.deadline) if data.deadline is not None else None
    if deadline is None:
        problems.add(Code.REQUIRED, "deadline", "견적 마감 일시를 입력해 주세요.")
    elif deadline <= as_utc(now):
        problems.add(Code.INVALID_DATE, "deadline", "견적 마감은 지금보다 뒤여야 합니다.")
    if data.delivery_date is None:
        problems.add(Code.REQUIRED, "delivery_date", "납품 기한을 입력해 주세요.")
    elif deadline is not None and data.delivery_date < deadline.astimezone(SEOUL).date():
        problems.add(Code.INVALID_DATE, "delivery_date", "납품 기한은 견적 마감일 이후여야 합니다.")
    basis, value = _basis(problems, data)
    problems.raise_if_any()
    assert deadline is not None and data.delivery_date is not None
    assert data.estimated_price is not None

    async with transaction(session):
        institution = await institution_or_404(session, data.institution_id)
        await require_role(session, requester, data.institution_id, ProcurementRole.REQUESTER)
        department = await department_of(session, data.institution_id, data.department_id)
        vendor_ids = await _invited(session, basis, value, data.vendor_ids)
        request = QuoteRequest(
            number=f"tmp-{uuid.uuid4().hex}", institution_id=institution.id,
            department_id=department.id, requester_id=requester.id, title=title,
            delivery_place=place, delivery_date=data.delivery_date,
            estimated_price=data.estimated_price, deadline=deadline, basis=basis,
            basis_value=value, lines=lines,
            invitations=[QuoteInvitation(vendor_id=v) for v in vendor_ids],
        )
        session.add(request)
        await session.flush()
        year = deadline.astimezone(SEOUL).year
        request.number = f"RFQ-{year}-{institution.id:03d}-{request.id:06d}"
        record(session, QuoteRequested(
            id=request.id, number=request.number, institution_id=institution.id,
            institution_name=institution.name, department_id=department.id,
            department_name=department.name, requester_id=requester.id, title=title,
            estimated_price=request.estimated_price, deadline=deadline.isoformat(),
            delivery_place=place, delivery_date=request.delivery_date.isoformat(),
            basis=basis.value, basis_value=value, vendor_ids=tuple(vendor_ids),
            lines=tuple(QuoteRequestLineFacts(
                id=line.id, category=line.category.value, description=line.description,
                quantity=line.quantity, unit=line.unit) for line in request.lines)))
    return request


async def request_or_404(session: AsyncSession, request_id: int) -> QuoteRequest:
    request = await session.get(QuoteRequest, request_id)
    if request is None:
        raise NotFound(Code.QUOTE_REQUEST_NOT_FOUND, "견적 요청을 찾을 수 없습니다.",
                       field="request_id")
    return request


async def lock_request(session: AsyncSession, request_id: int) -> QuoteRequest:
    """The request, locked until the transaction ends, read as last committed (as
    :func:`shop.procurement.access.lock_order`): quotes and awards of one request queue."""
    stmt = select(QuoteRequest).where(QuoteRequest.id == request_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=QuoteRequest)
    else:
        await session.execute(
            update(QuoteRequest).where(QuoteRequest.id == request_id)
            .values(id=QuoteRequest.id).execution_options(synchronize_session=False))
    request = await session.scalar(stmt.execution_options(populate_existing=True))
    if request is None:
        raise NotFound(Code.QUOTE_REQUEST_NOT_FOUND, "견적 요청을 찾을 수 없습니다.",
                       field="request_id")
    return request


def is_open_for_quotes(request: QuoteRequest, at: dt.datetime) -> bool:
    return request.status is QuoteRequestStatus.OPEN and as_utc(at) < as_utc(request.deadline)


async def requests_of_institution(
    session: AsyncSession, user: User, institution_id: int
) -> list[QuoteRequest]:
    """The institution's requests, newest first (its staff only)."""
    await institution_or_404(session, institution_id)
    await require_role(session, user, institution_id, *ProcurementRole)
    rows = await session.scalars(select(QuoteRequest)
                                 .where(QuoteRequest.institution_id == institution_id)
                                 .order_by(QuoteRequest.id.desc()))
    return list(rows.all())


async def requests_for_vendor(session: AsyncSession, vendor_id: int) -> list[QuoteRequest]:
    """Requests addressed to the vendor, the nearest deadline first."""
    rows = await session.scalars(
        select(QuoteRequest)
        .join(QuoteInvitation, QuoteInvitation.request_id == QuoteRequest.id)
        .where(QuoteInvitation.vendor_id == vendor_id)
        .order_by(QuoteRequest.deadline.desc(), QuoteRequest.id.desc()))
    return list(rows.all())


async def invited_request(session: AsyncSession, vendor_id: int, request_id: int) -> QuoteRequest:
    """The request if it was addressed to the vendor (404 otherwise: others' requests are not
    the vendor's business)."""
    request = await session.get(QuoteRequest, request_id)
    if request is None or vendor_id not in request.vendor_ids:
        raise NotFound(Code.QUOTE_REQUEST_NOT_FOUND, "이 기업에 온 견적 요청이 아닙니다.",
                       field="request_id")
    return request

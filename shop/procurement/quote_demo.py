"""Demo request for quotation: 성북구청's requester asks the demo vendor (the one
``vendor@jangteo.kr`` belongs to) and one more approved vendor of the same category for
quotes, open for a week, and the demo vendor has already answered — so the buyer sees a quote
on ``/procurement/quotes`` and the vendor sees the request in its quote inbox (``/console/
quotes``). Made through the use cases, so the ``quote_requested`` mail and events exist too.
Called by :func:`shop.procurement.demo.load` once the institution exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_today
from shop.catalog.models import Product, ProductStatus
from shop.procurement import quotations, quoting
from shop.procurement.models import Department, Institution
from shop.vendors.models import Vendor, VendorMember, VendorStatus

VENDOR_EMAIL = "vendor@jangteo.kr"
TITLE = "구민 건강걷기 대회 참가자 간식"
QUANTITY = 300


async def load(session: AsyncSession, institution: Institution, department: Department,
               requester: User) -> str:
    """Send the demo request and the demo vendor's quote; a note of what was made."""
    member = await session.scalar(select(User).where(User.email == VENDOR_EMAIL))
    if member is None:
        return "견적 요청 데모를 건너뜁니다: 데모 판매자가 없습니다."
    vendor = await session.scalar(
        select(Vendor).join(VendorMember, VendorMember.vendor_id == Vendor.id)
        .where(VendorMember.user_id == member.id, Vendor.status == VendorStatus.APPROVED))
    if vendor is None:
        return "견적 요청 데모를 건너뜁니다: 승인된 데모 판매자가 없습니다."
    product = await session.scalar(
        select(Product).where(Product.vendor_id == vendor.id,
                              Product.status == ProductStatus.PUBLISHED)
        .order_by(Product.id).limit(1))
    if product is None:
        return "견적 요청 데모를 건너뜁니다: 상품을 파는 데모 판매자가 없습니다."
    others = [v for v in await quotations.vendors_selling(session,
                                                          category=product.category.value)
              if v != vendor.id][:1]
    price = product.variants[0].price
    week = seoul_today() + dt.timedelta(days=7)
    request = await quotations.request_quotes(session, requester, quotations.QuoteRequestInput(
        institution_id=institution.id, department_id=department.id, title=TITLE,
        delivery_place="성북구청 앞 광장 (운영 본부 천막)",
        delivery_date=week + dt.timedelta(days=3), estimated_price=price * QUANTITY,
        deadline=dt.datetime.combine(week, dt.time(17, 0)), vendor_ids=(vendor.id, *others),
        lines=(quotations.RequestLineInput(product.category.value, product.name, QUANTITY,
                                           "개"),)))
    line_id = request.lines[0].id
    await quoting.submit_quote(session, member, vendor.id, request.id,
                               {line_id: price * 95 // 100}, week + dt.timedelta(days=30))
    return (f"견적 요청 {request.number}(마감 {week.isoformat()} 17:00, 기업 "
            f"{1 + len(others)}곳, {vendor.name} 견적 제출)")

"""견적 요청 알림: every member of every invited vendor is mailed when a request for quotation
is sent (the worker side of ``procurement.quote_requested``).

The mail says who asks, for what (lines with quantities and units), where and by when to
deliver, the estimated price before VAT and the deadline in Seoul time, and links to the
vendor's quote inbox. What is mailed comes from the event (what was sent), the addresses
from the vendor's members now. Sending is the worker's (:func:`infra.mail.send_once`), one
mail per member and vendor, so a redelivered event mails nobody twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_time
from infra.mail import Mail
from shop.catalog.taxonomy import Category
from shop.procurement.quotation_events import QuoteRequested
from shop.vendors.models import Vendor, VendorMember

#: The events that send procurement mail (the worker's subscription).
MAIL_EVENTS = frozenset({QuoteRequested.name})
#: The vendor console page of one request.
QUOTE_PAGE = "/console/vendors/{vendor_id}/quotes/{request_id}"


def _seoul(iso: str) -> str:
    return seoul_time(dt.datetime.fromisoformat(iso))


def _text(payload: Mapping[str, Any], vendor: Vendor, url: str) -> str:
    lines = "\n".join(
        f"  {n}. [{Category(line['category']).label}] {line['description']} "
        f"{int(line['quantity']):,}{line['unit']}"
        for n, line in enumerate(payload["lines"], start=1))
    return (
        f"{vendor.name} 담당자님, 안녕하세요.\n\n"
        f"{payload['institution_name']} {payload['department_name']}에서 견적을 요청했습니다.\n\n"
        f"요청 번호  {payload['number']}\n"
        f"제목       {payload['title']}\n"
        f"품목\n{lines}\n"
        f"납품 장소  {payload['delivery_place']}\n"
        f"납품 기한  {payload['delivery_date']}\n"
        f"추정가격   {int(payload['estimated_price']):,}원 (부가세 별도)\n"
        f"견적 마감  {_seoul(str(payload['deadline']))} (서울 시각)\n\n"
        f"마감 전까지 판매자 콘솔의 견적 요청함에서 품목별 단가와 유효기한을 입력해 "
        f"견적을 내 주세요.\n{url}\n\n"
        "장터 사회적경제 플랫폼 드림\n"
    )


async def quote_requested_mails(
    session: AsyncSession, payload: Mapping[str, Any], *, site_url: str = ""
) -> list[Mail]:
    """One mail to each member of each invited vendor."""
    vendor_ids = [int(v) for v in payload["vendor_ids"]]
    vendors = {v.id: v for v in (await session.scalars(
        select(Vendor).where(Vendor.id.in_(vendor_ids)))).all()}
    members = (await session.execute(
        select(VendorMember.vendor_id, User.email, User.display_name)
        .join(User, User.id == VendorMember.user_id)
        .where(VendorMember.vendor_id.in_(vendor_ids))
        .order_by(VendorMember.vendor_id, User.email))).all()
    mails = []
    for vendor_id, email, name in members:
        vendor = vendors[vendor_id]
        url = site_url.rstrip("/") + QUOTE_PAGE.format(vendor_id=vendor_id,
                                                       request_id=payload["id"])
        mails.append(Mail(
            to=email, to_name=name,
            subject=(f"[장터] {payload['institution_name']} 견적 요청 ({payload['number']}, "
                     f"마감 {_seoul(str(payload['deadline']))})"),
            text=_text(payload, vendor, url), kind=f"quote_request:{vendor_id}"))
    return mails


async def mails_for_event(
    session: AsyncSession, name: str, payload: Mapping[str, Any], *, site_url: str = ""
) -> list[Mail]:
    """Every mail a procurement event calls for (none for the others)."""
    if name == QuoteRequested.name:
        return await quote_requested_mails(session, payload, site_url=site_url)
    return []

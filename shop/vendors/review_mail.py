"""입점 심사 결과 메일: the vendor learns by mail that its application was approved, or why it
was rejected, as the application page promises (the worker side of ``vendor.approved`` and
``vendor.rejected``).

The enterprise's own address (the one it gave on the form) and every owner-member's account
get one mail each; the reason comes from the event (what the reviewer wrote at that moment),
the names and addresses from the tables now. Sending is the worker's
(:func:`infra.mail.send_once`), so a redelivered event mails nobody twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.mail import Mail
from shop.vendors.events import VendorApproved, VendorRejected
from shop.vendors.models import MemberRole, Vendor, VendorMember

#: The events that send a review result (the worker's subscription).
MAIL_EVENTS = frozenset({VendorApproved.name, VendorRejected.name})
CONSOLE_PAGE = "/console/vendors/{vendor_id}"


def _text(vendor: Vendor, approved: bool, reason: str, url: str) -> str:
    if approved:
        body = (
            f"{vendor.name}의 입점 신청이 승인되었습니다.\n\n"
            "이제 판매자 콘솔에서 상품을 등록하고 공개하면 장터 몰에서 판매됩니다. "
            "장터(부스) 참가 신청과 공공기관 견적 요청도 콘솔에서 할 수 있습니다.\n"
        )
        if reason:
            body += f"\n심사 의견: {reason}\n"
    else:
        body = (
            f"{vendor.name}의 입점 신청이 반려되었습니다.\n\n"
            f"반려 사유: {reason or '(사유 없음)'}\n\n"
            "사유를 고쳐 판매자 콘솔의 기업 정보에서 다시 신청할 수 있습니다.\n"
        )
    return (
        f"{vendor.representative} 대표님, 안녕하세요.\n\n{body}\n{url}\n\n"
        "장터 사회적경제 플랫폼 드림\n"
    )


async def review_mails(
    session: AsyncSession, name: str, payload: Mapping[str, Any], *, site_url: str = ""
) -> list[Mail]:
    """One mail to the enterprise's address and to each owner-member's account."""
    vendor = await session.get(Vendor, int(payload["id"]))
    if vendor is None:
        return []
    approved = name == VendorApproved.name
    owners = (await session.execute(
        select(User.email, User.display_name)
        .join(VendorMember, VendorMember.user_id == User.id)
        .where(VendorMember.vendor_id == vendor.id, VendorMember.role == MemberRole.OWNER)
        .order_by(User.email)
    )).all()
    recipients = {vendor.email.strip().lower(): vendor.representative}
    for email, display_name in owners:
        recipients.setdefault(email.strip().lower(), display_name)
    subject = (f"[장터] {vendor.name} 입점 신청이 승인되었습니다" if approved
               else f"[장터] {vendor.name} 입점 신청이 반려되었습니다")
    url = site_url.rstrip("/") + CONSOLE_PAGE.format(vendor_id=vendor.id)
    text = _text(vendor, approved, str(payload.get("reason") or ""), url)
    return [Mail(to=email, to_name=display_name, subject=subject, text=text,
                 kind=f"vendor_review:{vendor.id}")
            for email, display_name in recipients.items()]


async def mails_for_event(
    session: AsyncSession, name: str, payload: Mapping[str, Any], *, site_url: str = ""
) -> list[Mail]:
    if name in MAIL_EVENTS:
        return await review_mails(session, name, payload, site_url=site_url)
    return []

"""The enterprise learns its review result by mail, as the application page promises:
approved, or rejected with the reviewer's reason; a redelivered event mails nobody twice."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role
from infra.settings import Settings
from shop.vendors import services
from shop.vendors.events import VendorApproved, VendorRejected
from shop.vendors.models import VendorStatus
from tests.fixtures.mail import SITE, body, inbox
from tests.fixtures.outbox import relayed
from tests.shop.factories import make_user, make_vendor


def _mails(settings: Settings) -> dict[str, list[str]]:
    """Each recipient's mails as subject and plain text."""
    return {
        address: [f"{m['Subject']}\n{body(m)}" for m in messages]
        for address, messages in inbox(settings).items()
    }


async def test_rejection_mails_the_reason_and_approval_the_next_steps_once(
    mail_worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors, routing

    async with session_factory() as session:
        owner = await make_user(session, Role.VENDOR_MEMBER)
        admin = await make_user(session, Role.ADMIN)
        vendor = await make_vendor(session, owner=owner, status=VendorStatus.APPLIED)
        await session.commit()
        await services.reject(session, vendor.id, admin, "인증서 사본이 흐려 읽을 수 없습니다")
        rejected = await relayed(session, VendorRejected.name)
    assert actors.send_vendor_review_mails in [
        actor for matches, actor, _batch in routing.SUBSCRIPTIONS if matches(VendorRejected.name)]

    await asyncio.to_thread(actors.send_vendor_review_mails, rejected)
    await asyncio.to_thread(actors.send_vendor_review_mails, rejected)  # redelivered

    sent = _mails(mail_worker)
    assert sorted(sent) == sorted({vendor.email, owner.email})
    for mails in sent.values():
        assert len(mails) == 1
        assert "반려되었습니다" in mails[0]
        assert "인증서 사본이 흐려 읽을 수 없습니다" in mails[0]
        assert f"{SITE}/console/vendors/{vendor.id}" in mails[0]

    async with session_factory() as session:
        other_owner = await make_user(session, Role.VENDOR_MEMBER)
        other = await make_vendor(session, owner=other_owner, status=VendorStatus.APPLIED)
        await session.commit()
        await services.approve(session, other.id, admin)
        approved = await relayed(session, VendorApproved.name)
    await asyncio.to_thread(actors.send_vendor_review_mails, approved)
    sent = _mails(mail_worker)
    for address in (other.email, other_owner.email):
        assert len(sent[address]) == 1
        assert "승인되었습니다" in sent[address][0] and "상품을 등록" in sent[address][0]
    assert len(sent[vendor.email]) == 1  # the first enterprise heard nothing more

"""The enterprise learns its review result by mail, as the application page promises:
approved, or rejected with the reviewer's reason; a redelivered event mails nobody twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.vendors import services
from shop.vendors.events import VendorApproved, VendorRejected
from shop.vendors.models import VendorStatus
from tests.fixtures.actors import running_actors
from tests.shop.factories import make_user, make_vendor

SITE = "https://jangteo.example"


@pytest.fixture
def worker(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    with running_actors(settings.with_(var_dir=tmp_path / "var", public_url=SITE)) as ours:
        yield ours


def _inbox(settings: Settings) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(settings.mail_dir.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found.setdefault(message["To"].addresses[0].addr_spec, []).append(
            f"{message['Subject']}\n{body.get_content()}")
    return found


async def _relayed(session: AsyncSession, name: str) -> dict[str, Any]:
    row = await session.scalar(
        select(OutboxEvent).where(OutboxEvent.name == name).order_by(OutboxEvent.id.desc()))
    assert row is not None
    return row.envelope().to_dict()


async def test_rejection_mails_the_reason_and_approval_the_next_steps_once(
    worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors, routing

    async with session_factory() as session:
        owner = await make_user(session, Role.VENDOR_MEMBER)
        admin = await make_user(session, Role.ADMIN)
        vendor = await make_vendor(session, owner=owner, status=VendorStatus.APPLIED)
        await session.commit()
        await services.reject(session, vendor.id, admin, "인증서 사본이 흐려 읽을 수 없습니다")
        rejected = await _relayed(session, VendorRejected.name)
    assert actors.send_vendor_review_mails in [
        actor for matches, actor, _batch in routing.SUBSCRIPTIONS if matches(VendorRejected.name)]

    await asyncio.to_thread(actors.send_vendor_review_mails, rejected)
    await asyncio.to_thread(actors.send_vendor_review_mails, rejected)  # redelivered

    inbox = _inbox(worker)
    assert sorted(inbox) == sorted({vendor.email, owner.email})
    for mails in inbox.values():
        assert len(mails) == 1
        assert "반려되었습니다" in mails[0]
        assert "인증서 사본이 흐려 읽을 수 없습니다" in mails[0]
        assert f"{SITE}/console/vendors/{vendor.id}" in mails[0]

    async with session_factory() as session:
        other_owner = await make_user(session, Role.VENDOR_MEMBER)
        other = await make_vendor(session, owner=other_owner, status=VendorStatus.APPLIED)
        await session.commit()
        await services.approve(session, other.id, admin)
        approved = await _relayed(session, VendorApproved.name)
    await asyncio.to_thread(actors.send_vendor_review_mails, approved)
    inbox = _inbox(worker)
    for address in (other.email, other_owner.email):
        assert len(inbox[address]) == 1
        assert "승인되었습니다" in inbox[address][0] and "상품을 등록" in inbox[address][0]
    assert len(inbox[vendor.email]) == 1  # the first enterprise heard nothing more

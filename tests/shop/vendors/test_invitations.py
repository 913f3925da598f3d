"""Inviting staff: the owner invites by e-mail, the invited person accepts once, within 7 days."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.clock import utcnow
from infra.errors import Conflict, Forbidden, NotFound
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.vendors import services
from shop.vendors.models import MemberRole, VendorInvitation, VendorMember, VendorStatus

from .conftest import bearer, count, make_user, new_vendor


async def test_owner_invites_and_the_invited_person_joins(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    admin: User, applicant: User,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant, status=VendorStatus.APPROVED,
                              admin=admin)
    staff = await make_user(db_session, "staff@doore.kr", name="이직원")
    invited = await client.post(
        f"/api/vendors/{vendor.id}/invitations", json={"email": "Staff@Doore.kr"},
        headers=await bearer(db_session, applicant),
    )
    assert invited.status_code == 201, invited.text
    body = invited.json()
    assert body["email"] == "staff@doore.kr"
    assert body["accept_url"].endswith(f"/invitations/{body['token']}")
    assert body["expires_in_days"] == 7

    row = await db_session.scalar(select(VendorInvitation))
    assert row is not None
    assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in row.token_hash
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    left = expires - utcnow()
    assert dt.timedelta(days=6, hours=23) < left <= dt.timedelta(days=7)
    event = await db_session.scalar(
        select(OutboxEvent).where(OutboxEvent.name == "vendor.member_invited")
    )
    assert event is not None and event.payload["email"] == "staff@doore.kr"

    accepted = await client.post(
        "/api/invitations/accept", json={"token": body["token"]},
        headers=await bearer(db_session, staff),
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"vendor_id": vendor.id, "user_id": staff.id, "role": "staff"}
    await db_session.refresh(staff)
    assert Role.VENDOR_MEMBER.value in staff.roles
    joined = await db_session.scalar(
        select(OutboxEvent).where(OutboxEvent.name == "vendor.member_joined")
    )
    assert joined is not None and joined.payload["user_id"] == staff.id

    again = await client.post(
        "/api/invitations/accept", json={"token": body["token"]},
        headers=await bearer(db_session, staff),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_used"


async def test_only_the_owner_invites(
    db_session: AsyncSession, settings: Settings, applicant: User, shopper: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    with pytest.raises(Forbidden):
        await services.invite_member(db_session, vendor.id, shopper, "x@example.kr")
    staff = await make_user(db_session, "staff@doore.kr")
    token = await services.invite_member(db_session, vendor.id, applicant, "staff@doore.kr")
    await services.accept_invitation(db_session, token, staff)
    with pytest.raises(Forbidden):  # staff may not invite
        await services.invite_member(db_session, vendor.id, staff, "y@example.kr")


async def test_an_invitation_is_for_the_invited_email_only(
    db_session: AsyncSession, settings: Settings, applicant: User, shopper: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    token = await services.invite_member(db_session, vendor.id, applicant, "staff@doore.kr")
    members = await count(db_session, VendorMember)
    with pytest.raises(Forbidden) as caught:
        await services.accept_invitation(db_session, token, shopper)
    assert caught.value.code == "invitation_email_mismatch"
    await db_session.rollback()
    assert await count(db_session, VendorMember) == members


async def test_an_expired_or_unknown_invitation_is_refused(
    db_session: AsyncSession, settings: Settings, applicant: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    staff = await make_user(db_session, "staff@doore.kr")
    token = await services.invite_member(db_session, vendor.id, applicant, "staff@doore.kr")
    await db_session.execute(
        update(VendorInvitation).values(
            expires_at=utcnow() - dt.timedelta(minutes=1)
        )
    )
    await db_session.commit()
    with pytest.raises(Conflict) as caught:
        await services.accept_invitation(db_session, token, staff)
    assert caught.value.code == "invitation_expired"
    with pytest.raises(NotFound):
        await services.accept_invitation(db_session, "inv_not-a-real-token", staff)


async def test_inviting_an_existing_member_or_a_bad_address_is_refused(
    db_session: AsyncSession, settings: Settings, applicant: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    with pytest.raises(Conflict):
        await services.invite_member(db_session, vendor.id, applicant, "owner@doore.kr")
    from infra.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        await services.invite_member(db_session, vendor.id, applicant, "not-an-email", "boss")
    fields = {e["field"] for e in caught.value.extra["errors"]}
    assert fields == {"email", "role"}


async def test_an_owner_invitation_makes_an_owner(
    db_session: AsyncSession, settings: Settings, applicant: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    partner = await make_user(db_session, "partner@doore.kr")
    token = await services.invite_member(
        db_session, vendor.id, applicant, "partner@doore.kr", MemberRole.OWNER
    )
    member = await services.accept_invitation(db_session, token, partner)
    assert member.role is MemberRole.OWNER

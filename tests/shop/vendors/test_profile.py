"""Members edit what needs no new review; each change is one event, bad input changes nothing."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.vendors.models import Vendor

from .conftest import bearer, count, new_vendor


async def test_a_member_updates_the_profile_through_the_api(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings, applicant: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    vendor_id = vendor.id
    response = await client.patch(
        f"/api/vendors/{vendor_id}",
        json={"phone": "0212345678", "description": "새 소개", "delivery_fee": 0},
        headers=await bearer(db_session, applicant),
    )
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "02-1234-5678"
    event = await db_session.scalar(select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(1))
    assert event is not None and event.name == "vendor.profile_updated"
    assert set(event.payload["reason"].split(", ")) == {"phone", "description", "delivery_fee"}


async def test_bad_profile_input_names_every_field_and_changes_nothing(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings, applicant: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    vendor_id = vendor.id
    events = await count(db_session, OutboxEvent)
    response = await client.patch(
        f"/api/vendors/{vendor_id}",
        json={"phone": "1", "email": "x", "delivery_fee": -5, "description": "바뀌면 안 됨"},
        headers=await bearer(db_session, applicant),
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"phone", "email", "delivery_fee"}
    db_session.expire_all()
    after = await db_session.get(Vendor, vendor_id)
    assert after is not None and after.description != "바뀌면 안 됨"
    assert await count(db_session, OutboxEvent) == events


async def test_a_stranger_cannot_edit_the_profile(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    applicant: User, shopper: User,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    response = await client.patch(
        f"/api/vendors/{vendor.id}", json={"description": "해킹"},
        headers=await bearer(db_session, shopper),
    )
    assert response.status_code == 403


async def test_approve_needs_no_body(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    admin: User, applicant: User,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    response = await client.post(
        f"/api/admin/vendors/{vendor.id}/approve", headers=await bearer(db_session, admin)
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    assert response.json()["approved_at"] is not None

"""Only platform admins approve, reject, suspend and reinstate; others change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.errors import Forbidden
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.vendors import services
from shop.vendors.models import Vendor, VendorStatus

from .conftest import bearer, count, new_vendor


@pytest.mark.parametrize("who", ["shopper", "owner", "anonymous"])
@pytest.mark.parametrize("action", ["approve", "reject"])
async def test_non_admins_cannot_decide_through_the_api(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    applicant: User, shopper: User, who: str, action: str,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    vendor_id = vendor.id
    headers = {
        "shopper": await bearer(db_session, shopper),
        "owner": await bearer(db_session, applicant),
        "anonymous": {},
    }[who]
    events = await count(db_session, OutboxEvent)
    response = await client.post(
        f"/api/admin/vendors/{vendor_id}/{action}", json={"reason": "나도 승인"}, headers=headers
    )
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert response.headers["content-type"].startswith("application/problem+json")
    db_session.expire_all()
    assert (await db_session.get(Vendor, vendor_id)).status is VendorStatus.APPLIED  # type: ignore[union-attr]
    assert await count(db_session, OutboxEvent) == events


async def test_the_review_queue_and_documents_are_admin_only(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    applicant: User, shopper: User,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    headers = await bearer(db_session, shopper)
    assert (await client.get("/api/admin/vendors", headers=headers)).status_code == 403
    doc = vendor.documents[0]
    download = await client.get(
        f"/api/admin/vendors/{vendor.id}/documents/{doc.id}", headers=headers
    )
    assert download.status_code == 403


async def test_the_service_refuses_a_non_admin_even_without_the_guard(
    db_session: AsyncSession, settings: Settings, applicant: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    with pytest.raises(Forbidden):
        await services.approve(db_session, vendor.id, applicant)


async def test_admin_downloads_a_private_document(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    admin: User, applicant: User,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    doc = vendor.documents[0]
    response = await client.get(
        f"/api/admin/vendors/{vendor.id}/documents/{doc.id}",
        headers=await bearer(db_session, admin),
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response.headers["content-type"].startswith("application/pdf")
    assert "attachment" in response.headers["content-disposition"]
    # Not reachable through the public media route.
    assert (await client.get(f"/media/{doc.storage_path}")).status_code == 404
    # A document id of another vendor is not found under this vendor.
    other = await client.get(
        f"/api/admin/vendors/{vendor.id + 1}/documents/{doc.id}",
        headers=await bearer(db_session, admin),
    )
    assert other.status_code == 404

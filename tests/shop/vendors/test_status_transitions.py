"""The vendor state machine: allowed moves record who and why; refused ones change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.errors import Conflict
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.vendors import services
from shop.vendors.models import VENDOR_TRANSITIONS, Vendor, VendorStatus, VendorStatusChange

from .conftest import bearer, count, make_user, new_vendor

#: (status before, action) → (status after, event name) for every move an admin may make.
ALLOWED = {
    (VendorStatus.APPLIED, "approve"): (VendorStatus.APPROVED, "vendor.approved"),
    (VendorStatus.APPLIED, "reject"): (VendorStatus.REJECTED, "vendor.rejected"),
    (VendorStatus.APPROVED, "suspend"): (VendorStatus.SUSPENDED, "vendor.suspended"),
    (VendorStatus.SUSPENDED, "reinstate"): (VendorStatus.APPROVED, "vendor.reinstated"),
}
ACTIONS = ["approve", "reject", "suspend", "reinstate"]
ALL_PAIRS = [(s, a) for s in VendorStatus for a in ACTIONS]


def test_the_admin_actions_cover_exactly_the_transition_table() -> None:
    """Resubmission (rejected → applied) is the owner's; every other edge is an admin action."""
    admin_edges = {(s, services.DECISIONS[a].target) for (s, a) in ALLOWED}
    table = {(s, t) for s, targets in VENDOR_TRANSITIONS.allowed.items() for t in targets}
    assert table - admin_edges == {(VendorStatus.REJECTED, VendorStatus.APPLIED)}
    assert admin_edges <= table


async def _history(session: AsyncSession, vendor_id: int) -> list[VendorStatusChange]:
    rows = await session.scalars(
        select(VendorStatusChange)
        .where(VendorStatusChange.vendor_id == vendor_id)
        .order_by(VendorStatusChange.id)
    )
    return list(rows.all())


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=lambda v: str(v))
async def test_admin_decision_through_the_api(
    client: AsyncTestClient[Any],
    db_session: AsyncSession,
    settings: Settings,
    admin: User,
    applicant: User,
    status: VendorStatus,
    action: str,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant, status=status, admin=admin)
    vendor_id, admin_id = vendor.id, admin.id
    headers = await bearer(db_session, admin)
    history_before = len(await _history(db_session, vendor_id))
    events_before = await count(db_session, OutboxEvent)

    response = await client.post(
        f"/api/admin/vendors/{vendor_id}/{action}", json={"reason": "서류 확인 결과"},
        headers=headers,
    )

    db_session.expire_all()
    after = await db_session.get(Vendor, vendor_id)
    assert after is not None
    history = await _history(db_session, vendor_id)
    if (status, action) in ALLOWED:
        target, event_name = ALLOWED[(status, action)]
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target.value
        assert after.status is target
        last = history[-1]
        assert len(history) == history_before + 1
        assert (last.from_status, last.to_status) == (status, target)
        assert last.actor_user_id == admin_id
        assert last.reason == "서류 확인 결과"
        event = await db_session.scalar(
            select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(1)
        )
        assert event is not None
        assert event.name == event_name
        assert event.aggregate_id == str(vendor_id)
        assert event.payload["actor_user_id"] == admin_id
        assert event.payload["reason"] == "서류 확인 결과"
    else:
        assert response.status_code == 409, response.text
        body = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert body["errors"][0]["field"] == "status"
        assert after.status is status
        assert len(history) == history_before
        assert await count(db_session, OutboxEvent) == events_before


@pytest.mark.parametrize("action", ["reject", "suspend"])
async def test_reject_and_suspend_need_a_reason(
    client: AsyncTestClient[Any],
    db_session: AsyncSession,
    settings: Settings,
    admin: User,
    applicant: User,
    action: str,
) -> None:
    status = VendorStatus.APPLIED if action == "reject" else VendorStatus.APPROVED
    vendor = await new_vendor(db_session, settings, applicant, status=status, admin=admin)
    vendor_id = vendor.id
    events_before = await count(db_session, OutboxEvent)
    response = await client.post(
        f"/api/admin/vendors/{vendor_id}/{action}", json={"reason": "   "},
        headers=await bearer(db_session, admin),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "reason_required"
    assert body["errors"] == [{"field": "reason", "message": body["detail"]}]
    db_session.expire_all()
    assert (await db_session.get(Vendor, vendor_id)).status is status  # type: ignore[union-attr]
    assert await count(db_session, OutboxEvent) == events_before


async def test_application_itself_opens_the_history(
    db_session: AsyncSession, settings: Settings, applicant: User
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    (first,) = await _history(db_session, vendor.id)
    assert (first.from_status, first.to_status) == (None, VendorStatus.APPLIED)
    assert first.actor_user_id == applicant.id
    names = list(await db_session.scalars(select(OutboxEvent.name)))
    assert names == ["vendor.applied"]


async def test_owner_resubmits_after_rejection_and_it_is_recorded(
    db_session: AsyncSession, settings: Settings, admin: User, applicant: User
) -> None:
    vendor = await new_vendor(
        db_session, settings, applicant, status=VendorStatus.REJECTED, admin=admin
    )
    vendor = await services.resubmit(
        db_session, settings, vendor.id, applicant, reason="사업자등록증을 새로 올렸습니다"
    )
    assert vendor.status is VendorStatus.APPLIED
    last = (await _history(db_session, vendor.id))[-1]
    assert (last.from_status, last.to_status, last.actor_user_id) == (
        VendorStatus.REJECTED, VendorStatus.APPLIED, applicant.id,
    )
    assert last.reason == "사업자등록증을 새로 올렸습니다"
    event = await db_session.scalar(select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(1))
    assert event is not None and event.name == "vendor.resubmitted"


@pytest.mark.parametrize(
    "status", [VendorStatus.APPLIED, VendorStatus.APPROVED, VendorStatus.SUSPENDED]
)
async def test_resubmitting_anything_but_a_rejection_is_refused(
    db_session: AsyncSession, settings: Settings, admin: User, applicant: User,
    status: VendorStatus,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant, status=status, admin=admin)
    vendor_id = vendor.id
    events_before = await count(db_session, OutboxEvent)
    with pytest.raises(Conflict):
        await services.resubmit(db_session, settings, vendor_id, applicant)
    await db_session.rollback()
    assert (await db_session.get(Vendor, vendor_id)).status is status  # type: ignore[union-attr]
    assert await count(db_session, OutboxEvent) == events_before


async def test_only_the_owner_resubmits(
    db_session: AsyncSession, settings: Settings, admin: User, applicant: User
) -> None:
    vendor = await new_vendor(
        db_session, settings, applicant, status=VendorStatus.REJECTED, admin=admin
    )
    stranger = await make_user(db_session, "stranger@example.kr")
    from infra.errors import Forbidden

    with pytest.raises(Forbidden):
        await services.resubmit(db_session, settings, vendor.id, stranger)


async def test_the_history_endpoint_names_who_and_why(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    admin: User, applicant: User,
) -> None:
    vendor = await new_vendor(
        db_session, settings, applicant, status=VendorStatus.SUSPENDED, admin=admin
    )
    response = await client.get(
        f"/api/admin/vendors/{vendor.id}/history", headers=await bearer(db_session, admin)
    )
    assert response.status_code == 200
    steps = [(h["from_status"], h["to_status"], h["actor_name"]) for h in response.json()]
    assert steps == [
        (None, "applied", "김두레"),
        ("applied", "approved", "관리자"),
        ("approved", "suspended", "관리자"),
    ]

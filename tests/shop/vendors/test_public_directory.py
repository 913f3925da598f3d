"""The public directory shows approved vendors only, with filters and pagination."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.settings import Settings
from shop.vendors.models import VendorStatus

from .conftest import bearer, brn, make_user, new_vendor


async def _seed(db_session: AsyncSession, settings: Settings, admin: User) -> dict[str, int]:
    ids = {}
    specs = [
        ("approved-coop", VendorStatus.APPROVED, "cooperative", "마포구", "마포 두레 협동조합"),
        ("approved-village", VendorStatus.APPROVED, "village", "성북구", "성북 마을부엌"),
        ("approved-coop-2", VendorStatus.APPROVED, "cooperative", "성북구", "성북 빵 협동조합"),
        ("applied", VendorStatus.APPLIED, "cooperative", "마포구", "심사중 협동조합"),
        ("suspended", VendorStatus.SUSPENDED, "cooperative", "마포구", "정지된 협동조합"),
        ("rejected", VendorStatus.REJECTED, "village", "성북구", "반려된 마을기업"),
    ]
    for i, (key, status, kind, district, name) in enumerate(specs):
        owner = await make_user(db_session, f"owner{i}@example.kr")
        vendor = await new_vendor(
            db_session, settings, owner, status=status, admin=admin, name=name,
            enterprise_type=kind, district=district,
            business_registration_number=brn(f"10181{i:04d}"),
        )
        ids[key] = vendor.id
    return ids


async def test_directory_lists_only_approved_vendors_with_filters(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings, admin: User
) -> None:
    ids = await _seed(db_session, settings, admin)

    everything = (await client.get("/api/vendors")).json()
    assert everything["total"] == 3
    assert {v["id"] for v in everything["items"]} == {
        ids["approved-coop"], ids["approved-village"], ids["approved-coop-2"]
    }
    assert "status" not in everything["items"][0]  # public shape only

    coops = (await client.get("/api/vendors", params={"enterprise_type": "cooperative"})).json()
    assert {v["id"] for v in coops["items"]} == {ids["approved-coop"], ids["approved-coop-2"]}

    seongbuk = (await client.get("/api/vendors", params={"district": "성북구"})).json()
    assert {v["id"] for v in seongbuk["items"]} == {ids["approved-village"], ids["approved-coop-2"]}

    bread = (await client.get("/api/vendors", params={"q": "빵"})).json()
    assert [v["id"] for v in bread["items"]] == [ids["approved-coop-2"]]

    wildcard = (await client.get("/api/vendors", params={"q": "%"})).json()
    assert wildcard["total"] == 0

    page = (await client.get("/api/vendors", params={"limit": 2, "offset": 2})).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 2, 1)

    assert (await client.get("/api/vendors", params={"limit": 1000})).status_code == 400


async def test_a_vendor_page_is_public_only_once_approved(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings, admin: User
) -> None:
    ids = await _seed(db_session, settings, admin)
    assert (await client.get(f"/api/vendors/{ids['approved-coop']}")).status_code == 200
    for key in ("applied", "suspended", "rejected"):
        response = await client.get(f"/api/vendors/{ids[key]}")
        assert response.status_code == 404, key
    admin_view = await client.get(
        f"/api/vendors/{ids['applied']}", headers=await bearer(db_session, admin)
    )
    assert admin_view.status_code == 200


async def test_members_see_their_own_vendor_before_approval(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    applicant: User, shopper: User,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    own = await client.get(f"/api/vendors/{vendor.id}", headers=await bearer(db_session, applicant))
    assert own.status_code == 200
    other = await client.get(f"/api/vendors/{vendor.id}", headers=await bearer(db_session, shopper))
    assert other.status_code == 404


async def test_review_queue_counts_and_orders_by_application(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings, admin: User
) -> None:
    ids = await _seed(db_session, settings, admin)
    body = (
        await client.get("/api/admin/vendors", headers=await bearer(db_session, admin))
    ).json()
    assert [v["id"] for v in body["items"]] == [ids["applied"]]
    assert body["counts"] == {"applied": 1, "approved": 3, "rejected": 1, "suspended": 1}
    approved = (
        await client.get(
            "/api/admin/vendors", params={"status": "approved"},
            headers=await bearer(db_session, admin),
        )
    ).json()
    assert approved["total"] == 3
    assert approved["items"][0]["documents"][0]["kind"] == "business_registration"

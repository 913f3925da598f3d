"""The vendor pages: forms with CSRF, messages beside the field, and the whole flow by hand."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.settings import Settings
from shop.vendors.models import Vendor, VendorMember, VendorStatus

from .conftest import (
    EXE,
    PDF,
    Snapshot,
    application_fields,
    csrf_from,
    login,
    make_user,
    new_vendor,
)


def _pdf(name: str = "사업자등록증.pdf", data: bytes = PDF) -> dict[str, Any]:
    return {"business_registration_document": (name, data, "application/pdf")}


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="e-{field}">([^<]+)</p>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


async def test_applying_needs_sign_in(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/vendors/apply", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login?next=/vendors/apply"


async def test_apply_through_the_html_form_end_to_end(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User
) -> None:
    await login(client, "owner@doore.kr")
    form = await client.get("/vendors/apply")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    response = await client.post(
        "/vendors/apply",
        data={"_csrf_token": csrf_from(form.text), **application_fields()},
        files=_pdf(),
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    vendor = await db_session.scalar(select(Vendor))
    assert vendor is not None and vendor.status is VendorStatus.APPLIED
    assert response.headers["location"] == f"/console/vendors/{vendor.id}"
    console = await client.get(response.headers["location"])
    assert console.status_code == 200
    assert "입점 신청이 접수되었습니다" in console.text
    assert "심사 중입니다" in console.text


async def test_apply_without_csrf_token_is_refused(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User, snapshot: Snapshot
) -> None:
    await login(client, "owner@doore.kr")
    await client.get("/vendors/apply")
    before = await snapshot.take()
    response = await client.post("/vendors/apply", data=application_fields(), files=_pdf())
    assert response.status_code == 403
    assert await snapshot.take() == before


async def test_a_wrong_field_comes_back_beside_it_with_what_was_typed(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User, snapshot: Snapshot
) -> None:
    await login(client, "owner@doore.kr")
    form = await client.get("/vendors/apply")
    before = await snapshot.take()
    response = await client.post(
        "/vendors/apply",
        data={
            "_csrf_token": csrf_from(form.text),
            **application_fields(business_registration_number="123-45-67890", phone="12"),
        },
        files=_pdf(),
    )
    assert response.status_code == 400
    html = response.text
    assert "올바른 사업자등록번호가 아닙니다" in _error_beside(html, "business_registration_number")
    assert "전화번호" in _error_beside(html, "phone")
    assert 'value="마포 두레 협동조합"' in html  # what the person typed is kept
    assert 'value="123-45-67890"' in html
    assert re.search(r'<option value="cooperative"\s+selected', html)
    assert "_csrf_token" in html
    assert await snapshot.take() == before


async def test_a_disguised_executable_is_refused_beside_the_file_field(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User, snapshot: Snapshot
) -> None:
    await login(client, "owner@doore.kr")
    form = await client.get("/vendors/apply")
    before = await snapshot.take()
    response = await client.post(
        "/vendors/apply",
        data={"_csrf_token": csrf_from(form.text), **application_fields()},
        files=_pdf("setup.pdf", EXE),
    )
    assert response.status_code == 415
    message = _error_beside(response.text, "business_registration_document")
    assert "올릴 수 없는 파일 형식" in message
    assert await snapshot.take() == before


async def test_admin_reviews_rejects_with_reason_and_owner_resubmits(
    client: AsyncTestClient[Any], db_session: AsyncSession,
    settings: Settings, admin: User, applicant: User,
) -> None:
    vendor = await new_vendor(db_session, settings, applicant)
    vendor_id, doc_id = vendor.id, vendor.documents[0].id
    await login(client, "admin@jangteo.kr")

    queue = await client.get("/admin/vendors")
    assert queue.status_code == 200
    assert "마포 두레 협동조합" in queue.text
    assert re.search(r'심사 대기 <span class="count">1</span>', queue.text)

    detail = await client.get(f"/admin/vendors/{vendor_id}")
    assert f'/admin/vendors/{vendor_id}/documents/{doc_id}' in detail.text
    assert "220-81-62517" in detail.text
    download = await client.get(f"/admin/vendors/{vendor_id}/documents/{doc_id}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")

    no_reason = await client.post(
        f"/admin/vendors/{vendor_id}/decision",
        data={"_csrf_token": csrf_from(detail.text), "action": "reject", "reason": ""},
    )
    assert no_reason.status_code == 400
    assert "반려 사유를 입력해 주세요" in _error_beside(no_reason.text, "reason")

    rejected = await client.post(
        f"/admin/vendors/{vendor_id}/decision",
        data={"_csrf_token": csrf_from(detail.text), "action": "reject",
              "reason": "사업자등록증 사본이 흐립니다"},
        follow_redirects=True,
    )
    assert rejected.status_code == 200
    assert "반려 처리했습니다" in rejected.text
    assert "사업자등록증 사본이 흐립니다" in rejected.text  # in the history table

    refused = await client.post(
        f"/admin/vendors/{vendor_id}/decision",
        data={"_csrf_token": csrf_from(detail.text), "action": "suspend", "reason": "x"},
    )
    assert refused.status_code == 409

    await login(client, "owner@doore.kr")
    console = await client.get(f"/console/vendors/{vendor_id}")
    assert "사업자등록증 사본이 흐립니다" in console.text
    assert "재신청하기" in console.text
    resubmitted = await client.post(
        f"/console/vendors/{vendor_id}/resubmit",
        data={"_csrf_token": csrf_from(console.text), **application_fields(),
              "reason": "선명한 사본으로 바꿨습니다"},
        files=_pdf("선명한사본.pdf", PDF + b"clear"),
        follow_redirects=True,
    )
    assert resubmitted.status_code == 200, resubmitted.text
    assert "재신청했습니다" in resubmitted.text
    db_session.expire_all()
    after = await db_session.get(Vendor, vendor_id)
    assert after is not None and after.status is VendorStatus.APPLIED
    assert len(after.documents) == 2


async def test_shoppers_cannot_open_the_review_pages(
    client: AsyncTestClient[Any], db_session: AsyncSession, shopper: User
) -> None:
    await login(client, "shopper@example.kr")
    assert (await client.get("/admin/vendors")).status_code == 403


async def test_directory_and_vendor_page_show_approved_vendors(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    admin: User, applicant: User,
) -> None:
    approved = await new_vendor(
        db_session, settings, applicant, status=VendorStatus.APPROVED, admin=admin
    )
    other = await make_user(db_session, "other@example.kr")
    pending = await new_vendor(
        db_session, settings, other, name="심사중 마을기업", enterprise_type="village",
        business_registration_number="124-81-00998",
    )
    directory = await client.get("/vendors")
    assert "마포 두레 협동조합" in directory.text
    assert "심사중 마을기업" not in directory.text
    filtered = await client.get("/vendors", params={"type": "village"})
    assert "마포 두레 협동조합" not in filtered.text
    bogus = await client.get("/vendors", params={"type": "nope", "district": "부산", "page": 0})
    assert bogus.status_code == 200

    page = await client.get(f"/vendors/{approved.id}")
    assert page.status_code == 200
    assert "협동조합" in page.text and "마포구" in page.text
    assert "2019-05-01" in page.text
    assert (await client.get(f"/vendors/{pending.id}")).status_code == 404


async def test_owner_invites_staff_who_accepts_through_the_page(
    client: AsyncTestClient[Any], db_session: AsyncSession,
    settings: Settings, admin: User, applicant: User,
) -> None:
    vendor = await new_vendor(
        db_session, settings, applicant, status=VendorStatus.APPROVED, admin=admin
    )
    vendor_id = vendor.id
    staff = await make_user(db_session, "staff@doore.kr", name="이직원")
    staff_id = staff.id
    await login(client, "owner@doore.kr")
    members = await client.get(f"/console/vendors/{vendor_id}/members")
    assert members.status_code == 200

    bad = await client.post(
        f"/console/vendors/{vendor_id}/members",
        data={"_csrf_token": csrf_from(members.text), "email": "nope", "role": "staff"},
    )
    assert bad.status_code == 400
    assert "이메일" in _error_beside(bad.text, "email")
    assert 'value="nope"' in bad.text

    invited = await client.post(
        f"/console/vendors/{vendor_id}/members",
        data={"_csrf_token": csrf_from(members.text), "email": "staff@doore.kr", "role": "staff"},
    )
    assert invited.status_code == 200
    link = re.search(r"<code>http://testserver\.local(/invitations/[^<]+)</code>", invited.text)
    assert link, "the invitation link is shown once"
    assert "staff@doore.kr" in invited.text  # listed as pending
    again = await client.get(f"/console/vendors/{vendor_id}/members")
    assert "/invitations/" not in again.text  # only once

    client.cookies.clear()
    anonymous = await client.get(link.group(1))
    assert anonymous.status_code == 200
    assert "로그인하고 수락" in anonymous.text
    await login(client, "staff@doore.kr")
    page = await client.get(link.group(1))
    accepted = await client.post(
        link.group(1), data={"_csrf_token": csrf_from(page.text)}, follow_redirects=True
    )
    assert accepted.status_code == 200, accepted.text
    assert "직원(으)로 합류했습니다" in accepted.text
    member = await db_session.scalar(
        select(VendorMember).where(VendorMember.user_id == staff_id)
    )
    assert member is not None and member.vendor_id == vendor_id


async def test_profile_update_through_the_console(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    admin: User, applicant: User,
) -> None:
    vendor = await new_vendor(
        db_session, settings, applicant, status=VendorStatus.APPROVED, admin=admin
    )
    vendor_id = vendor.id
    await login(client, "owner@doore.kr")
    console = await client.get(f"/console/vendors/{vendor_id}")
    fields = {
        "_csrf_token": csrf_from(console.text), "representative": "김두레", "district": "성북구",
        "phone": "010 1234 5678", "email": "new@doore.kr", "description": "새 소개",
        "delivery_fee": "2,500", "free_delivery_over": "",
    }
    bad = await client.post(f"/console/vendors/{vendor_id}/profile", data={**fields, "phone": "1"})
    assert bad.status_code == 400
    assert "전화번호" in _error_beside(bad.text, "phone")
    saved = await client.post(
        f"/console/vendors/{vendor_id}/profile", data=fields, follow_redirects=True
    )
    assert "기업 정보를 저장했습니다" in saved.text
    db_session.expire_all()
    after = await db_session.get(Vendor, vendor_id)
    assert after is not None
    assert (after.phone, after.district.value, after.delivery_fee, after.free_delivery_over) == (
        "010-1234-5678", "성북구", 2500, None,
    )


async def test_vendor_page_lists_only_its_published_products(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    admin: User, applicant: User,
) -> None:

    from shop.catalog.models import Product, ProductStatus, ProductVariant
    from shop.catalog.taxonomy import Category

    vendor = await new_vendor(
        db_session, settings, applicant, status=VendorStatus.APPROVED, admin=admin
    )
    products = (("유자 한과", ProductStatus.PUBLISHED), ("준비중 쿠키", ProductStatus.DRAFT))
    for name, status in products:
        db_session.add(
            Product(
                vendor_id=vendor.id, name=name, category=next(iter(Category)), status=status,
                published_at=utcnow() if status is ProductStatus.PUBLISHED else None,
                variants=[ProductVariant(sku=f"SKU-{name}", price=12000, stock=5)],
            )
        )
    await db_session.commit()
    page = await client.get(f"/vendors/{vendor.id}")
    assert page.status_code == 200
    assert "유자 한과" in page.text
    assert "12,000원" in page.text
    assert "준비중 쿠키" not in page.text

"""The vendor API's shapes (msgspec), with Korean descriptions for the OpenAPI page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar.datastructures import UploadFile

from infra.clock import seoul_today
from shop.vendors.models import MemberRole, Vendor, VendorDocument, VendorStatus
from shop.vendors.queries import HistoryEntry, MemberEntry, Page
from shop.vendors.rules import VendorApplication, format_registration_number
from shop.vendors.types import District, EnterpriseType


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class VendorApplicationIn(msgspec.Struct, kw_only=True):
    """입점 신청서 (multipart/form-data). 사업자등록증 사본은 반드시 첨부합니다."""

    name: Annotated[str, _d("기업명")] = ""
    enterprise_type: Annotated[str, _d("기업 유형 코드 (예: certified_social, cooperative)")] = ""
    business_registration_number: Annotated[
        str, _d("사업자등록번호, 숫자 10자리 또는 123-45-67890")
    ] = ""
    representative: Annotated[str, _d("대표자")] = ""
    district: Annotated[str, _d("소재 자치구 (예: 마포구)")] = ""
    phone: Annotated[str, _d("대표 전화 (예: 02-123-4567)")] = ""
    email: Annotated[str, _d("대표 이메일")] = ""
    description: Annotated[str, _d("기업 소개")] = ""
    certification_number: Annotated[str, _d("인증(지정) 번호")] = ""
    certified_from: Annotated[str, _d("인증 시작일 YYYY-MM-DD")] = ""
    certified_to: Annotated[
        str, _d("인증 만료일 YYYY-MM-DD (예비 사회적기업은 필수, 최대 3년)")
    ] = ""
    business_registration_document: Annotated[
        UploadFile | None, _d("사업자등록증 사본 (PDF, PNG, JPEG, WEBP; 10MB 이하)")
    ] = None
    certificate_document: Annotated[UploadFile | None, _d("인증서·지정서 사본")] = None
    other_documents: Annotated[list[UploadFile], _d("기타 서류 (합계 5개까지)")] = msgspec.field(
        default_factory=list
    )

    def application(self) -> VendorApplication:
        return VendorApplication(
            **{f: getattr(self, f) for f in VendorApplication.__dataclass_fields__}
        )

    def files(self) -> dict[str, object]:
        return {
            "business_registration_document": self.business_registration_document,
            "certificate_document": self.certificate_document,
            "other_documents": list(self.other_documents),
        }


class VendorOut(msgspec.Struct, kw_only=True):
    """입점기업의 공개 정보 (전자상거래법상 판매자 정보 포함)."""

    id: int
    name: str
    enterprise_type: EnterpriseType
    enterprise_type_label: str
    district: District
    representative: str
    business_registration_number: Annotated[str, _d("사업자등록번호 (123-45-67890)")]
    phone: str
    email: str
    description: str
    certified_from: dt.date
    certified_to: dt.date | None
    certification_valid_today: Annotated[bool, _d("오늘 기준 인증 유효 여부")]


class DocumentOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    kind_label: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    download_url: Annotated[str, _d("관리자 전용 내려받기 주소")]


class MemberOut(msgspec.Struct, kw_only=True):
    vendor_id: int
    user_id: int
    role: MemberRole


class VendorAdminOut(VendorOut, kw_only=True):
    """심사에 필요한 전체 정보."""

    status: VendorStatus
    status_label: str
    status_reason: str
    certification_number: str
    applied_by_user_id: int | None
    created_at: dt.datetime
    approved_at: dt.datetime | None
    documents: list[DocumentOut]
    members: list[MemberOut]


class VendorListOut(msgspec.Struct, kw_only=True):
    items: list[VendorOut]
    total: int
    limit: int
    offset: int


class VendorAdminListOut(msgspec.Struct, kw_only=True):
    items: list[VendorAdminOut]
    total: int
    limit: int
    offset: int
    counts: Annotated[dict[str, int], _d("상태별 입점기업 수")]


class DecisionIn(msgspec.Struct, kw_only=True):
    reason: Annotated[str, _d("처리 사유 (반려·정지에는 필수; 입점기업에 전달됩니다)")] = ""


class StatusChangeOut(msgspec.Struct, kw_only=True):
    from_status: VendorStatus | None
    to_status: VendorStatus
    actor_user_id: int | None
    actor_name: str | None
    reason: str
    at: dt.datetime


class ProfileIn(msgspec.Struct, kw_only=True, omit_defaults=True):
    """기업 정보 수정: 보낸 항목만 바뀝니다. 기업명·사업자번호·인증 정보는 재심사가 필요합니다."""

    representative: str | None = None
    district: str | None = None
    phone: str | None = None
    email: str | None = None
    description: str | None = None
    delivery_fee: Annotated[int | None, _d("배송비 (원)")] = None
    free_delivery_over: Annotated[int | None, _d("무료배송 기준 금액 (원)")] = None


class InvitationIn(msgspec.Struct, kw_only=True):
    email: Annotated[str, _d("초대할 사람의 이메일")]
    role: Annotated[MemberRole, _d("owner (대표 관리자) 또는 staff (직원)")] = MemberRole.STAFF


class InvitationOut(msgspec.Struct, kw_only=True):
    vendor_id: int
    email: str
    role: MemberRole
    token: Annotated[str, _d("초대 토큰: 이 응답에서 한 번만 보입니다")]
    accept_url: str
    expires_in_days: int


class AcceptInvitationIn(msgspec.Struct, kw_only=True):
    token: str


# ---------------------------------------------------------------- conversions


def vendor_out(v: Vendor, today: dt.date | None = None) -> VendorOut:
    return VendorOut(**_public_fields(v, today))


def _public_fields(v: Vendor, today: dt.date | None = None) -> dict[str, Any]:
    today = today or seoul_today()
    return {
        "id": v.id,
        "name": v.name,
        "enterprise_type": v.enterprise_type,
        "enterprise_type_label": v.enterprise_type.label,
        "district": v.district,
        "representative": v.representative,
        "business_registration_number": format_registration_number(v.business_registration_number),
        "phone": v.phone,
        "email": v.email,
        "description": v.description,
        "certified_from": v.certified_from,
        "certified_to": v.certified_to,
        "certification_valid_today": v.certification_valid_on(today),
    }


def document_out(d: VendorDocument) -> DocumentOut:
    return DocumentOut(
        id=d.id,
        kind=d.kind.value,
        kind_label=d.kind.label,
        filename=d.filename,
        content_type=d.content_type,
        size_bytes=d.size_bytes,
        sha256=d.sha256,
        download_url=f"/api/admin/vendors/{d.vendor_id}/documents/{d.id}",
    )


def vendor_admin_out(v: Vendor) -> VendorAdminOut:
    return VendorAdminOut(
        **_public_fields(v),
        status=v.status,
        status_label=v.status.label,
        status_reason=v.status_reason,
        certification_number=v.certification_number,
        applied_by_user_id=v.applied_by_user_id,
        created_at=v.created_at,
        approved_at=v.approved_at,
        documents=[document_out(d) for d in v.documents],
        members=[
            MemberOut(vendor_id=m.vendor_id, user_id=m.user_id, role=m.role) for m in v.members
        ],
    )


def vendor_list_out(page: Page) -> VendorListOut:
    return VendorListOut(
        items=[vendor_out(v) for v in page.items], total=page.total, limit=page.limit,
        offset=page.offset,
    )


def status_change_out(entry: HistoryEntry) -> StatusChangeOut:
    c = entry.change
    return StatusChangeOut(
        from_status=c.from_status,
        to_status=c.to_status,
        actor_user_id=c.actor_user_id,
        actor_name=entry.actor_name,
        reason=c.reason,
        at=c.created_at,
    )


def member_out(vendor_id: int, entry: MemberEntry) -> MemberOut:
    return MemberOut(vendor_id=vendor_id, user_id=entry.user_id, role=entry.role)

"""The vendor JSON API: apply, the public directory, admin review, members and invitations.

Programs authenticate with ``Authorization: Bearer jt_…`` (see ``infra.auth``); guards
decide who may call what, and the services hold every rule.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from litestar.response import File

from infra.accounts.models import User
from infra.auth import requires_admin, requires_user
from infra.errors import NotFound, Problems, UnsupportedMediaType
from infra.settings import Settings
from infra.web.params import DbSession, SignedIn, Viewer
from shop.vendors import documents, queries, services
from shop.vendors.errors import VendorErrorCode
from shop.vendors.models import DocumentKind, VendorStatus
from shop.vendors.rules import DOCUMENT_FIELDS, IncomingDocument, normalise_email
from shop.vendors.schemas import (
    AcceptInvitationIn,
    DecisionIn,
    InvitationIn,
    InvitationOut,
    MemberOut,
    ProfileIn,
    StatusChangeOut,
    VendorAdminListOut,
    VendorAdminOut,
    VendorApplicationIn,
    VendorListOut,
    VendorOut,
    status_change_out,
    vendor_admin_out,
    vendor_list_out,
    vendor_out,
)
from shop.vendors.types import District, EnterpriseType

TAGS = ["입점기업 (Vendors)"]

Limit = Annotated[int, QueryParameter(ge=1, le=queries.MAX_LIMIT, description="한 번에 받을 개수")]
Offset = Annotated[int, QueryParameter(ge=0, description="건너뛸 개수")]


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def requires_multipart(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Documents travel only in multipart/form-data; say so instead of a parser error."""
    content_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise UnsupportedMediaType(
            VendorErrorCode.MULTIPART_REQUIRED,
            "신청서는 서류 파일과 함께 multipart/form-data로 보내 주세요.",
            field=DOCUMENT_FIELDS[DocumentKind.BUSINESS_REGISTRATION],
        )


async def _incoming(
    settings: Settings, files: dict[str, object]
) -> list[IncomingDocument]:
    problems = Problems()
    incoming = await documents.collect_documents(files, settings.max_upload_bytes, problems)
    problems.raise_if_any()
    return incoming


class VendorApi(Controller):
    path = "/api/vendors"
    tags = TAGS

    @post(
        "/",
        operation_id="applyVendor",
        summary="입점 신청 (multipart: 신청서 항목과 서류 파일)",
        description=(
            "사업자등록증 사본이 반드시 필요합니다. 파일은 PDF·PNG·JPEG·WEBP, 각 10MB 이하, "
            "합계 5개까지이며 파일 내용(매직 바이트)으로 형식을 확인합니다. 잘못된 입력은 "
            "아무것도 저장하지 않고 항목별 오류(errors[].field)로 돌려줍니다."
        ),
        guards=[requires_user, requires_multipart],
        status_code=201,
    )
    async def apply(
        self,
        user: SignedIn,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: MultipartBody[VendorApplicationIn],
    ) -> VendorAdminOut:
        settings = settings_of(request)
        files = await _incoming(settings, data.files())
        vendor = await services.apply(
            db_session, settings, user, data.application(), files
        )
        return vendor_admin_out(vendor)

    @get("/", operation_id="listVendors", summary="입점기업 목록 (승인된 기업만)")
    async def list_vendors(
        self,
        db_session: DbSession,
        enterprise_type: FromQuery[EnterpriseType | None] = None,
        district: FromQuery[District | None] = None,
        q: FromQuery[str | None] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> VendorListOut:
        page = await queries.public_vendors(
            db_session, enterprise_type=enterprise_type, district=district, q=q,
            limit=limit, offset=offset,
        )
        return vendor_list_out(page)

    @get(
        "/{vendor_id:int}",
        operation_id="getVendor",
        summary="입점기업 정보 (승인 전에는 관리자와 구성원만)",
    )
    async def get_vendor(
        self, viewer: Viewer, db_session: DbSession, vendor_id: FromPath[int]
    ) -> VendorOut:
        vendor = await queries.visible_vendor(db_session, vendor_id, viewer)
        return vendor_out(vendor)

    @patch(
        "/{vendor_id:int}",
        operation_id="updateVendorProfile",
        summary="기업 정보 수정 (구성원)",
        guards=[requires_user],
    )
    async def update_profile(
        self,
        user: SignedIn,
        db_session: DbSession,
        vendor_id: FromPath[int],
        data: JSONBody[ProfileIn],
    ) -> VendorAdminOut:
        vendor = await services.update_profile(
            db_session, vendor_id, user,
            services.ProfileUpdate(
                representative=data.representative, district=data.district, phone=data.phone,
                email=data.email, description=data.description, delivery_fee=data.delivery_fee,
                free_delivery_over=data.free_delivery_over,
            ),
        )
        return vendor_admin_out(vendor)

    @post(
        "/{vendor_id:int}/resubmit",
        operation_id="resubmitVendor",
        summary="반려된 신청 재신청 (대표 관리자; multipart, 항목과 추가 서류)",
        guards=[requires_user, requires_multipart],
        status_code=200,
    )
    async def resubmit(
        self,
        user: SignedIn,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        vendor_id: FromPath[int],
        data: MultipartBody[VendorApplicationIn],
    ) -> VendorAdminOut:
        settings = settings_of(request)
        files = await _incoming(settings, data.files())
        vendor = await services.resubmit(
            db_session, settings, vendor_id, user, data.application(), files
        )
        return vendor_admin_out(vendor)

    @post(
        "/{vendor_id:int}/invitations",
        operation_id="inviteVendorMember",
        summary="구성원 초대 (대표 관리자; 초대 메일은 잠시 후 발송)",
        guards=[requires_user],
        status_code=201,
    )
    async def invite(
        self,
        user: SignedIn,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        vendor_id: FromPath[int],
        data: JSONBody[InvitationIn],
    ) -> InvitationOut:
        token = await services.invite_member(
            db_session, vendor_id, user, data.email, data.role
        )
        return InvitationOut(
            vendor_id=vendor_id,
            email=normalise_email(data.email) or data.email,
            role=data.role,
            token=token,
            accept_url=str(request.base_url).rstrip("/") + f"/invitations/{token}",
            expires_in_days=services.INVITATION_DAYS,
        )


class InvitationApi(Controller):
    path = "/api/invitations"
    tags = TAGS

    @post(
        "/accept",
        operation_id="acceptVendorInvitation",
        summary="초대 수락 (초대받은 이메일로 로그인한 사람)",
        guards=[requires_user],
        status_code=200,
    )
    async def accept(
        self,
        user: SignedIn,
        db_session: DbSession,
        data: JSONBody[AcceptInvitationIn],
    ) -> MemberOut:
        member = await services.accept_invitation(db_session, data.token, user)
        return MemberOut(vendor_id=member.vendor_id, user_id=member.user_id, role=member.role)


class AdminVendorApi(Controller):
    path = "/api/admin/vendors"
    tags = TAGS
    guards = [requires_admin]

    @get("/", operation_id="listVendorsForReview", summary="심사 대기열 (상태별, 오래된 신청부터)")
    async def review_queue(
        self,
        db_session: DbSession,
        status: FromQuery[VendorStatus | None] = VendorStatus.APPLIED,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> VendorAdminListOut:
        page = await queries.vendors_by_status(db_session, status, limit=limit, offset=offset)
        counts = await queries.status_counts(db_session)
        return VendorAdminListOut(
            items=[vendor_admin_out(v) for v in page.items], total=page.total,
            limit=page.limit, offset=page.offset,
            counts={s.value: n for s, n in counts.items()},
        )

    @get("/{vendor_id:int}", operation_id="getVendorForReview", summary="심사용 입점기업 상세")
    async def detail(self, db_session: DbSession, vendor_id: FromPath[int]) -> VendorAdminOut:
        return vendor_admin_out(await queries.vendor_or_404(db_session, vendor_id))

    async def _decide(
        self, user: User, db_session: DbSession, vendor_id: int,
        action: str, data: DecisionIn | None,
    ) -> VendorAdminOut:
        vendor = await services.decide(
            db_session, vendor_id, user, action, data.reason if data else ""
        )
        return vendor_admin_out(vendor)

    @post("/{vendor_id:int}/approve", operation_id="approveVendor", summary="입점 승인",
          status_code=200)
    async def approve(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        data: JSONBody[DecisionIn | None] = None,
    ) -> VendorAdminOut:
        return await self._decide(user, db_session, vendor_id, "approve", data)

    @post("/{vendor_id:int}/reject", operation_id="rejectVendor", summary="입점 반려 (사유 필수)",
          status_code=200)
    async def reject(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        data: JSONBody[DecisionIn | None] = None,
    ) -> VendorAdminOut:
        return await self._decide(user, db_session, vendor_id, "reject", data)

    @post("/{vendor_id:int}/suspend", operation_id="suspendVendor",
          summary="판매 정지 (사유 필수)", status_code=200)
    async def suspend(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        data: JSONBody[DecisionIn | None] = None,
    ) -> VendorAdminOut:
        return await self._decide(user, db_session, vendor_id, "suspend", data)

    @post("/{vendor_id:int}/reinstate", operation_id="reinstateVendor", summary="판매 재개",
          status_code=200)
    async def reinstate(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        data: JSONBody[DecisionIn | None] = None,
    ) -> VendorAdminOut:
        return await self._decide(user, db_session, vendor_id, "reinstate", data)

    @get("/{vendor_id:int}/history", operation_id="getVendorHistory",
         summary="상태 변경 이력 (누가, 언제, 왜)")
    async def history(
        self, db_session: DbSession, vendor_id: FromPath[int]
    ) -> list[StatusChangeOut]:
        await queries.vendor_or_404(db_session, vendor_id)
        return [status_change_out(e) for e in await queries.history(db_session, vendor_id)]

    @get("/{vendor_id:int}/documents/{document_id:int}", operation_id="downloadVendorDocument",
         summary="제출 서류 내려받기 (관리자 전용)", media_type="application/octet-stream")
    async def download(
        self, request: Request[Any, Any, Any], db_session: DbSession, vendor_id: FromPath[int],
        document_id: FromPath[int],
    ) -> File:
        return await document_file(request, db_session, vendor_id, document_id)


async def document_file(
    request: Request[Any, Any, Any], db_session: DbSession, vendor_id: int, document_id: int
) -> File:
    """The stored file as an attachment; shared by the API and the admin pages."""
    doc = await queries.document_of(db_session, vendor_id, document_id)
    path = documents.resolve(settings_of(request), doc.storage_path)
    if path is None:
        raise NotFound(
            VendorErrorCode.DOCUMENT_NOT_FOUND, "서류 파일이 저장소에 없습니다.",
            field="document_id",
        )
    return File(
        path=path,
        filename=doc.filename,
        media_type=doc.content_type,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


ROUTES: list[Any] = [VendorApi, InvitationApi, AdminVendorApi]

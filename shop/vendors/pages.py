"""Vendor pages (Korean, no JavaScript needed): apply, directory, admin review, console.

Forms carry the CSRF token; when a service refuses the input the same form comes back with
what the person typed (files excepted) and each message beside its field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import File, Redirect, Template

from infra.accounts.models import User
from infra.auth import requires_admin, requires_user
from infra.clock import seoul_today
from infra.errors import InvalidInput, Problems
from infra.web.forms import EVERY_REFUSAL, Refusal, attempt
from infra.web.params import DbSession, FormData, MultipartData, SignedIn, Viewer
from shop.vendors import documents, queries, services
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.controllers import document_file, settings_of
from shop.vendors.errors import VendorErrorCode
from shop.vendors.models import MemberRole, Vendor, VendorStatus
from shop.vendors.rules import (
    ALLOWED_LABEL,
    MAX_DOCUMENTS,
    VendorApplication,
    format_registration_number,
    pre_social_end,
    size_label,
)
from shop.vendors.types import PRE_SOCIAL_SUPPORT_YEARS, District, EnterpriseType

PER_PAGE = 20


def _text_fields(data: dict[str, Any]) -> dict[str, str]:
    """What the person typed, to put back in the form (files are never echoed)."""
    return {k: v for k, v in data.items() if isinstance(v, str) and k != "_csrf_token"}


def _page_number(page: int | None) -> int:
    return max(1, page or 1)


def _enum_or_none(enum_cls: Any, value: str | None) -> Any:
    return next((m for m in enum_cls if m.value == value), None) if value else None


TYPE_OPTIONS = [(t.value, t.label) for t in EnterpriseType]
DISTRICT_OPTIONS = [(d.value, d.label) for d in District]


def _form_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return {
        "type_options": TYPE_OPTIONS,
        "district_options": DISTRICT_OPTIONS,
        "max_upload": size_label(settings_of(request).max_upload_bytes),
        "max_documents": MAX_DOCUMENTS,
        "allowed_label": ALLOWED_LABEL,
        "pre_social_years": PRE_SOCIAL_SUPPORT_YEARS,
    }


def _vendor_form(vendor: Vendor) -> dict[str, str]:
    return {
        "name": vendor.name,
        "enterprise_type": vendor.enterprise_type.value,
        "business_registration_number": format_registration_number(
            vendor.business_registration_number
        ),
        "representative": vendor.representative,
        "district": vendor.district.value,
        "phone": vendor.phone,
        "email": vendor.email,
        "description": vendor.description,
        "certification_number": vendor.certification_number,
        "certified_from": vendor.certified_from.isoformat(),
        "certified_to": vendor.certified_to.isoformat() if vendor.certified_to else "",
        "delivery_fee": str(vendor.delivery_fee),
        "free_delivery_over": (
            str(vendor.free_delivery_over) if vendor.free_delivery_over is not None else ""
        ),
    }


async def _collect(request: Request[Any, Any, Any], data: dict[str, Any]) -> list[Any]:
    problems = Problems()
    files = await documents.collect_documents(
        data, settings_of(request).max_upload_bytes, problems
    )
    problems.raise_if_any()
    return files


# ---------------------------------------------------------------- public and applicant


class VendorPages(Controller):
    include_in_schema = False

    @get("/vendors/apply", name="vendors:apply", guards=[requires_user])
    async def apply_form(self, request: Request[Any, Any, Any], user: SignedIn) -> Template:
        return Template(
            "vendors/apply.html",
            context={"form": {"email": user.email}, "errors": {}, **_form_context(request)},
        )

    @post("/vendors/apply", guards=[requires_user])
    async def apply(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: MultipartData,
    ) -> Template | Redirect:
        async def submit() -> Vendor:
            files = await _collect(request, data)
            return await services.apply(
                db_session, settings_of(request), user, VendorApplication.from_mapping(data),
                files,
            )

        vendor = await attempt(db_session, submit, shown=EVERY_REFUSAL)
        if isinstance(vendor, Refusal):
            return Template(
                "vendors/apply.html",
                context={
                    "form": _text_fields(data), "errors": vendor.errors,
                    **_form_context(request),
                },
                status_code=vendor.status_code,
            )
        flash(
            request,
            f"'{vendor.name}' 입점 신청이 접수되었습니다. "
            "심사 결과는 이메일과 이 화면에서 알려 드립니다.",
            category="success",
        )
        return Redirect(f"/console/vendors/{vendor.id}")

    @get("/vendors", name="vendors:directory")
    async def directory(
        self,
        db_session: DbSession,
        type: FromQuery[str | None] = None,
        district: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[int | None] = None,
    ) -> Template:
        number = _page_number(page)
        enterprise_type = _enum_or_none(EnterpriseType, type)
        chosen_district = _enum_or_none(District, district)
        result = await queries.public_vendors(
            db_session, enterprise_type=enterprise_type, district=chosen_district, q=q,
            limit=PER_PAGE, offset=(number - 1) * PER_PAGE,
        )
        filters = {
            k: v for k, v in {
                "type": enterprise_type.value if enterprise_type else "",
                "district": chosen_district.value if chosen_district else "",
                "q": (q or "").strip(),
            }.items() if v
        }
        return Template(
            "vendors/directory.html",
            context={
                "result": result,
                "filters": filters,
                "q": filters.get("q", ""),
                "base_url": "/vendors?" + (urlencode(filters) + "&" if filters else ""),
            },
        )

    @get("/vendors/{vendor_id:int}", name="vendors:detail")
    async def detail(
        self, viewer: Viewer, db_session: DbSession, vendor_id: FromPath[int]
    ) -> Template:
        vendor = await queries.visible_vendor(db_session, vendor_id, viewer)
        products = await queries.published_products(db_session, vendor.id)
        return Template(
            "vendors/detail.html",
            context={
                "vendor": vendor,
                "brn": format_registration_number(vendor.business_registration_number),
                "products": products,
                "valid_today": vendor.certification_valid_on(seoul_today()),
            },
        )


# ---------------------------------------------------------------- admin review


class AdminVendorPages(Controller):
    path = "/admin/vendors"
    include_in_schema = False
    guards = [requires_admin]

    @get("/", name="vendors:admin_queue")
    async def queue(
        self,
        db_session: DbSession,
        status: FromQuery[str | None] = None,
        page: FromQuery[int | None] = None,
    ) -> Template:
        chosen = _enum_or_none(VendorStatus, status) or VendorStatus.APPLIED
        number = _page_number(page)
        result = await queries.vendors_by_status(
            db_session, chosen, limit=PER_PAGE, offset=(number - 1) * PER_PAGE
        )
        return Template(
            "vendors/admin_queue.html",
            context={
                "result": result,
                "chosen": chosen,
                "statuses": list(VendorStatus),
                "counts": await queries.status_counts(db_session),
                "base_url": f"/admin/vendors?status={chosen.value}&",
            },
        )

    async def _detail(
        self,
        db_session: DbSession,
        vendor_id: int,
        *,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        vendor = await queries.vendor_or_404(db_session, vendor_id)
        return Template(
            "vendors/admin_detail.html",
            context={
                "vendor": vendor,
                "brn": format_registration_number(vendor.business_registration_number),
                "history": await queries.history(db_session, vendor.id),
                "members": await queries.members(db_session, vendor.id),
                "actions": [
                    (name, d) for name, d in services.DECISIONS.items()
                    if d.source is vendor.status
                ],
                "pre_social_end": (
                    pre_social_end(vendor.certified_from)
                    if vendor.enterprise_type.value.startswith("pre_social") else None
                ),
                "errors": errors or {},
                "form": form or {},
            },
            status_code=status_code,
        )

    @get("/{vendor_id:int}", name="vendors:admin_detail")
    async def detail(self, db_session: DbSession, vendor_id: FromPath[int]) -> Template:
        return await self._detail(db_session, vendor_id)

    @post("/{vendor_id:int}/decision")
    async def decision(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        action = data.get("action", "")
        vendor = await attempt(
            db_session,
            lambda: services.decide(db_session, vendor_id, user, action, data.get("reason", "")),
            shown=EVERY_REFUSAL,
        )
        if isinstance(vendor, Refusal):
            errors = vendor.errors
            if "reason" not in errors:
                errors = {"_form": vendor.message}
            return await self._detail(
                db_session, vendor_id, errors=errors, status_code=vendor.status_code,
                form={"action": action, "reason": data.get("reason", "")},
            )
        label = services.DECISIONS[action].label
        flash(request, f"'{vendor.name}'을(를) {label} 처리했습니다.", category="success")
        return Redirect(f"/admin/vendors/{vendor.id}")

    @get("/{vendor_id:int}/documents/{document_id:int}", name="vendors:admin_document")
    async def document(
        self, request: Request[Any, Any, Any], db_session: DbSession, vendor_id: FromPath[int],
        document_id: FromPath[int],
    ) -> File:
        return await document_file(request, db_session, vendor_id, document_id)


# ---------------------------------------------------------------- vendor console


class VendorConsolePages(Controller):
    path = "/console/vendors"
    include_in_schema = False
    guards = [requires_user]

    async def _overview(
        self,
        request: Request[Any, Any, Any],
        user: User,
        db_session: DbSession,
        vendor_id: int,
        *,
        profile_errors: dict[str, str] | None = None,
        resubmit_errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        history = await queries.history(db_session, vendor.id)
        return Template(
            "vendors/console_vendor.html",
            context={
                "vendor": vendor,
                "is_owner": user.is_admin
                or await member_role(db_session, user, vendor.id) is MemberRole.OWNER,
                "history": history,
                "form": form or _vendor_form(vendor),
                "profile_errors": profile_errors or {},
                "errors": resubmit_errors or {},
                **_form_context(request),
            },
            status_code=status_code,
        )

    @get("/{vendor_id:int}", name="vendors:console")
    async def overview(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_id: FromPath[int],
    ) -> Template:
        return await self._overview(request, user, db_session, vendor_id)

    @post("/{vendor_id:int}/profile")
    async def update_profile(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def save() -> None:
            changes = services.ProfileUpdate(
                representative=data.get("representative"),
                district=data.get("district"),
                phone=data.get("phone"),
                email=data.get("email"),
                description=data.get("description"),
                delivery_fee=_amount(data.get("delivery_fee"), "delivery_fee"),
                free_delivery_over=_amount(data.get("free_delivery_over"), "free_delivery_over"),
                clear_free_delivery=(data.get("free_delivery_over", "").strip() == ""),
            )
            await services.update_profile(db_session, vendor_id, user, changes)

        refused = await attempt(db_session, save, shown=EVERY_REFUSAL)
        if isinstance(refused, Refusal):
            vendor = await vendor_for_member(db_session, user, vendor_id)
            return await self._overview(
                request, user, db_session, vendor_id, profile_errors=refused.errors,
                form={**_vendor_form(vendor), **_text_fields(data)},
                status_code=refused.status_code,
            )
        flash(request, "기업 정보를 저장했습니다.", category="success")
        return Redirect(f"/console/vendors/{vendor_id}")

    @post("/{vendor_id:int}/resubmit")
    async def resubmit(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_id: FromPath[int], data: MultipartData,
    ) -> Template | Redirect:
        async def submit() -> None:
            files = await _collect(request, data)
            await services.resubmit(
                db_session, settings_of(request), vendor_id, user,
                VendorApplication.from_mapping(data), files, data.get("reason") or "",
            )

        refused = await attempt(db_session, submit, shown=EVERY_REFUSAL)
        if isinstance(refused, Refusal):
            return await self._overview(
                request, user, db_session, vendor_id, resubmit_errors=refused.errors,
                form=_text_fields(data), status_code=refused.status_code,
            )
        flash(request, "재신청했습니다. 심사 결과를 기다려 주세요.", category="success")
        return Redirect(f"/console/vendors/{vendor_id}")

    async def _members(
        self,
        user: User,
        db_session: DbSession,
        vendor_id: int,
        *,
        invite_link: str | None = None,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return Template(
            "vendors/console_members.html",
            context={
                "vendor": vendor,
                "is_owner": user.is_admin
                or await member_role(db_session, user, vendor.id) is MemberRole.OWNER,
                "members": await queries.members(db_session, vendor.id),
                "invitations": await queries.pending_invitations(db_session, vendor.id),
                "role_options": [(r.value, r.label) for r in MemberRole],
                "invite_link": invite_link,
                "errors": errors or {},
                "form": form or {},
                "invitation_days": services.INVITATION_DAYS,
            },
            status_code=status_code,
        )

    @get("/{vendor_id:int}/members", name="vendors:members")
    async def members(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int]
    ) -> Template:
        return await self._members(user, db_session, vendor_id)

    @post("/{vendor_id:int}/members")
    async def invite(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_id: FromPath[int], data: FormData,
    ) -> Template:
        email = data.get("email", "")
        token = await attempt(
            db_session,
            lambda: services.invite_member(
                db_session, vendor_id, user, email, data.get("role") or MemberRole.STAFF
            ),
            shown=EVERY_REFUSAL,
        )
        if isinstance(token, Refusal):
            return await self._members(
                user, db_session, vendor_id, errors=token.errors,
                form=_text_fields(data), status_code=token.status_code,
            )
        flash(request, f"{email.strip()}님에게 초대장을 보냅니다.", category="success")
        link = str(request.base_url).rstrip("/") + f"/invitations/{token}"
        return await self._members(user, db_session, vendor_id, invite_link=link)


def _amount(raw: str | None, field: str) -> int | None:
    if raw is None or not raw.strip():
        return None
    value = raw.replace(",", "").replace("원", "").strip()
    if not value.isdigit():
        raise InvalidInput(
            VendorErrorCode.INVALID_AMOUNT, "금액은 숫자(원)로 입력해 주세요.", field=field
        )
    return int(value)


# ---------------------------------------------------------------- invitations


class InvitationPages(Controller):
    path = "/invitations"
    include_in_schema = False

    async def _page(
        self, viewer: User | None, db_session: DbSession, token: str,
        *, error: str | None = None, status_code: int = 200,
    ) -> Template:
        invitation = await services.invitation_for_token(db_session, token)
        vendor = await queries.vendor_or_404(db_session, invitation.vendor_id)
        return Template(
            "vendors/invitation.html",
            context={
                "invitation": invitation, "vendor": vendor, "token": token,
                "user": viewer, "error": error,
            },
            status_code=status_code,
        )

    @get("/{token:str}", name="vendors:invitation")
    async def show(
        self, viewer: Viewer, db_session: DbSession, token: FromPath[str]
    ) -> Template:
        return await self._page(viewer, db_session, token)

    @post("/{token:str}", guards=[requires_user])
    async def accept(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        token: FromPath[str],
    ) -> Template | Redirect:
        member = await attempt(
            db_session, lambda: services.accept_invitation(db_session, token, user), shown={403}
        )
        if isinstance(member, Refusal):
            return await self._page(
                user, db_session, token, error=member.message, status_code=403
            )
        vendor = await queries.vendor_or_404(db_session, member.vendor_id)
        flash(
            request, f"'{vendor.name}'의 {member.role.label}(으)로 합류했습니다.",
            category="success",
        )
        return Redirect(f"/console/vendors/{vendor.id}")


ROUTES: list[Any] = [VendorPages, AdminVendorPages, VendorConsolePages, InvitationPages]

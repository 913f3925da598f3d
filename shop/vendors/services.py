"""Vendor onboarding use cases: each one checks, changes, records its event, and commits.

Every use case is one transaction: the rows it changes, the audit row of a status change
(:class:`VendorStatusChange`, with who and why) and the outbox event commit together or not
at all (an ``infra.db.transaction`` block). Rules are checked before the block, so a refused
transition is a 409 from :data:`VENDOR_TRANSITIONS` that changes nothing and leaves the
session as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.accounts.services import grant_role
from infra.clock import as_utc as _aware
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import AccessErrorCode, Conflict, Forbidden, InvalidInput, NotFound, Problems
from infra.outbox import record
from infra.settings import Settings
from shop.vendors import documents
from shop.vendors.access import vendor_for_member
from shop.vendors.errors import VendorErrorCode
from shop.vendors.events import (
    VendorApplied,
    VendorApproved,
    VendorEvent,
    VendorMemberInvited,
    VendorMemberJoined,
    VendorProfileUpdated,
    VendorReinstated,
    VendorRejected,
    VendorResubmitted,
    VendorSuspended,
)
from shop.vendors.models import (
    VENDOR_TRANSITIONS,
    MemberRole,
    Vendor,
    VendorDocument,
    VendorInvitation,
    VendorMember,
    VendorStatus,
    VendorStatusChange,
)
from shop.vendors.rules import (
    CheckedDocument,
    CleanApplication,
    IncomingDocument,
    VendorApplication,
    check_documents,
    clean_application,
    clean_reason,
    normalise_email,
    normalise_phone,
)
from shop.vendors.types import District

INVITATION_DAYS = 7




async def _get_vendor(session: AsyncSession, vendor_id: int) -> Vendor:
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(
            VendorErrorCode.VENDOR_NOT_FOUND, "입점기업을 찾을 수 없습니다.", field="vendor_id"
        )
    return vendor


async def _registration_number_taken(
    session: AsyncSession, digits: str, *, except_vendor_id: int | None = None
) -> bool:
    stmt = select(func.count(Vendor.id)).where(Vendor.business_registration_number == digits)
    if except_vendor_id is not None:
        stmt = stmt.where(Vendor.id != except_vendor_id)
    return bool(await session.scalar(stmt))


def _taken() -> Conflict:
    return Conflict(
        VendorErrorCode.REGISTRATION_NUMBER_TAKEN,
        "이미 입점 신청된 사업자등록번호입니다. 기존 신청의 대표 관리자에게 초대를 요청해 주세요.",
        field="business_registration_number",
    )


def _document_rows(vendor_id: int, checked: Sequence[CheckedDocument]) -> list[VendorDocument]:
    return [
        VendorDocument(
            vendor_id=vendor_id,
            kind=doc.kind,
            filename=doc.filename,
            content_type=doc.content_type,
            size_bytes=doc.size,
            sha256=doc.sha256,
            storage_path=documents.storage_path_for(vendor_id, doc),
        )
        for doc in checked
    ]


def _apply_fields(vendor: Vendor, clean: CleanApplication) -> None:
    vendor.name = clean.name
    vendor.enterprise_type = clean.enterprise_type
    vendor.business_registration_number = clean.business_registration_number
    vendor.representative = clean.representative
    vendor.district = clean.district
    vendor.phone = clean.phone
    vendor.email = clean.email
    vendor.description = clean.description
    vendor.certification_number = clean.certification_number
    vendor.certified_from = clean.certified_from
    vendor.certified_to = clean.certified_to


@asynccontextmanager
async def _transaction_with_files(
    session: AsyncSession,
) -> AsyncIterator[list[documents.StoredFile]]:
    """The use case's transaction, for one that writes document files: the files collected
    in the yielded list are removed again unless it commits, and a concurrent application
    with the same registration number (the unique index) is the 409 of ``_taken``."""
    stored: list[documents.StoredFile] = []
    try:
        async with transaction(session):
            yield stored
    except IntegrityError as exc:
        await documents.discard(stored)
        if "business_registration_number" in str(exc.orig):
            raise _taken() from exc
        raise
    except BaseException:
        await documents.discard(stored)
        raise


async def _attach_files(
    settings: Settings, vendor: Vendor, checked: Sequence[CheckedDocument]
) -> list[documents.StoredFile]:
    """Write the files and add their rows (the caller's transaction commits them)."""
    stored = await documents.write_files(settings, vendor.id, checked) if checked else []
    vendor.documents.extend(_document_rows(vendor.id, checked))
    return stored


# ---------------------------------------------------------------- application


async def apply(
    session: AsyncSession,
    settings: Settings,
    applicant: User,
    form: VendorApplication,
    files: Sequence[IncomingDocument],
) -> Vendor:
    """입점 신청: a new vendor in review; the applicant becomes its owner (대표 관리자)."""
    problems = Problems()
    clean = clean_application(form, problems)
    checked = check_documents(
        files, settings.max_upload_bytes, problems, require_registration=True
    )
    problems.raise_if_any()
    assert clean is not None
    if await _registration_number_taken(session, clean.business_registration_number):
        raise _taken()

    user = await session.get(User, applicant.id)
    if user is None:
        raise Forbidden(AccessErrorCode.LOGIN_REQUIRED, "로그인이 필요합니다.")
    async with _transaction_with_files(session) as stored:
        vendor = Vendor(status=VendorStatus.APPLIED, applied_by_user_id=user.id, documents=[],
                        members=[])
        _apply_fields(vendor, clean)
        session.add(vendor)
        await session.flush()  # a concurrent application with the same number fails here: 409
        vendor.members.append(
            VendorMember(vendor_id=vendor.id, user_id=user.id, role=MemberRole.OWNER)
        )
        await grant_role(session, user, Role.VENDOR_MEMBER)
        session.add(
            VendorStatusChange(
                vendor_id=vendor.id, from_status=None, to_status=VendorStatus.APPLIED,
                actor_user_id=user.id, reason="입점 신청",
            )
        )
        record(
            session,
            VendorApplied(
                id=vendor.id, actor_user_id=user.id, vendor_name=vendor.name,
                enterprise_type=vendor.enterprise_type.value,
            ),
        )
        stored.extend(await _attach_files(settings, vendor, checked))
    return vendor


async def resubmit(
    session: AsyncSession,
    settings: Settings,
    vendor_id: int,
    actor: User,
    form: VendorApplication | None = None,
    files: Sequence[IncomingDocument] = (),
    reason: str = "",
) -> Vendor:
    """재신청: after a rejection the owner corrects the application and sends it back."""
    vendor = await vendor_for_member(session, actor, vendor_id, owner_only=True)
    VENDOR_TRANSITIONS.check(vendor.status, VendorStatus.APPLIED)
    problems = Problems()
    clean = clean_application(form, problems) if form is not None else None
    checked = check_documents(
        files, settings.max_upload_bytes, problems, require_registration=False
    )
    problems.raise_if_any()
    if clean is not None and await _registration_number_taken(
        session, clean.business_registration_number, except_vendor_id=vendor.id
    ):
        raise _taken()
    async with _transaction_with_files(session) as stored:
        if clean is not None:
            _apply_fields(vendor, clean)
        _change_status(
            session, vendor, VendorStatus.APPLIED, actor, clean_reason(reason) or "재신청"
        )
        record(
            session,
            VendorResubmitted(
                id=vendor.id, actor_user_id=actor.id, reason=vendor.status_reason
            ),
        )
        stored.extend(await _attach_files(settings, vendor, checked))
    return vendor


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Decision:
    """One admin action: the status it leads to, the status it starts from, its event."""

    target: VendorStatus
    source: VendorStatus
    event: type[VendorEvent]
    reason_required: bool
    label: str


DECISIONS: dict[str, Decision] = {
    "approve": Decision(VendorStatus.APPROVED, VendorStatus.APPLIED, VendorApproved, False, "승인"),
    "reject": Decision(VendorStatus.REJECTED, VendorStatus.APPLIED, VendorRejected, True, "반려"),
    "suspend": Decision(
        VendorStatus.SUSPENDED, VendorStatus.APPROVED, VendorSuspended, True, "정지"
    ),
    "reinstate": Decision(
        VendorStatus.APPROVED, VendorStatus.SUSPENDED, VendorReinstated, False, "재개"
    ),
}


def _change_status(
    session: AsyncSession, vendor: Vendor, target: VendorStatus, actor: User, reason: str
) -> None:
    VENDOR_TRANSITIONS.check(vendor.status, target)
    session.add(
        VendorStatusChange(
            vendor_id=vendor.id, from_status=vendor.status, to_status=target,
            actor_user_id=actor.id, reason=reason,
        )
    )
    vendor.status = target
    vendor.status_reason = reason


async def decide(
    session: AsyncSession, vendor_id: int, actor: User, action: str, reason: str | None = ""
) -> Vendor:
    """Approve, reject, suspend or reinstate (platform admins only), recording who and why."""
    decision = DECISIONS.get(action)
    if decision is None:
        raise InvalidInput(VendorErrorCode.UNKNOWN_ACTION, "알 수 없는 처리입니다.", field="action")
    if not actor.is_admin:
        raise Forbidden(VendorErrorCode.ADMIN_ONLY, "플랫폼 관리자만 심사할 수 있습니다.")
    vendor = await _get_vendor(session, vendor_id)
    VENDOR_TRANSITIONS.check(vendor.status, decision.target)
    if vendor.status is not decision.source:
        raise Conflict(
            VendorErrorCode.WRONG_STATE_FOR_ACTION,
            f"'{vendor.status.label}' 상태의 입점기업은 '{decision.label}'할 수 없습니다.",
            field="status",
            extra={"current": vendor.status.value, "requested": decision.target.value},
        )
    why = clean_reason(reason)
    if decision.reason_required and not why:
        raise InvalidInput(
            VendorErrorCode.REASON_REQUIRED,
            f"{decision.label} 사유를 입력해 주세요. 입점기업에 그대로 전달됩니다.",
            field="reason",
        )
    async with transaction(session):
        _change_status(session, vendor, decision.target, actor, why)
        if decision.target is VendorStatus.APPROVED and vendor.approved_at is None:
            vendor.approved_at = utcnow()
        record(session, decision.event(id=vendor.id, actor_user_id=actor.id, reason=why))
    return vendor


async def approve(session: AsyncSession, vendor_id: int, actor: User, reason: str = "") -> Vendor:
    return await decide(session, vendor_id, actor, "approve", reason)


async def reject(session: AsyncSession, vendor_id: int, actor: User, reason: str) -> Vendor:
    return await decide(session, vendor_id, actor, "reject", reason)


async def suspend(session: AsyncSession, vendor_id: int, actor: User, reason: str) -> Vendor:
    return await decide(session, vendor_id, actor, "suspend", reason)


async def reinstate(session: AsyncSession, vendor_id: int, actor: User, reason: str = "") -> Vendor:
    return await decide(session, vendor_id, actor, "reinstate", reason)


# ---------------------------------------------------------------- profile


@dataclass(frozen=True)
class ProfileUpdate:
    """What members may change without a new review; ``None`` leaves a field as it is."""

    representative: str | None = None
    district: str | None = None
    phone: str | None = None
    email: str | None = None
    description: str | None = None
    delivery_fee: int | None = None
    free_delivery_over: int | None = None
    clear_free_delivery: bool = False


async def update_profile(
    session: AsyncSession, vendor_id: int, actor: User, changes: ProfileUpdate
) -> Vendor:
    """기업 정보 수정 by a member; name, number and certification need a new review instead."""
    vendor = await vendor_for_member(session, actor, vendor_id)
    problems = Problems()
    values: dict[str, object] = {}
    if changes.representative is not None:
        value = changes.representative.strip()
        if not value or len(value) > 60:
            problems.add(
                VendorErrorCode.REQUIRED,
                "representative",
                "대표자 이름을 60자 이내로 입력해 주세요.",
            )
        values["representative"] = value
    if changes.district is not None:
        district = next((d for d in District if d.value == changes.district.strip()), None)
        if district is None:
            problems.add(
                VendorErrorCode.INVALID_DISTRICT, "district", "서울시 자치구를 선택해 주세요."
            )
        values["district"] = district
    if changes.phone is not None:
        phone = normalise_phone(changes.phone)
        if phone is None:
            problems.add(
                VendorErrorCode.INVALID_PHONE, "phone", "전화번호 형식이 올바르지 않습니다."
            )
        values["phone"] = phone
    if changes.email is not None:
        email = normalise_email(changes.email)
        if email is None:
            problems.add(
                VendorErrorCode.INVALID_EMAIL, "email", "올바른 이메일 주소를 입력해 주세요."
            )
        values["email"] = email
    if changes.description is not None:
        if len(changes.description.strip()) > 5000:
            problems.add(VendorErrorCode.TOO_LONG, "description", "5000자 이내로 입력해 주세요.")
        values["description"] = changes.description.strip()
    for name in ("delivery_fee", "free_delivery_over"):
        amount = getattr(changes, name)
        if amount is not None:
            if not 0 <= amount <= 1_000_000:
                problems.add(
                    VendorErrorCode.INVALID_AMOUNT,
                    name,
                    "0원에서 1,000,000원 사이로 입력해 주세요.",
                )
            values[name] = amount
    if changes.clear_free_delivery:
        values["free_delivery_over"] = None
    problems.raise_if_any()
    async with transaction(session):
        changed = [name for name, value in values.items() if getattr(vendor, name) != value]
        for name in changed:
            setattr(vendor, name, values[name])
        if changed:
            record(
                session,
                VendorProfileUpdated(
                    id=vendor.id, actor_user_id=actor.id, reason=", ".join(changed)
                ),
            )
    return vendor


# ---------------------------------------------------------------- members


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def invite_member(
    session: AsyncSession,
    vendor_id: int,
    actor: User,
    email: str,
    role: MemberRole | str = MemberRole.STAFF,
) -> str:
    """Invite someone by e-mail; returns the token once (only its SHA-256 is kept).

    The e-mail is sent later by a worker reacting to ``vendor.member_invited``.
    """
    vendor = await vendor_for_member(session, actor, vendor_id, owner_only=True)
    problems = Problems()
    address = normalise_email(email)
    if address is None:
        problems.add(VendorErrorCode.INVALID_EMAIL, "email", "올바른 이메일 주소를 입력해 주세요.")
    member_role = next((r for r in MemberRole if r.value == str(role)), None)
    if member_role is None:
        problems.add(VendorErrorCode.INVALID_ROLE, "role", "역할을 선택해 주세요.")
    problems.raise_if_any()
    assert address is not None and member_role is not None
    already = await session.scalar(
        select(func.count(VendorMember.id))
        .join(User, User.id == VendorMember.user_id)
        .where(VendorMember.vendor_id == vendor.id, User.email == address)
    )
    if already:
        raise Conflict(
            VendorErrorCode.ALREADY_MEMBER, "이미 이 기업의 구성원입니다.", field="email"
        )
    async with transaction(session):
        token = "inv_" + secrets.token_urlsafe(32)
        session.add(
            VendorInvitation(
                vendor_id=vendor.id,
                email=address,
                role=member_role,
                token_hash=token_hash(token),
                invited_by_user_id=actor.id,
                expires_at=utcnow() + dt.timedelta(days=INVITATION_DAYS),
            )
        )
        record(
            session,
            VendorMemberInvited(
                id=vendor.id, actor_user_id=actor.id, email=address, role=member_role.value
            ),
        )
    return token


async def invitation_for_token(session: AsyncSession, token: str) -> VendorInvitation:
    """The invitation a token names, if it is still open; otherwise a clear error."""
    invitation = await session.scalar(
        select(VendorInvitation).where(VendorInvitation.token_hash == token_hash(token or ""))
    )
    if invitation is None:
        raise NotFound(
            VendorErrorCode.INVITATION_NOT_FOUND,
            "초대장을 찾을 수 없습니다. 링크를 확인해 주세요.",
            field="token",
        )
    if invitation.accepted_at is not None:
        raise Conflict(VendorErrorCode.INVITATION_USED, "이미 수락된 초대장입니다.", field="token")
    if _aware(invitation.expires_at) < utcnow():
        raise Conflict(
            VendorErrorCode.INVITATION_EXPIRED,
            "초대장의 유효기간(7일)이 지났습니다. 대표 관리자에게 다시 요청해 주세요.",
            field="token",
        )
    return invitation


async def accept_invitation(session: AsyncSession, token: str, user: User) -> VendorMember:
    """초대 수락: the signed-in person whose e-mail was invited joins the vendor."""
    invitation = await invitation_for_token(session, token)
    person = await session.get(User, user.id)
    if person is None:
        raise Forbidden(AccessErrorCode.LOGIN_REQUIRED, "로그인이 필요합니다.")
    if person.email.lower() != invitation.email.lower():
        raise Forbidden(
            VendorErrorCode.INVITATION_EMAIL_MISMATCH,
            f"이 초대장은 {invitation.email} 계정으로 로그인해야 수락할 수 있습니다.",
            field="token",
        )
    member = await session.scalar(
        select(VendorMember).where(
            VendorMember.vendor_id == invitation.vendor_id, VendorMember.user_id == person.id
        )
    )
    async with transaction(session):
        invitation.accepted_at = utcnow()
        if member is None:
            member = VendorMember(
                vendor_id=invitation.vendor_id, user_id=person.id, role=invitation.role
            )
            session.add(member)
            await grant_role(session, person, Role.VENDOR_MEMBER)
            record(
                session,
                VendorMemberJoined(
                    id=invitation.vendor_id, actor_user_id=person.id, user_id=person.id,
                    role=invitation.role.value,
                ),
            )
    return member

"""Read-side questions about vendors: the public directory, the review queue, the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.errors import NotFound
from shop.vendors.access import member_role
from shop.vendors.errors import VendorErrorCode
from shop.vendors.models import (
    MemberRole,
    Vendor,
    VendorDocument,
    VendorInvitation,
    VendorMember,
    VendorStatus,
    VendorStatusChange,
)
from shop.vendors.types import District, EnterpriseType

MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    items: list[Vendor]
    total: int
    limit: int
    offset: int

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


def _bounded(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)


async def _page(session: AsyncSession, stmt: Any, limit: int, offset: int) -> Page:
    limit, offset = _bounded(limit, offset)
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = await session.scalars(stmt.limit(limit).offset(offset))
    return Page(list(rows.all()), int(total or 0), limit, offset)


async def public_vendors(
    session: AsyncSession,
    *,
    enterprise_type: EnterpriseType | None = None,
    district: District | None = None,
    q: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page:
    """Approved vendors only, filtered by type, district and a word in the name or story."""
    stmt = select(Vendor).where(Vendor.status == VendorStatus.APPROVED)
    if enterprise_type is not None:
        stmt = stmt.where(Vendor.enterprise_type == enterprise_type)
    if district is not None:
        stmt = stmt.where(Vendor.district == district)
    if q and q.strip():
        word = q.strip()[:100]
        stmt = stmt.where(
            or_(
                Vendor.name.icontains(word, autoescape=True),
                Vendor.description.icontains(word, autoescape=True),
            )
        )
    return await _page(session, stmt.order_by(Vendor.name, Vendor.id), limit, offset)


async def vendors_by_status(
    session: AsyncSession, status: VendorStatus | None, *, limit: int = 20, offset: int = 0
) -> Page:
    """The review queue: oldest application first, so nobody waits behind later ones."""
    stmt = select(Vendor)
    if status is not None:
        stmt = stmt.where(Vendor.status == status)
    return await _page(session, stmt.order_by(Vendor.created_at, Vendor.id), limit, offset)


async def status_counts(session: AsyncSession) -> dict[VendorStatus, int]:
    rows = await session.execute(
        select(Vendor.status, func.count(Vendor.id)).group_by(Vendor.status)
    )
    counts = dict.fromkeys(VendorStatus, 0)
    for status, count in rows.all():
        counts[VendorStatus(status)] = int(count)
    return counts


async def visible_vendor(session: AsyncSession, vendor_id: int, user: User | None) -> Vendor:
    """A vendor as a visitor may see it: approved ones for everybody, any for admins and members."""
    vendor = await session.get(Vendor, vendor_id)
    if vendor is not None and (
        vendor.status is VendorStatus.APPROVED
        or (user is not None and (user.is_admin or await member_role(session, user, vendor_id)))
    ):
        return vendor
    raise _vendor_not_found()


def _vendor_not_found() -> NotFound:
    return NotFound(
        VendorErrorCode.VENDOR_NOT_FOUND, "입점기업을 찾을 수 없습니다.", field="vendor_id"
    )


async def vendor_or_404(session: AsyncSession, vendor_id: int) -> Vendor:
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise _vendor_not_found()
    return vendor


async def document_of(session: AsyncSession, vendor_id: int, document_id: int) -> VendorDocument:
    doc = await session.get(VendorDocument, document_id)
    if doc is None or doc.vendor_id != vendor_id:
        raise NotFound(
            VendorErrorCode.DOCUMENT_NOT_FOUND, "서류를 찾을 수 없습니다.", field="document_id"
        )
    return doc


@dataclass(frozen=True)
class HistoryEntry:
    change: VendorStatusChange
    actor_name: str | None
    actor_email: str | None


async def history(session: AsyncSession, vendor_id: int) -> list[HistoryEntry]:
    """Every status change of a vendor, oldest first, with who made it."""
    rows = await session.execute(
        select(VendorStatusChange, User.display_name, User.email)
        .outerjoin(User, User.id == VendorStatusChange.actor_user_id)
        .where(VendorStatusChange.vendor_id == vendor_id)
        .order_by(VendorStatusChange.created_at, VendorStatusChange.id)
    )
    return [HistoryEntry(change, name, email) for change, name, email in rows.all()]


@dataclass(frozen=True)
class MemberEntry:
    user_id: int
    display_name: str
    email: str
    role: MemberRole
    joined_at: dt.datetime


async def members(session: AsyncSession, vendor_id: int) -> list[MemberEntry]:
    rows = await session.execute(
        select(VendorMember, User)
        .join(User, User.id == VendorMember.user_id)
        .where(VendorMember.vendor_id == vendor_id)
        .order_by(VendorMember.role, VendorMember.created_at)
    )
    return [
        MemberEntry(u.id, u.display_name, u.email, m.role, m.created_at) for m, u in rows.all()
    ]


async def pending_invitations(session: AsyncSession, vendor_id: int) -> list[VendorInvitation]:
    now = utcnow()
    rows = await session.scalars(
        select(VendorInvitation)
        .where(
            VendorInvitation.vendor_id == vendor_id,
            VendorInvitation.accepted_at.is_(None),
            VendorInvitation.expires_at > now,
        )
        .order_by(VendorInvitation.created_at.desc())
    )
    return list(rows.all())


async def published_products(session: AsyncSession, vendor_id: int, limit: int = 60) -> list[Any]:
    """The vendor's products on sale, for its public page (the catalog owns the model)."""
    from shop.catalog.models import Product, ProductStatus

    rows = await session.scalars(
        select(Product)
        .where(Product.vendor_id == vendor_id, Product.status == ProductStatus.PUBLISHED)
        .order_by(Product.published_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return list(rows.all())

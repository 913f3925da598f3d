"""Who may act for a vendor: its members (owner, staff) and platform admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.errors import AccessErrorCode, Forbidden, NotFound
from shop.vendors.errors import VendorErrorCode as Code
from shop.vendors.models import MemberRole, Vendor, VendorMember


async def vendors_of(session: AsyncSession, user: User) -> list[Vendor]:
    rows = await session.scalars(
        select(Vendor)
        .join(VendorMember, VendorMember.vendor_id == Vendor.id)
        .where(VendorMember.user_id == user.id)
        .order_by(Vendor.name)
    )
    return list(rows.all())


async def member_role(session: AsyncSession, user: User, vendor_id: int) -> MemberRole | None:
    return await session.scalar(
        select(VendorMember.role).where(
            VendorMember.vendor_id == vendor_id, VendorMember.user_id == user.id
        )
    )


async def vendor_for_member(
    session: AsyncSession,
    user: User | None,
    vendor_id: int,
    *,
    owner_only: bool = False,
) -> Vendor:
    """The vendor, if ``user`` may act for it; 404 if it does not exist, 403 if not theirs."""
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(Code.VENDOR_NOT_FOUND, "입점기업을 찾을 수 없습니다.", field="vendor_id")
    if user is None:
        raise Forbidden(AccessErrorCode.LOGIN_REQUIRED, "로그인이 필요합니다.")
    if user.is_admin:
        return vendor
    role = await member_role(session, user, vendor_id)
    if role is None or (owner_only and role is not MemberRole.OWNER):
        raise Forbidden(
            Code.NOT_A_MEMBER, "이 입점기업의 구성원만 할 수 있습니다.", field="vendor_id"
        )
    return vendor

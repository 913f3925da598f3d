"""Rows for tests that need a vendor or a product without going through onboarding."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.accounts.services import create_user
from infra.clock import utcnow
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.catalog.taxonomy import Category
from shop.vendors.models import MemberRole, Vendor, VendorMember, VendorStatus
from shop.vendors.types import District, EnterpriseType

_counter = itertools.count(1)


def _brn(n: int) -> str:
    digits = [int(c) for c in f"{100 + n:03d}81{n % 100000:05d}"[:9]]
    total = sum(d * w for d, w in zip(digits, (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True))
    total += digits[8] * 5 // 10
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


async def make_user(session: AsyncSession, *roles: Role, email: str | None = None) -> User:
    n = next(_counter)
    return await create_user(
        session,
        email=email or f"user{n}@example.kr",
        password="password-123",
        display_name=f"사용자{n}",
        roles=list(roles) or [Role.SHOPPER],
    )


async def make_vendor(
    session: AsyncSession,
    *,
    name: str | None = None,
    status: VendorStatus = VendorStatus.APPROVED,
    enterprise_type: EnterpriseType = EnterpriseType.VILLAGE,
    district: District = District.SEONGBUK,
    owner: User | None = None,
) -> Vendor:
    n = next(_counter)
    vendor = Vendor(
        name=name or f"테스트협동조합{n}",
        enterprise_type=enterprise_type,
        business_registration_number=_brn(n),
        representative="홍길동",
        district=district,
        phone="02-123-4567",
        email=f"v{n}@example.kr",
        description="테스트 기업",
        certification_number=f"제2024-{n}호",
        certified_from=dt.date(2024, 1, 1),
        status=status,
    )
    session.add(vendor)
    await session.flush()
    if owner is not None:
        session.add(VendorMember(vendor_id=vendor.id, user_id=owner.id, role=MemberRole.OWNER))
    return vendor


async def make_product(
    session: AsyncSession,
    vendor: Vendor,
    name: str,
    *,
    price: int = 10_000,
    category: Category = Category.FOOD,
    status: ProductStatus = ProductStatus.PUBLISHED,
    strategic_items: list[str] | None = None,
    eco_friendly: bool = False,
) -> Product:
    n = next(_counter)
    product = Product(
        vendor_id=vendor.id,
        name=name,
        description=f"{name} 설명",
        category=category,
        status=status,
        strategic_items=strategic_items or [],
        eco_friendly=eco_friendly,
        published_at=utcnow() if status is ProductStatus.PUBLISHED else None,
        variants=[ProductVariant(sku=f"T-{n:05d}", price=price, stock=10)],
    )
    session.add(product)
    await session.flush()
    return product

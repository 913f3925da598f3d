"""Catalog test world: an approved vendor, one under review, their members and an outsider.

Vendors are made directly with the models (the vendor services are not needed here). Each
test gets its own upload directory, so files can be counted before and after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import create_user, issue_token
from infra.clock import utcnow
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.catalog.models import Product, ProductImage, ProductStatusChange, ProductVariant
from shop.catalog.rules import ProductDraft, VariantDraft
from shop.vendors.models import MemberRole, Vendor, VendorMember, VendorStatus
from shop.vendors.types import District, EnterpriseType
from tests.fixtures.apps import csrf_from, post_login  # noqa: F401 - used by the tests
from tests.fixtures.images import picture

PASSWORD = "password-1234"
PNG = picture("PNG")
JPEG = picture("JPEG")
WEBP = picture("WEBP")


@dataclasses.dataclass
class World:
    settings: Settings
    alice: User  # owner of the approved vendor
    bora: User  # owner of the vendor still under review
    mallory: User  # signed in, member of nothing
    admin: User
    approved: Vendor
    applied: Vendor
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def make_vendor(name: str, brn: str, status: VendorStatus) -> Vendor:
    return Vendor(
        name=name,
        enterprise_type=EnterpriseType.SOCIAL_COOPERATIVE,
        business_registration_number=brn,
        representative="대표",
        district=District.SEONGBUK,
        phone="02-000-0000",
        email=f"{brn}@example.kr",
        certification_number=f"CERT-{brn}",
        certified_from=dt.date(2024, 1, 1),
        status=status,
        approved_at=utcnow() if status is VendorStatus.APPROVED else None,
    )


def draft(**overrides: Any) -> ProductDraft:
    values: dict[str, Any] = {
        "name": "유기농 현미 쿠키",
        "category": "food",
        "description": "성북구 자활기업이 구운 쿠키",
        "strategic_items": ("green_agriculture",),
        "eco_friendly": True,
        "variants": (VariantDraft(sku="COOKIE-1", option_label="10개입", price=12000, stock=30),),
    }
    values.update(overrides)
    return ProductDraft(**values)


def product_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "유기농 현미 쿠키",
        "category": "food",
        "description": "성북구 자활기업이 구운 쿠키",
        "strategic_items": ["green_agriculture"],
        "eco_friendly": True,
        "variants": [
            {"sku": "COOKIE-1", "option_label": "10개입", "price": 12000, "stock": 30},
            {"sku": "COOKIE-2", "option_label": "20개입", "price": 22000, "stock": 10},
        ],
    }
    body.update(overrides)
    return body


@pytest.fixture
def catalog_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The suite's settings with a var directory (and so an upload directory) of its own."""
    return settings.with_(var_dir=tmp_path / "var", search_path=tmp_path / "search")


@pytest.fixture
def app_settings(catalog_settings: Settings) -> Settings:
    """The suite's ``app`` (and ``client``) keeps uploads under the test's var directory."""
    return catalog_settings


@pytest.fixture
async def world(
    session_factory: async_sessionmaker[AsyncSession], catalog_settings: Settings
) -> World:
    async with session_factory() as session:
        alice = await create_user(session, email="alice@example.kr", password=PASSWORD,
                                  display_name="김앨리스", roles=[Role.VENDOR_MEMBER])
        bora = await create_user(session, email="bora@example.kr", password=PASSWORD,
                                 display_name="박보라", roles=[Role.VENDOR_MEMBER])
        mallory = await create_user(session, email="mallory@example.kr", password=PASSWORD,
                                    display_name="말로리", roles=[Role.VENDOR_MEMBER])
        admin = await create_user(session, email="admin@example.kr", password=PASSWORD,
                                  display_name="관리자", roles=[Role.ADMIN])
        approved = make_vendor("햇살협동조합", "1234567890", VendorStatus.APPROVED)
        applied = make_vendor("새싹마을기업", "2234567890", VendorStatus.APPLIED)
        session.add_all([approved, applied])
        await session.flush()
        session.add_all([
            VendorMember(vendor_id=approved.id, user_id=alice.id, role=MemberRole.OWNER),
            VendorMember(vendor_id=applied.id, user_id=bora.id, role=MemberRole.OWNER),
        ])
        tokens = {name: await issue_token(session, user) for name, user in
                  [("alice", alice), ("bora", bora), ("mallory", mallory), ("admin", admin)]}
        await session.commit()
    return World(
        settings=catalog_settings, alice=alice, bora=bora, mallory=mallory, admin=admin,
        approved=approved, applied=applied, tokens=tokens,
    )


@dataclasses.dataclass(frozen=True)
class Counts:
    products: int
    variants: int
    images: int
    status_changes: int
    events: int
    files: int


async def counts(factory: async_sessionmaker[AsyncSession], settings: Settings) -> Counts:
    """What the catalog has written so far: rows, outbox events and image files."""
    async with factory() as session:
        async def n(column: Any) -> int:
            return int(await session.scalar(select(func.count(column))) or 0)

        products = await n(Product.id)
        variants = await n(ProductVariant.id)
        images = await n(ProductImage.id)
        changes = await n(ProductStatusChange.id)
        events = await n(OutboxEvent.id)
    root = settings.upload_dir / "public" / "products"
    files = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return Counts(products, variants, images, changes, events, files)


async def event_names(factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with factory() as session:
        rows = await session.scalars(select(OutboxEvent.name).order_by(OutboxEvent.id))
        return list(rows.all())


async def last_event(factory: async_sessionmaker[AsyncSession]) -> OutboxEvent:
    async with factory() as session:
        row = await session.scalar(select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(1))
        assert row is not None
        return row


async def sign_in(client: AsyncTestClient[Litestar], email: str) -> None:
    response = await post_login(client, email, PASSWORD)
    assert response.status_code in (200, 302, 303), response.text


@pytest.fixture
async def member_client(
    client: AsyncTestClient[Litestar], world: World
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The test client signed in (session cookie) as alice, owner of the approved vendor."""
    await sign_in(client, "alice@example.kr")
    yield client

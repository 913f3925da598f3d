"""Shared set-up for the vendor tests: people, tokens, valid forms and sample files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import create_user, issue_token
from infra.outbox import OutboxEvent
from infra.settings import Settings
from shop.vendors import services
from shop.vendors.models import DocumentKind, Vendor, VendorStatus
from shop.vendors.rules import IncomingDocument, VendorApplication, registration_number_checksum_ok
from tests.fixtures import apps
from tests.fixtures.apps import app_client, csrf_from  # noqa: F401 - used by the tests

PASSWORD = "longenough1"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def brn(prefix: str) -> str:
    """A valid business registration number starting with nine given digits."""
    for digit in "0123456789":
        if registration_number_checksum_ok(prefix + digit):
            return prefix + digit
    raise AssertionError(prefix)


def application_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "마포 두레 협동조합",
        "enterprise_type": "cooperative",
        "business_registration_number": "220-81-62517",
        "representative": "김두레",
        "district": "마포구",
        "phone": "02-333-4567",
        "email": "hello@doore.kr",
        "description": "지역 농산물로 만든 한과와 쿠키",
        "certification_number": "2019-서울-0042",
        "certified_from": "2019-05-01",
        "certified_to": "",
    }
    fields.update(overrides)
    return fields


def registration_doc(data: bytes = PDF, name: str = "사업자등록증.pdf") -> IncomingDocument:
    return IncomingDocument(
        kind=DocumentKind.BUSINESS_REGISTRATION, filename=name,
        declared_type="application/pdf", data=data,
    )


async def make_user(
    session: AsyncSession, email: str, roles: list[Role] | None = None, name: str = "사용자"
) -> User:
    user = await create_user(
        session, email=email, password=PASSWORD, display_name=name, roles=roles
    )
    await session.commit()
    return user


async def bearer(session: AsyncSession, user: User) -> dict[str, str]:
    token = await issue_token(session, user)
    await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def login(client: AsyncTestClient[Any], email: str) -> None:
    """Sign in through the login form (a fresh browser: earlier cookies are dropped)."""
    await apps.login(client, email, PASSWORD)


async def new_vendor(
    session: AsyncSession,
    settings: Settings,
    owner: User,
    *,
    status: VendorStatus = VendorStatus.APPLIED,
    admin: User | None = None,
    **fields: str,
) -> Vendor:
    """A vendor applied through the service, then moved to ``status`` by ``admin``."""
    vendor = await services.apply(
        session, settings, owner, VendorApplication(**application_fields(**fields)),
        [registration_doc()],
    )
    path = {
        VendorStatus.APPLIED: [],
        VendorStatus.APPROVED: ["approve"],
        VendorStatus.REJECTED: ["reject"],
        VendorStatus.SUSPENDED: ["approve", "suspend"],
    }[status]
    for action in path:
        assert admin is not None
        vendor = await services.decide(session, vendor.id, admin, action, "테스트 사유")
    return vendor


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def files_under(settings: Settings) -> list[Path]:
    root = settings.upload_dir / "private"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class Snapshot:
    """Rows and files that bad input must leave exactly as they were."""

    def __init__(self, factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings

    async def take(self) -> tuple[int, int, list[Path]]:
        async with self.factory() as session:
            return (
                await count(session, Vendor),
                await count(session, OutboxEvent),
                files_under(self.settings),
            )


@pytest.fixture
async def admin(db_session: AsyncSession) -> User:
    return await make_user(db_session, "admin@jangteo.kr", [Role.ADMIN], "관리자")


@pytest.fixture
async def applicant(db_session: AsyncSession) -> User:
    return await make_user(db_session, "owner@doore.kr", name="김두레")


@pytest.fixture
async def shopper(db_session: AsyncSession) -> User:
    return await make_user(db_session, "shopper@example.kr", name="박구매")


@pytest.fixture
def snapshot(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> Snapshot:
    return Snapshot(session_factory, settings)


@pytest.fixture
async def small_upload_client(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[tuple[AsyncTestClient[Any], Settings]]:
    """An app whose upload limit is 4 KB, so a too-large file is cheap to send."""
    small = settings.with_(max_upload_bytes=4096, search_path=tmp_path / "search-small")
    async with app_client(small) as c:
        yield c, small

"""Settlement test world: three approved vendors (each with an owner and one product variant),
an admin, a staff member, and helpers to sign in and read CSRF tokens."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import create_user, issue_token
from shop.catalog.models import ProductVariant
from shop.vendors.models import MemberRole, Vendor, VendorMember
from tests.fixtures.apps import csrf_from, login  # noqa: F401 - used by the tests
from tests.shop.factories import make_vendor
from tests.shop.settlement.fake_stripe import FakeStripeServer
from tests.shop.shelf import stocked

PASSWORD = "password-123"
#: A Monday; settlement weeks in the tests start here (Seoul time).
WEEK1 = dt.date(2025, 3, 3)


@dataclasses.dataclass
class World:
    vendors: list[Vendor]
    variants: list[ProductVariant]
    owners: list[User]
    staff: User
    admin: User
    outsider: User
    tokens: dict[str, str]

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


async def build_world(session: AsyncSession) -> World:
    names = ["햇살협동조합", "차마을기업", "초록공방"]
    owners, vendors, variants = [], [], []
    for i, name in enumerate(names):
        owner = await create_user(session, email=f"owner{i}@example.kr", password=PASSWORD,
                                  display_name=f"대표{i}", roles=[Role.VENDOR_MEMBER])
        vendor = await make_vendor(session, name=name, owner=owner)
        variants.append(await stocked(session, vendor, stock=1000, price=10_000))
        owners.append(owner)
        vendors.append(vendor)
    staff = await create_user(session, email="staff@example.kr", password=PASSWORD,
                              display_name="직원", roles=[Role.VENDOR_MEMBER])
    session.add(VendorMember(vendor_id=vendors[0].id, user_id=staff.id, role=MemberRole.STAFF))
    admin = await create_user(session, email="admin@example.kr", password=PASSWORD,
                              display_name="관리자", roles=[Role.ADMIN])
    outsider = await create_user(session, email="outsider@example.kr", password=PASSWORD,
                                 display_name="남", roles=[Role.VENDOR_MEMBER])
    await session.flush()
    tokens = {
        "owner0": await issue_token(session, owners[0]),
        "owner1": await issue_token(session, owners[1]),
        "staff": await issue_token(session, staff),
        "admin": await issue_token(session, admin),
        "outsider": await issue_token(session, outsider),
    }
    await session.commit()
    return World(vendors, variants, owners, staff, admin, outsider, tokens)


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripeServer]:
    """A stand-in for Stripe's Connect API (transfers) on loopback, for payout tests."""
    server = FakeStripeServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    async with session_factory() as session:
        return await build_world(session)


async def sign_in(client: AsyncTestClient[Any], email: str) -> None:
    await login(client, email, PASSWORD)

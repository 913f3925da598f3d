"""Cart test world: two approved vendors with different delivery rules, their products, two
shoppers with API tokens, and helpers for the HTML forms."""

from __future__ import annotations

import dataclasses
import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from infra.accounts.services import issue_token
from shop.catalog.models import ProductVariant
from shop.vendors.models import Vendor
from tests.fixtures.apps import csrf_from, post_login  # noqa: F401 - used by the tests
from tests.shop.factories import make_user, make_vendor
from tests.shop.shelf import stocked

PASSWORD = "password-123"  # what tests.shop.factories.make_user gives everyone

Client = AsyncTestClient[Litestar]


@dataclasses.dataclass
class World:
    haessal: Vendor  # 배송비 3,000원, 50,000원 이상 무료
    dure: Vendor  # 배송비 2,500원, 무료배송 없음
    cookie: ProductVariant  # 햇살: 12,500원, 재고 10
    jam: ProductVariant  # 햇살: 8,000원, 재고 3
    hangwa: ProductVariant  # 두레: 15,000원, 재고 20
    ana: User
    ben: User
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    async with session_factory() as session:
        haessal = await make_vendor(session, name="햇살협동조합")
        haessal.delivery_fee, haessal.free_delivery_over = 3000, 50_000
        dure = await make_vendor(session, name="두레마을기업")
        dure.delivery_fee, dure.free_delivery_over = 2500, None
        cookie = await stocked(session, haessal, stock=10, price=12_500, name="현미 쿠키")
        jam = await stocked(session, haessal, stock=3, price=8000, name="딸기잼", option="250g")
        hangwa = await stocked(session, dure, stock=20, price=15_000, name="전통 한과")
        ana = await make_user(session, email="ana@example.kr")
        ben = await make_user(session, email="ben@example.kr")
        tokens = {"ana": await issue_token(session, ana), "ben": await issue_token(session, ben)}
        await session.commit()
    return World(haessal, dure, cookie, jam, hangwa, ana, ben, tokens)


def error_beside(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="e-{re.escape(field)}">([^<]+)</p>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


async def sign_in(client: Client, email: str) -> str:
    """Sign in through the form; returns the page the redirect leads to."""
    response = await post_login(client, email, PASSWORD)
    assert response.status_code == 200, response.text
    return response.text

"""The paying world shared by the checkout and order tests (and the settlement test that
reads real orders): two approved vendors with stock, an app paying through a real
localstripe, and helpers to place and pay an order through the HTTP API."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from infra.accounts.services import issue_token
from infra.payments import StripeGateway
from infra.settings import Settings
from shop.catalog.models import ProductVariant
from shop.vendors.models import Vendor
from tests.shop.factories import make_user, make_vendor
from tests.shop.shelf import stocked

ADDRESS = {
    "recipient": "김장터", "phone": "010-1234-5678", "postal_code": "04524",
    "road_address": "서울특별시 중구 세종대로 110", "detail_address": "3층",
}
VISA = "4242424242424242"
DECLINED = "4000000000000341"
THREE_DS = "4000002760003184"


@dataclasses.dataclass
class Shop:
    settings: Settings
    gateway: StripeGateway
    cookie_vendor: Vendor
    tea_vendor: Vendor
    cookie: ProductVariant  # 10,000원, 20 units, vendor fee 3,000 free over 50,000
    tea: ProductVariant  # 8,000원, 5 units
    shopper: User
    cookie_owner: User
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def pay_settings(settings: Settings, localstripe_url: str) -> Settings:
    """Paying through localstripe, with reservations held 15 minutes (``pay_client`` too)."""
    return settings.with_(stripe_api_base=localstripe_url, reservation_minutes=15)


@pytest.fixture
async def shop(
    session_factory: async_sessionmaker[AsyncSession], pay_settings: Settings
) -> Shop:
    async with session_factory() as session:
        cookie_owner = await make_user(session, email="owner@haessal.kr")
        cookie_vendor = await make_vendor(session, name="햇살협동조합", owner=cookie_owner)
        tea_vendor = await make_vendor(session, name="차마을기업")
        cookie = await stocked(session, cookie_vendor, stock=20, price=10_000,
                               name="유기농 현미 쿠키")
        tea = await stocked(session, tea_vendor, stock=5, price=8_000, name="작설차",
                            option="50g")
        shopper = await make_user(session, email="shopper@example.kr")
        stranger = await make_user(session, email="stranger@example.kr")
        tokens = {"shopper": await issue_token(session, shopper),
                  "owner": await issue_token(session, cookie_owner),
                  "stranger": await issue_token(session, stranger)}
        await session.commit()
    return Shop(pay_settings, StripeGateway(pay_settings), cookie_vendor, tea_vendor, cookie,
                tea, shopper, cookie_owner, tokens)


def order_body(lines: list[tuple[int, int]], **extra: Any) -> dict[str, Any]:
    return {
        "address": ADDRESS, "email": "buyer@example.kr",
        "lines": [{"variant_id": v, "quantity": q} for v, q in lines], **extra,
    }


async def place_and_pay(
    client: Any, shop: Shop, lines: list[tuple[int, int]], *, who: str | None = "shopper"
) -> dict[str, Any]:
    """An order placed (as ``who``, a guest if None) and paid with a test card; its JSON."""
    headers = shop.auth(who) if who else {}
    placed = await client.post("/api/checkout", json=order_body(lines), headers=headers)
    assert placed.status_code == 201, placed.text
    token = placed.json()["payment"]["token"]
    paid = await client.post(f"/api/payments/{token}/test-card", json={"card": VISA})
    assert paid.json()["status"] == "succeeded", paid.text
    checkout = await client.get(f"/api/checkout/{placed.json()['token']}")
    return checkout.json()

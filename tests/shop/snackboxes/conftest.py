"""Snack-box test world: three approved vendors whose goods make a box (cookies, juice, a rice
cake tray), a vendor under review, an organizer, a shopper, and an app paying through a real
localstripe."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import issue_token
from infra.outbox import OutboxEvent
from infra.payments import StripeGateway
from infra.settings import Settings
from shop.catalog.models import ProductVariant
from shop.snackboxes import delivery_days, rules
from shop.snackboxes.models import (
    SnackBox,
    SnackBoxBooking,
    SnackBoxComponent,
    SnackBoxSize,
    SnackBoxSlot,
)
from shop.vendors.models import Vendor, VendorStatus
from tests.shop.factories import make_user, make_vendor
from tests.shop.shelf import stocked

ADDRESS = {
    "recipient": "김주무관", "phone": "010-1234-5678", "postal_code": "02841",
    "road_address": "서울특별시 성북구 보문로 168", "detail_address": "성북구청 5층 사회적경제과",
}
VISA = "4242424242424242"


@dataclasses.dataclass
class World:
    settings: Settings
    gateway: StripeGateway
    cookie_vendor: Vendor
    juice_vendor: Vendor
    tray_vendor: Vendor
    cookie: ProductVariant  # 1,500원 a unit, 100 units
    juice: ProductVariant  # 2,000원, 100 units
    tray: ProductVariant  # 30,000원, 10 units
    pending: ProductVariant  # of a vendor still under review
    organizer: User
    shopper: User
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def snack_settings(pay_settings: Settings, tmp_path: Path) -> Settings:
    return pay_settings.with_(
        reservation_minutes=15, var_dir=tmp_path / "var", search_path=tmp_path / "search",
    )


@pytest.fixture
async def world(
    session_factory: async_sessionmaker[AsyncSession], snack_settings: Settings
) -> World:
    async with session_factory() as session:
        cookie_vendor = await make_vendor(session, name="햇살협동조합")
        juice_vendor = await make_vendor(session, name="과일마을기업")
        tray_vendor = await make_vendor(session, name="떡공방자활기업")
        review = await make_vendor(session, name="심사중협동조합", status=VendorStatus.APPLIED)
        cookie = await stocked(session, cookie_vendor, stock=100, price=1_500,
                               name="유기농 현미 쿠키", option="1개")
        juice = await stocked(session, juice_vendor, stock=100, price=2_000,
                              name="착즙 사과주스", option="200ml")
        tray = await stocked(session, tray_vendor, stock=10, price=30_000,
                             name="모둠 떡 쟁반", option="10인분")
        pending = await stocked(session, review, stock=100, price=1_000, name="심사 중 쿠키")
        organizer = await make_user(session, Role.ORGANIZER)
        shopper = await make_user(session)
        tokens = {
            "organizer": await issue_token(session, organizer),
            "shopper": await issue_token(session, shopper),
        }
        await session.commit()
    return World(snack_settings, StripeGateway(snack_settings), cookie_vendor, juice_vendor,
                 tray_vendor, cookie, juice, tray, pending, organizer, shopper, tokens)


@pytest.fixture
def app_settings(snack_settings: Settings) -> Settings:
    """The suite's ``app`` (and ``client``) pays through localstripe."""
    return snack_settings


def box_body(world: World, **overrides: Any) -> dict[str, Any]:
    """10인: 10 cookies, 10 juices; 20인: 20 + 20 and a tray. Set prices below list value."""
    body: dict[str, Any] = {
        "name": "햇음 다과꾸러미",
        "description": "사회적경제 기업의 쿠키와 주스, 떡으로 꾸린 회의용 다과",
        "lead_days": 3,
        "is_active": True,
        "sizes": [
            {"headcount": 10, "price": 33_000, "components": [
                {"variant_id": world.cookie.id, "quantity": 10},
                {"variant_id": world.juice.id, "quantity": 10},
            ]},
            {"headcount": 20, "price": 95_000, "components": [
                {"variant_id": world.cookie.id, "quantity": 20},
                {"variant_id": world.juice.id, "quantity": 20},
                {"variant_id": world.tray.id, "quantity": 1},
            ]},
        ],
    }
    body.update(overrides)
    return body


def seoul_today() -> dt.date:
    return rules.local_today()


def delivery_day(days: int) -> dt.date:
    """The first delivery day (no Korean public holiday) ``days`` or more from today: tests
    that open slots relative to today must not land on 추석 by chance."""
    day = seoul_today() + dt.timedelta(days=days)
    while not delivery_days.is_delivery_day(day):
        day += dt.timedelta(days=1)
    return day


async def snack_rows(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Every row the snack-box use cases write, counted (nothing may change on refusal)."""
    async with factory() as session:
        counts = {}
        for name, model in (("boxes", SnackBox), ("sizes", SnackBoxSize),
                            ("components", SnackBoxComponent), ("slots", SnackBoxSlot),
                            ("bookings", SnackBoxBooking), ("events", OutboxEvent)):
            counts[name] = int(await session.scalar(select(func.count(model.id))) or 0)
        return counts

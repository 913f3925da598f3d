"""Builders for the market-day and application tests: markets, days, people, bookings.

Rows are made directly (services only where the test is about them), with times fixed so
the tests never depend on today's date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.accounts.services import issue_token
from infra.outbox import OutboxEvent
from markets.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
)
from markets.days.generation import planned_days
from markets.days.models import MarketDay
from markets.demo_data import demo_markets
from markets.models import Market, MarketOrganizer, OrganizerRole
from shop.vendors.models import Vendor
from tests.fixtures.apps import csrf_from, login  # noqa: F401 - used by the markets tests
from tests.shop.factories import make_user, make_vendor

SEOUL = dt.timezone(dt.timedelta(hours=9))
PASSWORD = "password-123"  # tests.shop.factories.make_user's password


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


async def add_market(
    session: AsyncSession,
    name: str = "광화문 사회적경제 장터",
    *,
    capacity: int | None = None,
    booth_fee: int = 0,
) -> Market:
    """One of the four demo markets (by name), with a capacity and fee of the test's choosing."""
    seed = next(m for m in demo_markets() if m.name == name)
    market = Market(
        name=seed.name, place=seed.place, description=seed.description, rrule=seed.rrule,
        opens=seed.opens, closes=seed.closes, season_months=list(seed.season_months),
        timezone=seed.timezone, organizer_name=seed.organizer_name, capacity=capacity,
        default_booth_fee=booth_fee,
    )
    session.add(market)
    await session.flush()
    return market


async def add_days(
    session: AsyncSession, market: Market, start: dt.date, end: dt.date
) -> list[MarketDay]:
    days = planned_days(market, start, end)
    session.add_all(days)
    await session.flush()
    return days


def detached(session: AsyncSession, *users: User) -> None:
    """Users as the web app hands them to services: loaded by the auth middleware's own
    session, so a rollback in the service's session does not expire them."""
    for user in users:
        session.expunge(user)


async def organizer(session: AsyncSession, *markets: Market) -> User:
    """An organizer who runs ``markets``: the first organizer of a market owns it, later ones
    are its co-organizers (``markets.access``). Without markets: an organizer of none."""
    user = await make_user(session, Role.ORGANIZER)
    await runs(session, user, *markets)
    return user


async def runs(session: AsyncSession, user: User, *markets: Market) -> None:
    """Make ``user`` an organizer of ``markets`` (owner if the market has none yet)."""
    for market in markets:
        owned = await session.scalar(
            select(MarketOrganizer.id).where(
                MarketOrganizer.market_id == market.id,
                MarketOrganizer.role == OrganizerRole.OWNER,
            )
        )
        role = OrganizerRole.CO_ORGANIZER if owned else OrganizerRole.OWNER
        session.add(MarketOrganizer(market_id=market.id, user_id=user.id, role=role))
        await session.flush()


async def vendor_with_owner(session: AsyncSession) -> tuple[Vendor, User]:
    owner = await make_user(session, Role.VENDOR_MEMBER)
    vendor = await make_vendor(session, owner=owner)
    return vendor, owner


async def booked(
    session: AsyncSession,
    market: Market,
    vendor: Vendor,
    season: int,
    *,
    status: ApplicationStatus = ApplicationStatus.ACCEPTED,
    day_ids: list[int] | None = None,
    priority_tier: int = 0,
    created_at: dt.datetime | None = None,
) -> Application:
    """An application already in ``status`` (whole season unless ``day_ids``)."""
    application = Application(
        market_id=market.id, vendor_id=vendor.id, season=season,
        whole_season=day_ids is None, market_day_ids=day_ids or [], categories=["food"],
        status=status, priority_tier=priority_tier,
    )
    if created_at is not None:
        application.created_at = created_at
    session.add(application)
    await session.flush()
    session.add(
        ApplicationStatusChange(
            application_id=application.id, from_status=None, to_status=status, reason="test"
        )
    )
    await session.flush()
    return application


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def event_names(session: AsyncSession) -> list[str]:
    rows = await session.scalars(select(OutboxEvent.name).order_by(OutboxEvent.id))
    return list(rows.all())


async def bearer(session: AsyncSession, user: User) -> dict[str, str]:
    token = await issue_token(session, user)
    await session.commit()
    return {"Authorization": f"Bearer {token}"}




@dataclasses.dataclass
class Snapshot:
    """Counts of the rows bad input must leave untouched."""

    values: dict[str, int]

    @classmethod
    async def take(cls, session: AsyncSession, *models: Any) -> Snapshot:
        return cls({m.__name__: await count(session, m) for m in (*models, OutboxEvent)})

"""Public market listing: the four booth markets with their schedules (API and page); and
who runs each market (its owning organizer and co-organizers, ``markets.access``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Template
from sqlalchemy import select

from infra.accounts.models import Role, User
from infra.auth import requires_role
from infra.clock import utcnow
from infra.web.params import DbSession, SignedIn
from markets import access
from markets.models import Market
from markets.schedules import next_occurrences


class MarketOut(msgspec.Struct):
    id: int
    name: str
    place: str
    description: str
    schedule: dict[str, object]
    next_days: list[str]
    calendar_url: str


def _out(market: Market, now: dt.datetime) -> MarketOut:
    upcoming = next_occurrences(
        market.rrule,
        market.opens,
        market.season_months,
        after=now,
        count=4,
        timezone=market.timezone,
    )
    return MarketOut(
        id=market.id,
        name=market.name,
        place=market.place,
        description=market.description,
        schedule={
            "rrule": market.rrule,
            "opens": market.opens.strftime("%H:%M"),
            "closes": market.closes.strftime("%H:%M"),
            "timezone": market.timezone,
            "season_months": market.season_months,
        },
        next_days=[d.isoformat() for d in upcoming],
        calendar_url=f"/markets/{market.id}/calendar.ics",
    )


class MarketApi(Controller):
    path = "/api/markets"
    tags = ["장터 (Markets)"]

    @get("/", operation_id="listMarkets", summary="장터 목록과 일정")
    async def list_markets(self, db_session: DbSession) -> list[MarketOut]:
        now = utcnow()
        markets = (await db_session.scalars(select(Market).order_by(Market.id))).all()
        return [_out(m, now) for m in markets]


class MarketPages(Controller):
    include_in_schema = False

    @get("/markets", name="markets:list")
    async def markets_page(self, db_session: DbSession) -> Template:
        now = utcnow()
        markets = (await db_session.scalars(select(Market).order_by(Market.id))).all()
        return Template("markets/list.html", context={"markets": [_out(m, now) for m in markets]})


class OrganizerOut(msgspec.Struct, kw_only=True):
    user_id: int
    display_name: str
    email: str

    @classmethod
    def of(cls, user: User) -> OrganizerOut:
        return cls(user_id=user.id, display_name=user.display_name, email=user.email)


class MarketOrganizersOut(msgspec.Struct, kw_only=True):
    market_id: int
    owner: Annotated[OrganizerOut | None, msgspec.Meta(description="소유 운영자 (없으면 관리자만)")]
    co_organizers: list[OrganizerOut]


class OwnerIn(msgspec.Struct, kw_only=True):
    user_id: Annotated[int | None, msgspec.Meta(description="소유 운영자 (null이면 해제)")]


class CoOrganizerIn(msgspec.Struct, kw_only=True):
    user_id: Annotated[int, msgspec.Meta(description="공동 운영자로 넣을 운영자")]


async def _organizers_out(db_session: DbSession, market_id: int) -> MarketOrganizersOut:
    owner, co = await access.organizers_of(db_session, market_id)
    return MarketOrganizersOut(
        market_id=market_id, owner=OrganizerOut.of(owner) if owner else None,
        co_organizers=[OrganizerOut.of(u) for u in co],
    )


class MarketOrganizerApi(Controller):
    """Who runs a market. Its organizers read the list; the owner (or an admin) adds and
    removes co-organizers; only a platform admin names the owner."""

    path = "/api/markets/{market_id:int}"
    tags = ["장터 (Markets)"]
    guards = [requires_role(Role.ORGANIZER)]

    @get("/organizers", operation_id="listMarketOrganizers",
         summary="장터 운영자: 소유 운영자와 공동 운영자 (이 장터 운영자)")
    async def organizers(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int]
    ) -> MarketOrganizersOut:
        await access.require_market_organizer(db_session, user, market_id)
        return await _organizers_out(db_session, market_id)

    @put("/owner", operation_id="setMarketOwner", summary="소유 운영자 정하기 (플랫폼 관리자)")
    async def set_owner(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        data: JSONBody[OwnerIn],
    ) -> MarketOrganizersOut:
        await access.set_owner(db_session, market_id, user, data.user_id)
        return await _organizers_out(db_session, market_id)

    @post("/organizers", operation_id="addMarketOrganizer", status_code=201,
          summary="공동 운영자 추가 (소유 운영자·플랫폼 관리자)")
    async def add(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        data: JSONBody[CoOrganizerIn],
    ) -> MarketOrganizersOut:
        await access.add_co_organizer(db_session, market_id, user, data.user_id)
        return await _organizers_out(db_session, market_id)

    @delete("/organizers/{user_id:int}", operation_id="removeMarketOrganizer",
            summary="공동 운영자 빼기 (소유 운영자·플랫폼 관리자)")
    async def remove(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        user_id: FromPath[int],
    ) -> None:
        await access.remove_co_organizer(db_session, market_id, user, user_id)


ROUTES = [MarketApi, MarketPages, MarketOrganizerApi]

"""Public market listing: the four booth markets with their schedules (API and page)."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Controller, get
from litestar.response import Template
from sqlalchemy import select

from infra.web.params import DbSession
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
        now = dt.datetime.now(dt.UTC)
        markets = (await db_session.scalars(select(Market).order_by(Market.id))).all()
        return [_out(m, now) for m in markets]


class MarketPages(Controller):
    include_in_schema = False

    @get("/markets", name="markets:list")
    async def markets_page(self, db_session: DbSession) -> Template:
        now = dt.datetime.now(dt.UTC)
        markets = (await db_session.scalars(select(Market).order_by(Market.id))).all()
        return Template("markets/list.html", context={"markets": [_out(m, now) for m in markets]})


ROUTES = [MarketApi, MarketPages]

"""장터 분석: the market organizer's dashboard (attendance, no-shows, reported booth sales,
receipts, category mix per market and day), as a page, JSON and table downloads.

The figures are analytics' (``shop.analytics.market_report``, built from market-day events);
this module only decides whose markets they are, which ``markets.access`` knows and analytics
must not (``shop`` never imports ``markets``; decision 41). An organizer sees the markets it
runs, an admin every market; ``?market=`` narrows to one.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import requires_role
from infra.clock import utcnow
from infra.web.openapi import problem_responses
from infra.web.params import DbSession, SignedIn
from markets.access import managed_markets, require_market_organizer
from shop.analytics import dashboard, tables
from shop.analytics.controllers import (
    FromParam,
    ReportOut,
    ToParam,
    chosen_table,
    page_helpers,
    period_or_default,
    range_form,
    report_out,
)
from shop.analytics.market_report import market_report

requires_organizer = requires_role(Role.ORGANIZER)
MarketParam = Annotated[int | None, QueryParameter(name="market")]


async def _markets(session: AsyncSession, user: User, market_id: int | None) -> dict[int, str]:
    """The markets to show: the one asked for (if the user runs it) or all the user runs."""
    if market_id is not None:
        await require_market_organizer(session, user, market_id)
    return {m.id: m.name for m in await managed_markets(session, user)
            if market_id is None or m.id == market_id}


class MarketAnalyticsPages(Controller):
    path = "/organizer/analytics"
    guards = [requires_organizer]
    tags = ["판매 분석 (Analytics)"]

    @get("/", name="markets:analytics", include_in_schema=False)
    async def page(
        self, db_session: DbSession, user: SignedIn, first: FromParam = None,
        last: ToParam = None, market: MarketParam = None,
    ) -> Template:
        now = utcnow()
        markets = await _markets(db_session, user, market)
        period, errors, status = period_or_default(first, last, now)
        report = await market_report(db_session, markets, period, now=now)
        form = range_form(first, last, period)
        if market is not None:
            form["market"] = str(market)
        return Template("market_days/analytics.html", status_code=status, context={
            "report": report, "markets": markets, "market": market, "errors": errors,
            "form": form, **page_helpers("/organizer/analytics/", form),
        })

    @get("/data", operation_id="getMarketDashboard",
         summary="장터 분석: 장날별 출석·무단 불참·부스 매출, 분류별 (운영자)",
         responses=problem_responses(302))
    async def data(
        self, db_session: DbSession, user: SignedIn, first: FromParam = None,
        last: ToParam = None, market: MarketParam = None,
    ) -> ReportOut:
        now = utcnow()
        period = dashboard.parse_period(first, last, now=now)
        report = await market_report(
            db_session, await _markets(db_session, user, market), period, now=now)
        return report_out(period, now, report.tables)

    @get("/export", name="markets:analytics_export", include_in_schema=False)
    async def export(
        self, db_session: DbSession, user: SignedIn, first: FromParam = None,
        last: ToParam = None, market: MarketParam = None,
        table: Annotated[str | None, QueryParameter(name="table")] = None,
        fmt: Annotated[str | None, QueryParameter(name="format")] = "csv",
    ) -> Response[bytes]:
        now = utcnow()
        period = dashboard.parse_period(first, last, now=now)
        report = await market_report(
            db_session, await _markets(db_session, user, market), period, now=now)
        chosen = chosen_table(report.table(table or ""), table, fmt)
        return tables.export(chosen, fmt or "csv",
                             f"장터분석-{chosen.title}-{period.first}-{period.last}")


ROUTES: list[Any] = [MarketAnalyticsPages]

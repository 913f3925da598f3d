"""``/api/analytics`` and the dashboard pages: the vendor's (members of the vendor and admins)
and the platform's (admins). Each page has a JSON twin with the same tables, and every table
downloads as CSV or XLSX (``…/export?table=…&format=csv|xlsx``). The market organizer's
dashboard lives with the markets (``markets.days.analytics_pages``), where who runs which
market is known, and uses the same tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Response, Template

from infra.auth import requires_admin, requires_user
from infra.clock import utcnow
from infra.errors import DomainError, NotFound, Problems, field_errors
from infra.web.params import DbSession, SignedIn
from shop.analytics import dashboard, tables
from shop.analytics.cache import figures_cache
from shop.analytics.errors import AnalyticsErrorCode as Code
from shop.analytics.platform_report import platform_report
from shop.analytics.vendor_report import vendor_report
from shop.vendors.access import vendor_for_member

TAGS = ["판매 분석 (Analytics)"]
FromParam = Annotated[str | None, QueryParameter(name="from")]
ToParam = Annotated[str | None, QueryParameter(name="to")]


class DayOut(msgspec.Struct, kw_only=True):
    day: dt.date
    by_channel: dict[str, int]
    sales: int
    refunds: int
    net: int
    quantity: int
    receipts: int


class VendorSalesOut(msgspec.Struct, kw_only=True):
    vendor_id: int
    first: dt.date
    last: dt.date
    as_of: dt.datetime
    channels: dict[str, str]
    days: list[DayOut]
    totals: DayOut


class ReportOut(msgspec.Struct, kw_only=True):
    """A dashboard as JSON: its tables (columns with how each is shown, rows, total)."""

    first: dt.date
    last: dt.date
    as_of: dt.datetime
    tables: list[dict[str, Any]]


def _day(row: dashboard.DayRow) -> DayOut:
    return DayOut(**dataclasses.asdict(row))


def page_helpers(base: str, form: dict[str, str]) -> dict[str, Any]:
    """What ``analytics/_sections.html`` needs: cell formatting, Seoul time, export links."""

    def export_url(key: str, fmt: str) -> str:
        return f"{base}export?" + urlencode({**form, "table": key, "format": fmt})

    return {"cell": tables.cell, "export_url": export_url,
            "won": lambda amount: f"{int(amount):,}원"}


def chosen_table(found: tables.Table | None, key: str | None, fmt: str | None) -> tables.Table:
    """The table an export asks for, or a problem naming the field."""
    problems = Problems()
    if fmt not in ("csv", "xlsx"):
        problems.add(Code.INVALID_FORMAT, "format", "형식은 csv 또는 xlsx입니다.")
    problems.raise_if_any()
    if found is None:
        raise NotFound(Code.UNKNOWN_TABLE, f"표 '{key or ''}'는 이 화면에 없습니다.", field="table")
    return found


def report_out(period: dashboard.Period, as_of: dt.datetime, found: list[tables.Table]
               ) -> ReportOut:
    return ReportOut(first=period.first, last=period.last, as_of=as_of,
                     tables=[t.as_json() for t in found])


def period_or_default(first: str | None, last: str | None, now: dt.datetime
                      ) -> tuple[dashboard.Period, dict[str, str], int]:
    """The asked period for a page; on a wrong field the default one, the errors, 400."""
    try:
        return dashboard.parse_period(first, last, now=now), {}, 200
    except DomainError as exc:
        return dashboard.parse_period(None, None, now=now), field_errors(exc), exc.status_code


def range_form(first: str | None, last: str | None, period: dashboard.Period) -> dict[str, str]:
    return {"from": first or period.first.isoformat(), "to": last or period.last.isoformat()}


class AnalyticsApi(Controller):
    path = "/api/analytics"
    tags = TAGS

    @get(
        "/vendors/{vendor_id:int}/daily", operation_id="getVendorDailySales",
        summary="입점기업의 일별 판매 (서울 날짜; 구성원, 관리자)", guards=[requires_user],
        description="순매출은 배송비를 빼고 수수료를 떼기 전 금액입니다. 환불은 처리한 날, "
                    "취소는 취소한 날에 음수로 셉니다. from/to를 생략하면 최근 30일.",
    )
    async def vendor_daily(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        first: FromParam = None, last: ToParam = None,
    ) -> VendorSalesOut:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        now = utcnow()
        period = dashboard.parse_period(first, last, now=now)
        sales = await dashboard.vendor_daily_sales(db_session, vendor.id, period, now=now)
        return VendorSalesOut(
            vendor_id=vendor.id, first=period.first, last=period.last, as_of=sales.as_of,
            channels=dict(sales.channels), days=[_day(r) for r in sales.days],
            totals=_day(sales.totals),
        )

    @get(
        "/vendors/{vendor_id:int}/dashboard", operation_id="getVendorDashboard",
        summary="입점기업 판매 분석의 모든 표 (구성원, 관리자)", guards=[requires_user],
        description="일별 판매와 이전 기간, 채널, 상위 상품, 환불, 신규·재구매 고객, 장터 부스 "
                    "참가일. 화면의 표와 같은 숫자입니다.",
    )
    async def vendor_dashboard(
        self, user: SignedIn, db_session: DbSession, state: State, vendor_id: FromPath[int],
        first: FromParam = None, last: ToParam = None,
    ) -> ReportOut:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        now = utcnow()
        period = dashboard.parse_period(first, last, now=now)
        report = await vendor_report(db_session, vendor.id, period, now=now,
                                     cache=figures_cache(state))
        return report_out(period, now, report.tables)

    @get(
        "/platform", operation_id="getPlatformDashboard", guards=[requires_admin],
        summary="플랫폼 판매 분석 (관리자)",
        description="기간이 걸친 달 전체: 거래액, 주문, 판매한 기업, 기업 유형·자치구·채널별, "
                    "기업 간 거래.",
    )
    async def platform(
        self, db_session: DbSession, state: State, first: FromParam = None,
        last: ToParam = None,
    ) -> ReportOut:
        now = utcnow()
        period = dashboard.parse_period(first, last, now=now)
        report = await platform_report(db_session, period, now=now, cache=figures_cache(state))
        return report_out(period, now, report.tables)


class VendorAnalyticsPages(Controller):
    path = "/console/vendors/{vendor_id:int}/analytics"
    include_in_schema = False
    guards = [requires_user]

    @get("/", name="analytics:vendor")
    async def vendor_sales(
        self, user: SignedIn, db_session: DbSession, state: State, vendor_id: FromPath[int],
        first: FromParam = None, last: ToParam = None,
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        now = utcnow()
        period, errors, status = period_or_default(first, last, now)
        report = await vendor_report(db_session, vendor.id, period, now=now,
                                     cache=figures_cache(state))
        form = range_form(first, last, period)
        return Template("analytics/vendor.html", status_code=status, context={
            "vendor": vendor, "sales": report.sales, "report": report, "errors": errors,
            "form": form, **page_helpers(f"/console/vendors/{vendor.id}/analytics/", form),
        })

    @get("/export", name="analytics:vendor_export")
    async def vendor_export(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        first: FromParam = None, last: ToParam = None,
        table: Annotated[str | None, QueryParameter(name="table")] = None,
        fmt: Annotated[str | None, QueryParameter(name="format")] = "csv",
    ) -> Response[bytes]:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        now = utcnow()
        period = dashboard.parse_period(first, last, now=now)
        report = await vendor_report(db_session, vendor.id, period, now=now)
        chosen = chosen_table(report.table(table or ""), table, fmt)
        return tables.export(chosen, fmt or "csv",
                             f"판매분석-{vendor.name}-{chosen.title}-{period.first}-{period.last}")


class PlatformAnalyticsPages(Controller):
    path = "/admin/analytics"
    include_in_schema = False
    guards = [requires_admin]

    @get("/", name="analytics:platform")
    async def platform(
        self, db_session: DbSession, state: State, first: FromParam = None,
        last: ToParam = None,
    ) -> Template:
        now = utcnow()
        period, errors, status = period_or_default(first, last, now)
        report = await platform_report(db_session, period, now=now, cache=figures_cache(state))
        form = range_form(first, last, period)
        return Template("analytics/platform.html", status_code=status, context={
            "report": report, "errors": errors, "form": form,
            **page_helpers("/admin/analytics/", form),
        })

    @get("/export", name="analytics:platform_export")
    async def platform_export(
        self, db_session: DbSession, first: FromParam = None, last: ToParam = None,
        table: Annotated[str | None, QueryParameter(name="table")] = None,
        fmt: Annotated[str | None, QueryParameter(name="format")] = "csv",
    ) -> Response[bytes]:
        now = utcnow()
        period = dashboard.parse_period(first, last, now=now)
        report = await platform_report(db_session, period, now=now)
        chosen = chosen_table(report.table(table or ""), table, fmt)
        return tables.export(chosen, fmt or "csv",
                             f"플랫폼분석-{chosen.title}-{period.first}-{period.last}")


ROUTES: list[Any] = [AnalyticsApi, VendorAnalyticsPages, PlatformAnalyticsPages]

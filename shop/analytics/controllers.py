"""``/api/analytics`` and the vendor console's sales page: a vendor's daily sales for a range
of Seoul days (members of the vendor and admins). Charts are a later slice; the table is the
figures themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from infra.auth import requires_user
from infra.clock import utcnow
from infra.errors import DomainError, field_errors
from infra.web.params import DbSession, SignedIn
from shop.analytics import dashboard
from shop.analytics.facts import SEOUL
from shop.vendors.access import vendor_for_member

TAGS = ["판매 분석 (Analytics)"]


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


def _day(row: dashboard.DayRow) -> DayOut:
    return DayOut(**dataclasses.asdict(row))


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
        first: Annotated[str | None, QueryParameter(name="from")] = None,
        last: Annotated[str | None, QueryParameter(name="to")] = None,
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


class VendorAnalyticsPages(Controller):
    path = "/console/vendors/{vendor_id:int}/analytics"
    include_in_schema = False
    guards = [requires_user]

    @get("/", name="analytics:vendor")
    async def vendor_sales(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        first: Annotated[str | None, QueryParameter(name="from")] = None,
        last: Annotated[str | None, QueryParameter(name="to")] = None,
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        now = utcnow()
        errors: dict[str, str] = {}
        status = 200
        try:
            period = dashboard.parse_period(first, last, now=now)
        except DomainError as exc:
            errors = field_errors(exc)
            status = exc.status_code
            period = dashboard.parse_period(None, None, now=now)
        sales = await dashboard.vendor_daily_sales(db_session, vendor.id, period, now=now)
        return Template("analytics/vendor.html", status_code=status, context={
            "vendor": vendor, "sales": sales, "errors": errors,
            "form": {"from": first or period.first.isoformat(),
                     "to": last or period.last.isoformat()},
            "won": lambda amount: f"{int(amount):,}원",
            "seoul_time": lambda at: f"{at.astimezone(SEOUL):%Y-%m-%d %H:%M}",
        })


ROUTES: list[Any] = [AnalyticsApi, VendorAnalyticsPages]

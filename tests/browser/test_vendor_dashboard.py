"""The vendor's sales dashboard in a real headless Chromium: the vendored ECharts draws the
daily chart (an SVG with the data's bars inside the chart figure) above the table holding the
same numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role
from infra.accounts.services import create_user
from shop.vendors.models import MemberRole, VendorMember
from tests.browser.conftest import Page
from tests.fixtures.apps import PASSWORD
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import consume_all
from tests.shop.analytics.test_booth_and_institutional_facts import report
from tests.shop.factories import make_vendor

pytestmark = pytest.mark.slow


async def test_the_vendor_dashboard_draws_its_chart_above_its_table(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        vendor = await make_vendor(session, name="햇살부스협동조합")
        owner = await create_user(session, email="chart@sun.kr", password=PASSWORD,
                                  display_name="대표", roles=[Role.VENDOR_MEMBER])
        session.add(VendorMember(vendor_id=vendor.id, user_id=owner.id, role=MemberRole.OWNER))
        await session.commit()
        vendor_id = vendor.id
    # Two booth days' reports (the booth channel of the daily table).
    day = dt.date(2025, 5, 11)
    sent = report(vendor_id, 1, 150_000, 10, at=seoul(day, 18))
    later = report(vendor_id, 1, 90_000, 6, at=seoul(day + dt.timedelta(days=7), 18))
    later.payload.update(id=42, day=(day + dt.timedelta(days=7)).isoformat(), market_day_id=18)
    await consume_all(session_factory, [sent, later])

    page.open("/login")
    page.fill({"email": "chart@sun.kr", "password": PASSWORD})
    page.click_and_leave("form[action='/login'] button[type=submit]")
    page.open(f"/console/vendors/{vendor_id}/analytics/?from=2025-05-01&to=2025-05-31")
    page.heading("판매 분석")
    page.until("the chart to be drawn", lambda d: d.find_element(
        "css selector", "#chart-daily-sales[data-chart-drawn='1']"))
    svg = page.element("#chart-daily-sales .chart-canvas svg")
    bars = svg.find_elements("css selector", "path")
    assert len(bars) > 10, "the SVG holds the axes and the bars of the data"
    table = page.element("#chart-daily-sales table#daily-sales")
    assert "150,000원" in table.text and "240,000원" in table.text  # a day and the total
    # ECharts' accessibility description (Korean locale) replaces the macro's label.
    described = page.element("#chart-daily-sales .chart-canvas").get_attribute("aria-label") or ""
    assert described.startswith('"일별 순매출 (이전 기간과 비교)"') and "이번 기간" in described

"""New vs returning buyers (first purchase, whatever order the events arrive in), mutual trade
between enterprises, the public-body hook, and the dashboards as pages, JSON and downloads:
vendor (members), platform (admins), market organizer (the markets one runs)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from infra.accounts.models import Role, User
from infra.accounts.services import create_user
from markets.models import Market, MarketOrganizer, OrganizerRole
from shop.analytics import rollups
from shop.analytics.dashboard import Period
from shop.analytics.platform_report import platform_report
from shop.analytics.public_body import institution_monthly_totals
from shop.analytics.vendor_report import new_and_returning
from shop.vendors.models import MemberRole, VendorMember
from tests.fixtures.apps import PASSWORD, login
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import AnalyticsWorld, Factory, Relay, consume_all, envelope
from tests.shop.analytics.test_booth_and_institutional_facts import paid_order
from tests.shop.analytics.test_market_days import MARKET_DAY, the_day
from tests.shop.settlement.world import Line, place_order

MAY = [dt.date(2025, 5, d) for d in (1, 2, 3)]


async def _orders(world: AnalyticsWorld, factory: Factory, relay: Relay, *,
                  reverse: bool = False) -> User:
    """The first vendor sells to a member of the second vendor (mutual trade) on May 1 and 3,
    and to a guest on May 3."""
    seller, buying = world.vendors[0], world.vendors[1]
    async with factory() as session:
        member = await create_user(session, email="buyer@tea.kr", password=PASSWORD,
                                   display_name="차마을", roles=[Role.VENDOR_MEMBER])
        session.add(VendorMember(vendor_id=buying.id, user_id=member.id, role=MemberRole.OWNER))
        for day in (MAY[0], MAY[2]):
            order = await place_order(session, [Line(seller, world.variants[0], "food", 10_000, 1)],
                                      placed_at=seoul(day, 11))
            order.user_id = member.id
        await place_order(session, [Line(seller, world.second, "food", 20_000, 1)],
                          placed_at=seoul(MAY[2], 15))
        await session.commit()
    await relay.deliver(reverse=reverse, times=2)
    return member


async def test_new_and_returning_buyers_and_mutual_trade(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay
) -> None:
    await _orders(world, session_factory, relay, reverse=True)  # the May 3 order first
    seller = world.vendors[0].id
    async with session_factory() as session:
        assert await new_and_returning(session, seller, Period(MAY[0], MAY[2])) == [
            (MAY[0], 1, 0), (MAY[1], 0, 0), (MAY[2], 1, 1)]
        rows = await rollups.stored(session, next(
            r for r in rollups.ROLLUPS if r.name == "analytics_monthly_mutual_trade"))
        assert rows == {(dt.date(2025, 5, 1), seller, world.vendors[1].id, "online"):
                        (20_000, 0, 20_000, 2, 0)}
        assert await rollups.check_range(session) == []
        await rollups.rebuild(session)
    async with session_factory() as session:
        assert await rollups.check_range(session) == []
        assert await new_and_returning(session, seller, Period(MAY[0], MAY[2])) == [
            (MAY[0], 1, 0), (MAY[1], 0, 0), (MAY[2], 1, 1)]


async def test_the_public_body_hook_gives_an_institutions_months(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    paid = paid_order(world.vendors[2].id, institution_id=4)
    await consume_all(session_factory, [envelope("procurement.order_paid", paid,
                                                 seoul(dt.date(2025, 5, 20)))])
    async with session_factory() as session:
        months = await institution_monthly_totals(session, 4, dt.date(2025, 4, 1),
                                                  dt.date(2025, 5, 31))
    assert [(m.month, m.amount, m.orders, m.vendors, m.by_counted_as) for m in months] == [
        (dt.date(2025, 4, 1), 0, 0, 0, {}),
        (dt.date(2025, 5, 1), 209_000, 1, 1, {"certified_social": 209_000}),
    ]


async def _person(factory: Factory, email: str, *roles: Role) -> User:
    async with factory() as session:
        user = await create_user(session, email=email, password=PASSWORD, display_name="사람",
                                 roles=list(roles))
        await session.commit()
        return user


async def test_the_vendor_dashboard_page_json_and_downloads(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any],
) -> None:
    await _orders(world, session_factory, relay)
    await consume_all(session_factory, the_day(first_vendor=world.vendors[0].id - 2))  # a reporter
    owner = await _person(session_factory, "owner@sun.kr", Role.VENDOR_MEMBER)
    vendor = world.vendors[0]
    async with session_factory() as session:
        session.add(VendorMember(vendor_id=vendor.id, user_id=owner.id, role=MemberRole.OWNER))
        await session.commit()
    await login(client, "owner@sun.kr")
    base = f"/console/vendors/{vendor.id}/analytics/"
    span = {"from": "2025-05-01", "to": "2025-05-11"}
    page = await client.get(base, params=span)
    assert page.status_code == 200, page.text
    for key in ("daily-sales", "by-channel", "top-products", "refunds", "buyers", "booth-days"):
        assert f'id="{key}"' in page.text, key
    assert 'id="chart-daily-sales"' in page.text and "echarts.min.js" in page.text
    assert "150,000원" in page.text and "출석" in page.text and "기준" in page.text

    data = await client.get(f"/api/analytics/vendors/{vendor.id}/dashboard", params=span)
    assert data.status_code == 200, data.text
    tables = {t["key"]: t for t in data.json()["tables"]}
    assert tables["buyers"]["total"] == ["합계", 2, 1]
    assert tables["daily-sales"]["total"][tables["daily-sales"]["columns"].index(
        {"label": "순매출", "kind": "won"})] == 190_000  # 40,000 online + 150,000 booth

    csv = await client.get(base + "export", params={**span, "table": "buyers", "format": "csv"})
    assert csv.status_code == 200
    assert csv.content.startswith("\ufeff".encode()) and "신규 고객" in csv.text
    assert "filename*=UTF-8''" in csv.headers["content-disposition"]
    xlsx = await client.get(base + "export",
                            params={**span, "table": "top-products", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["순위", "상품", "순수량", "순매출"]
    wrong = await client.get(base + "export", params={**span, "table": "x", "format": "pdf"})
    assert wrong.status_code == 400 and "csv 또는 xlsx" in wrong.text
    missing = await client.get(base + "export", params={**span, "table": "x", "format": "csv"})
    assert missing.status_code == 404 and "이 화면에 없습니다" in missing.text


async def test_the_platform_dashboard_is_for_admins(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any],
) -> None:
    await _orders(world, session_factory, relay)
    await _person(session_factory, "admin@jangteo.kr", Role.ADMIN)
    await _person(session_factory, "shop@jangteo.kr", Role.VENDOR_MEMBER)
    await login(client, "shop@jangteo.kr")
    assert (await client.get("/api/analytics/platform")).status_code == 403
    await login(client, "admin@jangteo.kr")
    home = await client.get("/admin/analytics/", params={"from": "2025-05-01", "to": "2025-05-31"})
    assert home.status_code == 200, home.text
    assert 'href="/admin/analytics"' in home.text  # in the admin menu
    assert 'id="mutual-trade"' in home.text and "차마을기업" in home.text
    data = await client.get("/api/analytics/platform",
                            params={"from": "2025-05-01", "to": "2025-05-31"})
    months = {t["key"]: t for t in data.json()["tables"]}["months"]
    assert months["rows"] == [["2025-05", 40_000, 0, 40_000, 3, 1]]
    down = await client.get("/admin/analytics/export", params={
        "from": "2025-05-01", "to": "2025-05-31", "table": "enterprise-types", "format": "csv"})
    assert down.status_code == 200 and "마을기업" in down.text


async def test_the_organizer_dashboard_shows_the_markets_one_runs(
    world: AnalyticsWorld, session_factory: Factory, client: AsyncTestClient[Any],
) -> None:
    organizer = await _person(session_factory, "run@market.kr", Role.ORGANIZER)
    await _person(session_factory, "other@market.kr", Role.ORGANIZER)
    async with session_factory() as session:
        market = Market(name="광화문 장터", place="광화문광장", rrule="FREQ=WEEKLY;BYDAY=SU",
                        opens=dt.time(11), closes=dt.time(18))
        session.add(market)
        await session.flush()
        session.add(MarketOrganizer(market_id=market.id, user_id=organizer.id,
                                    role=OrganizerRole.OWNER))
        await session.commit()
        market_id = market.id
    await consume_all(session_factory, the_day(market=market_id))
    span = {"from": MARKET_DAY.isoformat(), "to": MARKET_DAY.isoformat()}
    await login(client, "run@market.kr")
    menu = await client.get("/organizer/markets/")
    assert 'href="/organizer/analytics/"' in menu.text
    data = await client.get("/organizer/analytics/data", params={**span, "market": market_id})
    assert data.status_code == 200, data.text
    rows = {t["key"]: t for t in data.json()["tables"]}["market-days"]["rows"]
    assert rows == [["광화문 장터", MARKET_DAY.isoformat(), 20, 15, 2, 1, 2, 85.0, 10.0, 15,
                     88.2, 2_250_000, 150, 150_000]]
    page = await client.get("/organizer/analytics/", params=span)
    assert page.status_code == 200 and 'id="market-days"' in page.text
    await login(client, "other@market.kr")
    refused = await client.get("/organizer/analytics/data", params={**span, "market": market_id})
    assert refused.status_code == 403


async def test_public_market_sales_grow_per_company_on_a_year_before(
    world: AnalyticsWorld, session_factory: Factory
) -> None:
    """초록공방 sold 209,000 won to institutions in May 2024 and 250,800 in May 2025 (+20.0 %);
    차마을기업 209,000 in May 2025 only (no growth figure): 459,800 on 209,000 is +120.0 %."""
    green, tea = world.vendors[2].id, world.vendors[1].id
    await consume_all(session_factory, [
        envelope("procurement.order_paid", paid_order(green, id=6),
                 seoul(dt.date(2024, 5, 20))),
        envelope("procurement.order_paid", paid_order(green, id=7, amount=250_800),
                 seoul(dt.date(2025, 5, 20))),
        envelope("procurement.order_paid", paid_order(tea, id=8), seoul(dt.date(2025, 5, 21))),
    ])
    async with session_factory() as session:
        report = await platform_report(session, Period(dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
                                       now=seoul(dt.date(2025, 6, 1)))
    growth = report.table("public-market-growth")
    assert growth is not None
    assert [list(r) for r in growth.rows] == [["초록공방", 250_800, 209_000, 20.0],
                                             ["차마을기업", 209_000, 0, None]]
    assert list(growth.total or []) == ["합계", 459_800, 209_000, 120.0]

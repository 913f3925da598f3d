"""The vendor's daily sales, as JSON and as a page: every Seoul day of the range, by channel,
with totals and the time the figures were read; members and admins only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.testing import AsyncTestClient

from infra.accounts.models import Role, User
from infra.accounts.services import create_user, issue_token
from shop.vendors.models import MemberRole, VendorMember
from tests.fixtures.apps import PASSWORD, login
from tests.fixtures.outbox import seoul
from tests.shop.analytics.conftest import AnalyticsWorld, Factory, Relay
from tests.shop.settlement.world import Line, place_order, refund


async def _sold(world: AnalyticsWorld, factory: Factory, relay: Relay) -> dict[str, User]:
    vendor = world.vendors[0]
    async with factory() as session:
        owner = await create_user(session, email="owner@example.kr", password=PASSWORD,
                                  display_name="대표", roles=[Role.VENDOR_MEMBER])
        outsider = await create_user(session, email="other@example.kr", password=PASSWORD,
                                     display_name="남", roles=[Role.VENDOR_MEMBER])
        session.add(VendorMember(vendor_id=vendor.id, user_id=owner.id, role=MemberRole.OWNER))
        order = await place_order(
            session, [Line(vendor, world.variants[0], "food", 10_000, 1),
                      Line(vendor, world.second, "food", 20_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 1), 14), delivery_fees={vendor.id: 3_000})
        vendor_order = order.vendor_orders[0]
        await refund(session, vendor_order, at=seoul(dt.date(2025, 5, 2)),
                     lines=[(vendor_order.lines[0], 1)])
        await session.commit()
    await relay.deliver()
    return {"owner": owner, "outsider": outsider}


async def _bearer(factory: Factory, user: User) -> dict[str, str]:
    async with factory() as session:
        token = await issue_token(session, user)
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def test_the_daily_sales_json_has_every_day_by_channel_and_totals(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any],
) -> None:
    people = await _sold(world, session_factory, relay)
    url = f"/api/analytics/vendors/{world.vendors[0].id}/daily"
    answer = await client.get(url, params={"from": "2025-05-01", "to": "2025-05-03"},
                              headers=await _bearer(session_factory, people["owner"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(d["day"], d["net"], d["by_channel"]["online"]) for d in body["days"]] == [
        ("2025-05-01", 30_000, 30_000), ("2025-05-02", -10_000, -10_000), ("2025-05-03", 0, 0)]
    assert body["totals"]["net"] == 20_000
    assert (body["totals"]["sales"], body["totals"]["refunds"]) == (30_000, -10_000)
    assert body["channels"]["booth_market"] == "장터 부스"
    assert body["as_of"]

    wrong = await client.get(url, params={"from": "2025-05-05", "to": "2025-05-01"},
                             headers=await _bearer(session_factory, people["owner"]))
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_period"
    bad = await client.get(url, params={"from": "5월 1일"},
                           headers=await _bearer(session_factory, people["owner"]))
    assert bad.status_code == 400
    stranger = await client.get(url, headers=await _bearer(session_factory, people["outsider"]))
    assert stranger.status_code == 403


async def test_the_page_shows_the_table_and_the_as_of_time(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any],
) -> None:
    await _sold(world, session_factory, relay)
    await login(client, "owner@example.kr")
    page = await client.get(f"/console/vendors/{world.vendors[0].id}/analytics/",
                            params={"from": "2025-05-01", "to": "2025-05-02"})
    assert page.status_code == 200, page.text
    assert 'id="daily-sales"' in page.text and "기준" in page.text
    assert "30,000원" in page.text and "-10,000원" in page.text and "20,000원" in page.text
    refused = await client.get(f"/console/vendors/{world.vendors[0].id}/analytics/",
                               params={"from": "2025-05-09", "to": "2025-05-01"})
    assert refused.status_code == 400
    assert "끝 날짜가 시작 날짜보다 앞설 수 없습니다." in refused.text

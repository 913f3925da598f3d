"""An organizer reaches every tool from the menu and the market page, opens market days with a
button, and reads who made each decision by name (issue 14 items 9 and 10)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import seoul_today
from markets.applications.models import Application, ApplicationStatus, ApplicationStatusChange
from markets.days.models import MarketDay
from tests.markets.market_world import add_market, csrf_from, login, organizer, vendor_with_owner


async def _days(session: AsyncSession, market_id: int) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(MarketDay).where(MarketDay.market_id == market_id)
    ) or 0)


async def test_the_menu_and_market_page_lead_to_every_organizer_tool(
    client: AsyncTestClient[Any], db_session: AsyncSession
) -> None:
    market = await add_market(db_session, "광화문 사회적경제 장터")
    boss = await organizer(db_session, market)
    await db_session.commit()
    await login(client, boss.email)

    home = (await client.get("/")).text
    for path in ("/organizer/markets", "/organizer/lending", "/organizer/snack-boxes",
                 "/organizer/analytics/"):
        assert f'href="{path}"' in home, path
        assert (await client.get(path)).status_code == 200, path

    page = await client.get(f"/organizer/markets/{market.id}")
    assert f'href="/organizer/markets/{market.id}/booths"' in page.text
    assert f'href="/organizer/lending?market_id={market.id}"' in page.text
    assert "jangteo markets" not in page.text  # no CLI hint for a person

    # Bad input is refused beside nothing written; then a year of Sundays (in season) opens.
    refused = await client.post(f"/organizer/markets/{market.id}/days/generate",
                                data={"_csrf_token": csrf_from(page.text), "weeks": "900"},
                                follow_redirects=True)
    assert "1~104주" in refused.text
    assert await _days(db_session, market.id) == 0
    done = await client.post(f"/organizer/markets/{market.id}/days/generate",
                             data={"_csrf_token": csrf_from(page.text), "weeks": "52"},
                             follow_redirects=True)
    created = await _days(db_session, market.id)
    assert created > 20  # 광화문 runs every Sunday from March to November
    assert f"장날 {created}일을 새로 만들었습니다" in done.text
    first = await db_session.scalar(
        select(MarketDay.id).where(MarketDay.market_id == market.id).order_by(MarketDay.day))
    assert f"/organizer/markets/{market.id}/days/{first}/assignment" in done.text
    again = await client.post(f"/organizer/markets/{market.id}/days/generate",
                              data={"_csrf_token": csrf_from(page.text), "weeks": "52"},
                              follow_redirects=True)
    assert "새로 만들 장날이 없습니다" in again.text
    assert await _days(db_session, market.id) == created


async def test_the_application_history_names_people_and_sizes_in_korean(
    client: AsyncTestClient[Any], db_session: AsyncSession
) -> None:
    market = await add_market(db_session, "늘장")
    boss = await organizer(db_session, market)
    vendor, _ = await vendor_with_owner(db_session)
    application = Application(
        market_id=market.id, vendor_id=vendor.id, season=seoul_today().year + 1,
        whole_season=True, categories=["food"], min_booth_size="standard",
        status=ApplicationStatus.SUBMITTED,
    )
    db_session.add(application)
    await db_session.flush()
    db_session.add(ApplicationStatusChange(
        application_id=application.id, from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.ACCEPTED, actor_user_id=boss.id, reason="심사 통과",
    ))
    await db_session.commit()
    await login(client, boss.email)

    page = (await client.get(f"/organizer/markets/applications/{application.id}")).text
    assert boss.display_name in page
    assert "표준(3×3m) 이상" in page and "standard" not in page.replace('value="standard"', "")

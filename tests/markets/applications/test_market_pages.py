"""The market pages through their HTML forms, as people use them: CSRF on every post, a
refused form comes back with the message beside its field and writes nothing, every
success redirects with a flash; organizer pages are closed to vendors."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from markets.applications.models import Application, ApplicationStatus, JuryScore
from markets.days.models import MarketDay, MarketDayStatus
from markets.days.notices import write_cancellation_notices
from tests.markets.applications.conftest import SEASON, World
from tests.markets.market_world import Snapshot, csrf_from, login

Client = AsyncTestClient[Any]


async def test_public_market_page_lists_days_criteria_and_the_calendar(
    client: Client, world: World
) -> None:
    page = await client.get(f"/markets/{world.market.id}")
    assert page.status_code == 200
    assert world.market.name in page.text
    assert f"/markets/{world.market.id}/calendar.ics" in page.text
    assert "사회적 가치" in page.text and f"{SEASON}년 5월 4일 (화)" in page.text
    assert (await client.get("/markets/999999")).status_code == 404


async def test_a_vendor_applies_through_the_form_and_sees_it_in_the_console(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client, world.owners[0].email)
    form_page = await client.get(f"/console/markets/apply?market_id={world.market.id}")
    assert form_page.status_code == 200
    csrf = csrf_from(form_page.text)
    async with session_factory() as session:
        before = await Snapshot.take(session, Application)
    fields = {
        "_csrf_token": csrf, "vendor_id": str(world.vendors[0].id), "season": str(SEASON),
        "whole_season": "", "market_day_ids": str(world.days[1].id), "tables_needed": "1",
        "min_booth_size": "small", "note": "수제 떡",
    }
    refused = await client.post(f"/console/markets/apply?market_id={world.market.id}",
                                files={"documents": ("", b"", "application/octet-stream")},
                                data=fields)
    assert refused.status_code == 400
    assert "판매할 품목을 고르세요" in refused.text and "수제 떡" in refused.text
    async with session_factory() as session:
        assert await Snapshot.take(session, Application) == before

    done = await client.post(
        f"/console/markets/apply?market_id={world.market.id}",
        data={**fields, "categories": "food"},
        files={"documents": ("menu.pdf", b"%PDF-1.4 menu", "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code in (302, 303), done.text
    console = await client.get(done.headers["location"])
    assert "참가 신청을 접수했습니다" in console.text
    assert world.market.name in console.text and "접수" in console.text
    async with session_factory() as session:
        app = await session.scalar(select(Application))
        assert app is not None and app.market_day_ids == [world.days[1].id]
    assert (await client.get(f"/organizer/markets/{world.market.id}")).status_code == 403


async def test_an_organizer_scores_decides_and_cancels_a_day_through_the_console(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        app = Application(market_id=world.market.id, vendor_id=world.vendors[0].id,
                          season=SEASON, categories=["food"])
        session.add(app)
        await session.commit()
        app_id = app.id
    await login(client, world.boss.email)
    console = await client.get(f"/organizer/markets/{world.market.id}")
    assert console.status_code == 200 and world.vendors[0].name in console.text
    review = await client.get(f"/organizer/markets/applications/{app_id}")
    csrf = csrf_from(review.text)
    social, product = world.criteria
    bad = await client.post(f"/organizer/markets/applications/{app_id}/scores",
                            data={"_csrf_token": csrf, f"score_{social.id}": "12"})
    assert bad.status_code == 400 and "0에서 10 사이" in bad.text
    scored = await client.post(
        f"/organizer/markets/applications/{app_id}/scores",
        data={"_csrf_token": csrf, f"score_{social.id}": "9", f"comment_{social.id}": "훌륭",
              f"score_{product.id}": "7"},
        follow_redirects=False,
    )
    assert scored.status_code in (302, 303)
    no_reason = await client.post(f"/organizer/markets/applications/{app_id}/decision",
                                  data={"_csrf_token": csrf, "action": "reject"})
    assert no_reason.status_code == 400 and "사유를 입력해 주세요" in no_reason.text
    accepted = await client.post(f"/organizer/markets/applications/{app_id}/decision",
                                 data={"_csrf_token": csrf, "action": "accept"})
    assert accepted.status_code == 200 and "선정&#39;(으)로 결정했습니다" in accepted.text
    async with session_factory() as session:
        assert (await session.get(Application, app_id)).status is ApplicationStatus.ACCEPTED  # type: ignore[union-attr]
        assert len((await session.scalars(select(JuryScore))).all()) == 2

    day_id = world.days[0].id
    sheet = await client.get(f"/organizer/markets/days/{day_id}")
    assert sheet.status_code == 200 and world.vendors[0].name in sheet.text
    missing = await client.post(f"/organizer/markets/days/{day_id}/cancel",
                                data={"_csrf_token": csrf, "reason": ""})
    assert missing.status_code == 400 and "취소 사유를 입력해 주세요" in missing.text
    cancelled = await client.post(f"/organizer/markets/days/{day_id}/cancel",
                                  data={"_csrf_token": csrf, "reason": "태풍"})
    assert "장날을 취소했습니다" in cancelled.text
    async with session_factory() as session:
        day = await session.get(MarketDay, day_id)
        assert day is not None and day.status is MarketDayStatus.CANCELLED
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.name == "market_day.cancelled"))
        assert event is not None
        # What the worker does with the event (tested on its own in tests/markets/days).
        await write_cancellation_notices(
            session, day_id, event.payload["vendor_ids"], market_name=world.market.name,
            day=event.payload["day"], reason="태풍",
        )

    await login(client, world.owners[0].email)
    mine = await client.get("/console/markets")
    assert "장날이 취소되었습니다. 사유: 태풍" in mine.text
    assert "8.20 / 10" in mine.text  # (60 × 9 + 40 × 7) / 100, shown to the applicant
    assert "“훌륭”" in mine.text

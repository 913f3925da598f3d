"""The organizer's 미리 보기 in a real headless Chromium: after the automatic run, supposing
the waiting tier -1 vendor had tier 3 lists it among those who would gain a place and
somebody else among those who would lose theirs, with the reason in Korean; a tier out of
range comes back beside its box; the board itself never changes (issue 13 item 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.assignment.models import Assignment, UnplacedVendor
from markets.assignment.problem import UnplacedReason
from tests.browser.conftest import Page
from tests.markets.assignment.conftest import World, world  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


async def _board(factory: async_sessionmaker[AsyncSession]) -> tuple[list[tuple[int, int]],
                                                                       list[int]]:
    async with factory() as session:
        placed = sorted((a.vendor_id, a.booth_id)
                        for a in await session.scalars(select(Assignment)))
        waiting = sorted(u.vendor_id for u in await session.scalars(select(UnplacedVendor)))
        return placed, waiting


async def test_the_organizer_previews_another_tier_on_the_board(
    page: Page, world: World,  # noqa: F811
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    low = world.vendors[5]
    page.open("/login")
    page.fill({"email": world.boss.email, "password": "password-123"})
    page.click_and_leave("form[action='/login'] button[type=submit]")
    page.open(f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment")
    page.heading("배정 보드")
    page.click_and_leave("form[action$='/assignment/run'] button[type=submit]")
    page.until("the draft", lambda d: "자동 배정 초안을 만들었습니다" in d.page_source)
    before = await _board(session_factory)
    assert low.id in before[1]  # tier -1: waits

    page.fill({f"wi-tier-{low.id}": "3"})
    page.click_and_leave("#what-if form button[type=submit]")
    gained = page.element("#whatif-placed").text
    assert gained.startswith(f"{low.name}: 배정 안 됨 → A-0")
    lost = page.element("#whatif-unplaced").text
    assert "→ 배정 안 됨 — " in lost and low.name not in lost
    assert lost.split(" — ")[1] in {r.label for r in UnplacedReason}
    assert page.element(f"#f-wi-tier-{low.id}").get_attribute("value") == "3"
    assert await _board(session_factory) == before

    page.fill({f"wi-tier-{low.id}": "99"})
    page.click_and_leave("#what-if form button[type=submit]")
    said = page.element(f"[id='e-whatif.tiers.{low.id}']").text
    assert said == "우선순위는 -10에서 10 사이의 정수입니다."
    assert "미리 보기 결과" not in page.driver.page_source
    assert await _board(session_factory) == before

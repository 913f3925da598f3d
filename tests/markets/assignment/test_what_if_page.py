"""미리 보기 on the organizer's board page: besides caps and reserved properties, the form
takes a supposed tier and a supposed own booth per vendor, shows who would move, who would
lose their place (with the reason in Korean) and who would gain one, and writes nothing.
A bad supposition comes back beside its box, never as a 500.

World (conftest): five booths A-01..A-05, six vendors booked on the day; 협동조합5 has
tier -1 and waits (``lower_tier``); 협동조합2 needs the only large booth, A-04.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AssignmentBoard,
    RegularBooth,
    UnplacedVendor,
)
from markets.assignment.problem import UnplacedReason
from tests.markets.assignment.conftest import World
from tests.markets.market_world import Snapshot, csrf_from, login


def _listed(html: str, list_id: str) -> list[str]:
    """The items of one result list of the preview (empty when the list is not shown)."""
    found = re.search(rf'<ul id="{list_id}">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []


async def _board_rows(factory: async_sessionmaker[AsyncSession]) -> tuple[Any, ...]:
    async with factory() as session:
        placed = sorted((a.vendor_id, a.booth_id, a.status.value)
                        for a in await session.scalars(select(Assignment)))
        waiting = sorted((u.vendor_id, u.reason)
                         for u in await session.scalars(select(UnplacedVendor)))
        boards = sorted((b.status.value, b.published_at)
                        for b in await session.scalars(select(AssignmentBoard)))
        snap = await Snapshot.take(session, Assignment, UnplacedVendor, AssignmentAuditLog,
                                   RegularBooth)
        return placed, waiting, boards, snap


async def _signed_in_board(
    client: AsyncTestClient[Any], world: World, *, run: bool = True
) -> tuple[str, str]:
    """The board's address and a CSRF token, the organizer signed in (and the day run)."""
    await login(client, world.boss.email)
    url = f"/organizer/markets/{world.market.id}/days/{world.day.id}/assignment"
    token = csrf_from((await client.get(url)).text)
    if run:
        ran = await client.post(f"{url}/run", data={"_csrf_token": token, "reason": "초안"})
        assert "자동 배정 초안을 만들었습니다" in ran.text
    return url, token


async def test_the_page_previews_another_tier_and_another_own_booth_without_saving(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    url, token = await _signed_in_board(client, world)
    page = await client.get(url)
    low, large = world.vendors[5], world.vendors[2]
    # Every booked vendor has its two boxes, labelled in Korean.
    assert f'name="tier.{low.id}"' in page.text and f'name="regular.{low.id}"' in page.text
    assert f"{low.name} 가정할 우선순위" in page.text
    before = await _board_rows(session_factory)

    raised = await client.post(f"{url}/what-if", data={"_csrf_token": token,
                                                       f"tier.{low.id}": "3"})
    assert raised.status_code == 200, raised.text
    assert "미리 보기 결과" in raised.text and f"가정: {low.name} 우선순위 3" in raised.text
    (gained,) = _listed(raised.text, "whatif-placed")
    assert gained.startswith(f"{low.name}: 배정 안 됨 → A-0")
    (lost,) = _listed(raised.text, "whatif-unplaced")  # five booths: somebody else waits
    assert low.name not in lost and "→ 배정 안 됨 — " in lost
    assert lost.split(" — ")[1] in {r.label for r in UnplacedReason}  # the reason, in Korean
    assert 'value="3"' in raised.text  # what was typed stays in its box
    assert await _board_rows(session_factory) == before

    seated = await client.post(f"{url}/what-if", data={"_csrf_token": token,
                                                       f"regular.{low.id}": " A-04 "})
    assert seated.status_code == 200, seated.text
    assert f"{low.name}: 배정 안 됨 → A-04" in _listed(seated.text, "whatif-placed")
    lost_large = [i for i in _listed(seated.text, "whatif-unplaced") if i.startswith(large.name)]
    assert lost_large == [f"{large.name}: A-04 → 배정 안 됨 — {UnplacedReason.MARKET_FULL.label}"]
    assert await _board_rows(session_factory) == before

    same = await client.post(f"{url}/what-if", data={"_csrf_token": token})
    assert same.status_code == 200 and "지금 배정과 같습니다." in same.text
    assert _listed(same.text, "whatif-moved") == _listed(same.text, "whatif-unplaced") == []


async def test_supposing_a_regular_has_no_own_booth_frees_it_in_the_preview_only(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """협동조합5 (tier -1) holds A-02 as a regular, so it sits; supposing it had no own
    booth ('없음'), it waits behind everyone again, for the lower tier."""
    url, token = await _signed_in_board(client, world, run=False)
    low = world.vendors[5]
    granted = await client.post(f"{url}/regulars", data={
        "_csrf_token": token, "vendor_id": str(low.id), "booth_code": "A-02",
        "reason": "매주 나오는 단골"})
    assert "고정 부스를 지정했습니다" in granted.text
    ran = await client.post(f"{url}/run", data={"_csrf_token": token})
    assert "자동 배정 초안을 만들었습니다" in ran.text
    page = await client.get(url)
    row = re.search(rf"<tr><td>{low.name}</td><td>-1</td>.*?</tr>", page.text, re.S)
    assert row is not None and "<td>A-02</td>" in row.group(0)  # its tier and own booth now
    before = await _board_rows(session_factory)

    freed = await client.post(f"{url}/what-if", data={"_csrf_token": token,
                                                      f"regular.{low.id}": "없음"})
    assert freed.status_code == 200, freed.text
    assert f"가정: {low.name} 고정 부스 없음" in freed.text
    assert _listed(freed.text, "whatif-unplaced") == [
        f"{low.name}: A-02 → 배정 안 됨 — {UnplacedReason.LOWER_TIER.label}"]
    assert await _board_rows(session_factory) == before


async def test_a_bad_supposition_is_shown_beside_its_box_and_nothing_runs(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    url, token = await _signed_in_board(client, world)
    before = await _board_rows(session_factory)
    low = world.vendors[5].id
    for field, typed, key, says in (
        (f"tier.{low}", "99", f"whatif.tiers.{low}", "우선순위는 -10에서 10 사이의 정수입니다."),
        (f"tier.{low}", "셋", f"whatif.tiers.{low}", "우선순위는 -10에서 10 사이의 정수입니다."),
        (f"regular.{low}", "Z-99", f"whatif.regulars.{low}", "배치도에 없는 부스입니다."),
        ("tier.999999", "1", "whatif._form", "이 장날에 선정된 업체가 아닙니다."),
        ("tier.abc", "1", "whatif._form", "이 장날에 선정된 업체가 아닙니다."),
    ):
        refused = await client.post(f"{url}/what-if", data={"_csrf_token": token, field: typed})
        assert refused.status_code == 400, (field, typed, refused.text[:300])
        shown = re.search(rf'<p class="error" id="e-{re.escape(key)}">(.*?)</p>', refused.text)
        assert shown is not None and shown.group(1) == says, (field, typed)
        assert f'value="{typed}"' in refused.text  # kept for correcting
        assert "미리 보기 결과" not in refused.text
    two = world.vendors[0].id  # two vendors supposed to own the same booth
    clash = await client.post(f"{url}/what-if", data={
        "_csrf_token": token, f"regular.{low}": "A-01", f"regular.{two}": "A-01"})
    assert clash.status_code == 400 and "부스는 이미 다른 업체의 고정 부스입니다." in clash.text
    assert await _board_rows(session_factory) == before


async def test_a_wrong_cap_and_a_wrong_supposition_are_shown_together(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Both boxes wrong in one try: each error beside its own box at once (the cap's used
    to hide the vendor's until the next try), on the page and in the API's problem."""
    url, token = await _signed_in_board(client, world)
    before = await _board_rows(session_factory)
    low = world.vendors[5].id
    refused = await client.post(f"{url}/what-if", data={
        "_csrf_token": token, "cap.household": "많이", f"tier.{low}": "99"})
    assert refused.status_code == 400, refused.text[:300]
    for key, says in (("whatif.household", "0 이상"),
                      (f"whatif.tiers.{low}", "우선순위는 -10에서 10 사이의 정수입니다.")):
        shown = re.search(rf'<p class="error" id="e-{re.escape(key)}">(.*?)</p>', refused.text)
        assert shown is not None and shown.group(1).startswith(says), key
    assert 'value="많이"' in refused.text and 'value="99"' in refused.text
    api = await client.post(
        f"/api/markets/{world.market.id}/days/{world.day.id}/assignment/what-if",
        json={"category_caps": {"nonsense": 1}, "regulars": {str(low): "Z-99"}},
        headers=world.tokens["boss"])
    assert api.status_code == 400
    assert {e["field"] for e in api.json()["errors"]} == {
        "category_caps.nonsense", f"regulars.{low}"}
    assert await _board_rows(session_factory) == before


async def test_a_vendor_whose_no_show_gave_up_the_day_is_not_offered_a_supposition(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """협동조합5 did not show up on the day (a ``no_show`` check-in): its place is given up,
    the preview does not place it, so the form has no boxes for it; the others keep theirs
    and a preview without it runs."""
    from markets.days.models import CheckIn, CheckInStatus

    low, app = world.vendors[5], world.applications[5]
    async with session_factory() as session:
        session.add(CheckIn(market_day_id=world.day.id, vendor_id=low.id,
                            application_id=app.id, status=CheckInStatus.NO_SHOW))
        await session.commit()
    url, token = await _signed_in_board(client, world, run=False)
    page = await client.get(url)
    table = re.search(r'<table class="list" id="whatif-vendors">(.*?)</table>', page.text, re.S)
    assert table is not None
    assert f'name="tier.{low.id}"' not in table.group(1)
    assert f'name="regular.{low.id}"' not in table.group(1)
    for other in world.vendors[:5]:  # booked on the day (협동조합4 for this day only)
        assert f'name="tier.{other.id}"' in table.group(1), other.name
    kept = world.vendors[1].id
    ran = await client.post(f"{url}/what-if", data={"_csrf_token": token, f"tier.{kept}": "3"})
    assert ran.status_code == 200 and "미리 보기 결과" in ran.text

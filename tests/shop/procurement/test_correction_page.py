"""The corrections page (실적 정정): the discloser enters a correction by order number from
the portal menu, a refusal comes back beside its field, the trail shows who, when (Seoul) and
why, newest first, to every member (and as JSON), while a requester sees it without the form;
and two corrections racing for what is left of an order's counted amount record only one."""

from __future__ import annotations

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.procurement import corrections
from shop.procurement.outside_models import CountedCorrection
from tests.fixtures.apps import csrf_from, login
from tests.fixtures.races import race
from tests.shop.procurement.world import make_world

Client = AsyncTestClient[Litestar]


async def _correct(client: Client, page: str, data: dict[str, str]) -> httpx.Response:
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post("/procurement/corrections",
                             data={"_csrf_token": csrf_from(shown.text), **data},
                             follow_redirects=False)


async def test_the_discloser_enters_corrections_and_everyone_reads_the_trail(
    db_session: AsyncSession, client: Client,
) -> None:
    world = await make_world(db_session)
    order = await world.approved(db_session, quantity=400, unit_price=11_000)  # 4,840,000
    order_id, number, institution_id = order.id, order.number, world.institution.id
    page = f"/procurement/corrections?institution={institution_id}"

    await login(client, world.discloser.email)
    home = await client.get(f"/procurement?institution={institution_id}")
    assert 'href="/procurement/corrections?institution=' in home.text
    form = {"institution_id": str(institution_id), "order_number": number}
    bad = await _correct(client, page, {**form, "amount_change": "-5,000,000", "reason": "반품"})
    assert bad.status_code == 409 and "0원보다 작아집니다" in bad.text
    missing = await _correct(client, page, {**form, "order_number": "PO-없음",
                                            "amount_change": "-1", "reason": "x"})
    assert missing.status_code == 400 and 'id="e-order_number"' in missing.text
    no_reason = await _correct(client, page, {**form, "amount_change": "-440,000",
                                              "reason": " "})
    assert no_reason.status_code == 400 and 'id="e-reason"' in no_reason.text
    done = await _correct(client, page, {**form, "amount_change": "-440,000",
                                         "reason": "단가 정정 (수정 세금계산서)"})
    assert done.status_code in (302, 303), done.text
    trail = await client.get(page)
    assert "-440,000원" in trail.text and "단가 정정 (수정 세금계산서)" in trail.text
    assert world.discloser.display_name in trail.text and "UTC" not in trail.text
    order_page = await client.get(f"/procurement/orders/{order_id}")
    assert 'id="counted-now"' in order_page.text and "4,400,000" in order_page.text

    await login(client, world.requester.email)
    read_only = await client.get(page)
    assert read_only.status_code == 200 and "단가 정정" in read_only.text
    assert 'id="correction-form"' not in read_only.text
    listed = (await client.get(f"/api/procurement/institutions/{institution_id}/corrections"
                               )).json()
    assert [(c["order_number"], c["amount_change"], c["recorded_by_name"]) for c in listed] == [
        (number, -440_000, world.discloser.display_name)]


async def test_two_corrections_racing_for_what_is_left_record_one(
    db_session: AsyncSession, racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await make_world(db_session)
    order = await world.approved(db_session, quantity=400, unit_price=11_000)  # 4,840,000
    order_id = order.id
    await db_session.commit()
    # Each alone is allowed; both together would take the counted amount below zero.
    results = await race(racing_sessions, [
        lambda s, who=who: corrections.correct_counted_amount(
            s, who, order_id, amount_change=-3_000_000, reason="반품")
        for who in (world.discloser, world.admin)
    ])
    assert sorted(results) == ["correction_below_zero", "ok"]
    assert await db_session.scalar(select(func.count(CountedCorrection.id))) == 1

"""The public disclosure page stays small at any number of institutions and months: the front
page shows each institution's latest published month (ten institutions a page), and an
institution's own page shows every month and version of the chosen year, each from the
summary stored when it was published: March published on 04-05 and an order of 4,400,000
cancelled on 04-10 leave March v1 as it was and show −4,400,000 in March v2."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from shop.procurement import approval, disclosures, ordering
from shop.procurement.disclosure import Month
from tests.shop.procurement.world import make_world


async def test_the_front_page_shows_the_latest_month_and_the_institution_page_the_year(
    db_session: AsyncSession, client: AsyncTestClient[Litestar],
) -> None:
    world = await make_world(db_session)
    institution_id = world.institution.id
    for year, month, on in ((2024, 12, dt.date(2025, 1, 3)), (2025, 3, dt.date(2025, 4, 5)),
                            (2025, 4, dt.date(2025, 5, 5))):
        await disclosures.publish_month(db_session, world.discloser, institution_id,
                                        year=year, month=month, published_on=on)

    front = await client.get("/procurement/disclosures")
    assert front.status_code == 200
    assert "2025년 4월 · 제1판" in front.text and "2025년 3월" not in front.text
    own = await client.get(f"/procurement/disclosures?institution={institution_id}")
    assert "2025년 4월 · 제1판" in own.text and "2025년 3월 · 제1판" in own.text
    assert "2024년 12월" not in own.text and f"institution={institution_id}&year=2024" in own.text
    older = await client.get(f"/procurement/disclosures?institution={institution_id}&year=2024")
    assert "2024년 12월 · 제1판" in older.text and "2025년 4월" not in older.text
    assert (await client.get("/procurement/disclosures?institution=999999")).status_code == 404


async def test_a_cancellation_after_publication_is_version_2_on_the_page(
    db_session: AsyncSession, client: AsyncTestClient[Litestar],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(approval, "utcnow", lambda: dt.datetime(2025, 3, 9, 3, tzinfo=dt.UTC))
    world = await make_world(db_session)
    institution_id = world.institution.id
    order = await world.approved(db_session, quantity=400, unit_price=10_000,
                                 contract_date=dt.date(2025, 3, 9))
    assert order.counted_amount == 4_400_000
    await disclosures.publish_month(db_session, world.discloser, institution_id, year=2025,
                                    month=3, published_on=dt.date(2025, 4, 5))
    await ordering.cancel_order(db_session, world.requester, order.id, "납품 불가",
                                at=dt.datetime(2025, 4, 10, 3, tzinfo=dt.UTC))
    await disclosures.publish_month(db_session, world.discloser, institution_id, year=2025,
                                    month=3, published_on=dt.date(2025, 4, 11))

    v1, v2 = [disclosures.as_rule(v) for v in
              await disclosures.versions_of(db_session, institution_id, Month(2025, 3))]
    assert (v1.total, v1.social_economy_total) == (4_400_000, 4_400_000)
    assert v2.figures == () and [c.amount for c in v2.changes] == [-4_400_000]
    page = (await client.get(f"/procurement/disclosures?institution={institution_id}")).text
    second, first = page.split("2025년 3월 · 제2판")[1].split("2025년 3월 · 제1판")
    assert "합계 0원" in second and "-4,400,000원" in second and "<td>0원</td>" in second
    assert "합계 4,400,000원 · 사회적경제기업 4,400,000원" in first
    assert "<td>4,400,000원</td>" in first and "이전 판과의 차이" not in first

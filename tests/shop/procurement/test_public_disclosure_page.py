"""The public disclosure page stays small at any number of institutions and months: the front
page shows each institution's latest published month (ten institutions a page), and an
institution's own page shows every month and version of the chosen year."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from shop.procurement import disclosures
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

"""Deliveries not inspected within the 검수 기한 (14 days by default) of their latest delivery
are reported to the institution's staff: on time through day 14, overdue from day 15, never
once inspected; the page (from the portal menu), the API and the dashboard show
the same rows, and nobody outside the institution reads them."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import seoul_today
from shop.procurement import receiving
from shop.procurement.overdue_inspections import overdue_inspections
from tests.fixtures.apps import login
from tests.shop.factories import make_user
from tests.shop.procurement.world import make_world

D = dt.date


async def test_overdue_from_the_fifteenth_day_after_the_latest_delivery(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    late = await world.approved(db_session, quantity=10, unit_price=10_000)
    split = await world.approved(db_session, quantity=10, unit_price=10_000)
    inspected = await world.approved(db_session, quantity=10, unit_price=10_000)
    waiting = await world.approved(db_session, quantity=10, unit_price=10_000)  # not delivered
    ids = {"late": late.id, "split": split.id, "inspected": inspected.id}
    line = {o.id: o.lines[0].id for o in (late, split, inspected, waiting)}
    await receiving.deliver(db_session, world.requester, ids["late"], delivered_on=D(2025, 3, 3))
    # Half on 03-01, the rest on 03-05: the due date runs from 03-05, as the inspection's own.
    await receiving.deliver(db_session, world.requester, ids["split"], delivered_on=D(2025, 3, 1),
                            quantities={line[ids["split"]]: 5})
    await receiving.deliver(db_session, world.requester, ids["split"], delivered_on=D(2025, 3, 5))
    await world.inspected(db_session, inspected, 10, on=D(2025, 3, 1))
    institution_id = world.institution.id

    async def report(today: dt.date, days: int = 14) -> list[tuple[int, str, int]]:
        rows = await overdue_inspections(db_session, institution_id, today=today, days=days)
        return [(r.order_id, r.due_on.isoformat(), r.days_overdue) for r in rows]

    assert await report(D(2025, 3, 17)) == []  # 03-03 + 14: still on time
    assert await report(D(2025, 3, 18)) == [(ids["late"], "2025-03-17", 1)]
    assert await report(D(2025, 3, 20)) == [(ids["late"], "2025-03-17", 3),
                                            (ids["split"], "2025-03-19", 1)]
    assert await report(D(2025, 3, 8), days=3) == [(ids["late"], "2025-03-06", 2)]
    await receiving.inspect(db_session, world.inspector, ids["late"], {line[ids["late"]]: 10},
                            inspected_on=D(2025, 3, 25))
    assert await report(D(2025, 3, 26)) == [(ids["split"], "2025-03-19", 7)]


async def test_staff_see_it_from_the_menu_the_api_and_the_dashboard(
    db_session: AsyncSession, client: AsyncTestClient[Litestar],
) -> None:
    world = await make_world(db_session)
    order = await world.approved(db_session, quantity=10, unit_price=10_000)
    number, institution_id = order.number, world.institution.id
    delivered = seoul_today() - dt.timedelta(days=20)
    await receiving.deliver(db_session, world.requester, order.id, delivered_on=delivered)
    outsider = await make_user(db_session, email="outsider@other.go.kr")
    await db_session.commit()

    await login(client, world.inspector.email)
    home = await client.get(f"/procurement?institution={institution_id}")
    assert 'id="overdue-link"' in home.text
    page = await client.get(f"/procurement/inspections/overdue?institution={institution_id}")
    assert page.status_code == 200 and number in page.text and "6일" in page.text
    board = await client.get(f"/procurement/dashboard?institution={institution_id}")
    assert 'id="overdue-inspections"' in board.text and number in board.text
    api = f"/api/procurement/institutions/{institution_id}"
    got = (await client.get(f"{api}/overdue-inspections")).json()
    assert got["inspection_days"] == 14
    assert [(o["number"], o["days_overdue"], o["delivered_on"]) for o in got["orders"]] == [
        (number, 6, delivered.isoformat())]
    dashboard = (await client.get(f"{api}/dashboard")).json()
    assert [o["number"] for o in dashboard["overdue_inspections"]] == [number]

    await login(client, outsider.email)
    assert (await client.get(f"{api}/overdue-inspections")).status_code == 403

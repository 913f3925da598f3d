"""Two people publishing the same plan at once publish it once; two people starting an
amendment at once make one new version. The plan row is locked for the use case
(``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from shop.procurement import institutions, plans
from shop.procurement.plan_models import PurchasePlanVersion
from shop.procurement.plan_rules import PlanFigures, PlanState
from tests.fixtures.races import race
from tests.shop.factories import make_user
from tests.shop.procurement.world import make_world


async def test_racing_publications_and_amendments_make_one_version_each(
    db_session: AsyncSession, racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await make_world(db_session)
    second_admin = await make_user(db_session, email="admin2@sb.go.kr")
    await db_session.commit()
    await institutions.grant_role(db_session, world.admin, world.institution.id,
                                  email=second_admin.email, role="institution_admin")
    db_session.expunge_all()
    plan = await plans.draft_plan(db_session, world.admin, world.institution.id, 2026,
                                  PlanFigures(10_000_000_000, 600_000_000))
    plan_id = plan.id
    await plans.submit(db_session, world.admin, plan_id)
    at = dt.datetime(2026, 1, 1, 1, tzinfo=dt.UTC)
    admins = (world.admin, second_admin)

    published = await race(racing_sessions, [
        lambda s, who=who: plans.publish(s, who, plan_id, at=at) for who in admins])
    assert sorted(published) == ["ok", "purchase_plan_invalid_transition"]

    amended = await race(racing_sessions, [
        lambda s, who=who: plans.amend(s, who, plan_id, reason="추경") for who in admins])
    assert sorted(amended) == ["ok", "purchase_plan_amendment_in_progress"]

    db_session.expunge_all()
    versions = await plans.versions_of(db_session, plan_id)
    assert [(v.version, v.state) for v in versions] == [(1, PlanState.PUBLISHED),
                                                        (2, PlanState.DRAFT)]
    assert await db_session.scalar(select(func.count(PurchasePlanVersion.id))) == 2
    assert await db_session.scalar(select(func.count(OutboxEvent.id)).where(
        OutboxEvent.name == "procurement.plan_published")) == 1

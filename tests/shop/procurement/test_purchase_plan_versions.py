"""The yearly purchase plan: draft → submitted → published → amended, every version kept,
published versions frozen, and the late flag read on the Seoul date of the first publication
(decision 39: published on 1 January is on time, from 2 January late)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import Conflict, Forbidden, InvalidInput
from infra.outbox import OutboxEvent
from shop.procurement import plans
from shop.procurement.plan_models import PurchasePlanVersion
from shop.procurement.plan_rules import PlanFigures, PlanLineInput, PlanState, is_late
from shop.procurement.record_models import AppendOnlyError
from tests.shop.procurement.world import World, make_world

KST = dt.timezone(dt.timedelta(hours=9))


def _figures(world: World, total: int = 100_000_000_000, target: int = 6_000_000_000,
             ) -> PlanFigures:
    return PlanFigures(total, target, (
        PlanLineInput(world.department.id, "food", total // 2, target // 2),))


async def _published(session: AsyncSession, world: World, at: dt.datetime) -> int:
    plan = await plans.draft_plan(session, world.admin, world.institution.id, 2026,
                                  _figures(world))
    await plans.submit(session, world.admin, plan.id)
    await plans.publish(session, world.admin, plan.id, at=at)
    return plan.id


def test_published_on_1_january_is_on_time_from_2_january_late() -> None:
    today = dt.date(2026, 6, 1)
    assert not is_late(2026, dt.date(2025, 12, 20), today)
    assert not is_late(2026, dt.date(2026, 1, 1), today)
    assert is_late(2026, dt.date(2026, 1, 2), today)
    # Not published: late once 1 January has passed.
    assert not is_late(2026, None, dt.date(2026, 1, 1))
    assert is_late(2026, None, dt.date(2026, 1, 2))


async def test_a_plan_published_2_january_kst_is_late(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    plan_id = await _published(db_session, world, dt.datetime(2026, 1, 2, 9, 0, tzinfo=KST))
    plan = await plans.plan_or_404(db_session, plan_id)
    assert plan.first_published_on == dt.date(2026, 1, 2)
    assert plans.late_flag(plan, 2026, dt.date(2026, 6, 1))


async def test_published_at_0030_kst_on_1_january_is_on_time(db_session: AsyncSession) -> None:
    world = await make_world(db_session)
    # 2025-12-31T15:30Z is 2026-01-01 00:30 in Seoul.
    plan_id = await _published(db_session, world,
                               dt.datetime(2025, 12, 31, 15, 30, tzinfo=dt.UTC))
    plan = await plans.plan_or_404(db_session, plan_id)
    assert plan.first_published_on == dt.date(2026, 1, 1)
    assert not plans.late_flag(plan, 2026, dt.date(2026, 6, 1))
    versions = await plans.versions_of(db_session, plan_id)
    assert versions[0].target_rate == Decimal("6.00")


async def test_amending_keeps_every_version_and_the_published_one_unchanged(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    plan_id = await _published(db_session, world, dt.datetime(2026, 1, 1, 10, tzinfo=KST))
    with pytest.raises(Conflict) as refused:
        await plans.edit_draft(db_session, world.admin, plan_id, _figures(world))
    assert refused.value.code == "purchase_plan_not_editable"
    with pytest.raises(InvalidInput):
        await plans.amend(db_session, world.admin, plan_id, reason="  ")

    draft = await plans.amend(db_session, world.admin, plan_id, reason="추경 반영")
    assert (draft.version, draft.state) == (2, PlanState.DRAFT)
    await plans.edit_draft(db_session, world.admin, plan_id,
                           _figures(world, target=8_000_000_000))
    await plans.submit(db_session, world.admin, plan_id)
    await plans.publish(db_session, world.admin, plan_id,
                        at=dt.datetime(2026, 7, 1, 9, tzinfo=KST))

    db_session.expunge_all()
    versions = await plans.versions_of(db_session, plan_id)
    assert [(v.version, v.state, v.target_amount) for v in versions] == [
        (1, PlanState.PUBLISHED, 6_000_000_000), (2, PlanState.AMENDED, 8_000_000_000)]
    assert [len(v.lines) for v in versions] == [1, 1]
    assert versions[0].lines[0].target_amount == 3_000_000_000
    assert plans.plan_status(versions) is PlanState.AMENDED
    assert plans.in_force(versions) is versions[1]
    plan = await plans.plan_or_404(db_session, plan_id)
    assert plan.first_published_on == dt.date(2026, 1, 1)  # the amendment does not move it
    names = (await db_session.scalars(select(OutboxEvent.name).where(
        OutboxEvent.name.like("procurement.plan_%")).order_by(OutboxEvent.id))).all()
    assert names == ["procurement.plan_submitted", "procurement.plan_published",
                     "procurement.plan_submitted", "procurement.plan_amended"]

    # A published version is frozen, lines included.
    versions[0].target_amount = 1
    with pytest.raises(AppendOnlyError):
        await db_session.flush()
    await db_session.rollback()
    db_session.expunge_all()
    versions = await plans.versions_of(db_session, plan_id)
    versions[0].lines[0].planned_amount = 1
    with pytest.raises(AppendOnlyError):
        await db_session.flush()
    await db_session.rollback()


async def test_only_the_institution_admin_writes_and_figures_are_checked(
    db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    with pytest.raises(Forbidden):
        await plans.draft_plan(db_session, world.requester, world.institution.id, 2026,
                               _figures(world))
    with pytest.raises(InvalidInput) as refused:
        await plans.draft_plan(db_session, world.admin, world.institution.id, 2026,
                               PlanFigures(1_000, 2_000, (
                                   PlanLineInput(999_999, "food", 10, 20),)))
    fields = {e["field"] for e in refused.value.extra["errors"]}
    assert fields == {"target_amount", "lines[0].department_id", "lines[0].target_amount"}
    plan_id = (await plans.draft_plan(db_session, world.admin, world.institution.id, 2026,
                                      _figures(world))).id
    with pytest.raises(Conflict) as duplicate:
        await plans.draft_plan(db_session, world.admin, world.institution.id, 2026,
                               _figures(world))
    assert duplicate.value.code == "purchase_plan_duplicate"
    with pytest.raises(Conflict):
        await plans.publish(db_session, world.admin, plan_id)  # a draft is submitted first
    with pytest.raises(Conflict):
        await plans.amend(db_session, world.admin, plan_id, reason="아직 공표 전")
    await plans.submit(db_session, world.admin, plan_id)
    back = await plans.return_to_draft(db_session, world.admin, plan_id)
    assert back.state is PlanState.DRAFT
    assert await db_session.scalar(select(func.count(PurchasePlanVersion.id))) == 1

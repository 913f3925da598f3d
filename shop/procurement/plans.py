"""Yearly purchase plans on the database: draft, edit, submit, publish, amend.

Every use case locks the institution-year's ``procurement_plans`` row first (``FOR UPDATE``
on PostgreSQL, the write lock on SQLite) and then reads the latest version, so two people
publishing, or starting an amendment, at the same moment are taken one after the other: the
first makes the new version, the second finds it and gets a 409. Only the institution admin
(or a platform admin, as ``access.require_role`` allows) writes plans; every member reads.

The publication instant is the server's clock (``infra.clock``); tests pass ``at``. The
first publication fixes ``first_published_on`` (its Seoul date) for the late flag.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_date, seoul_today, utcnow
from infra.db import dialect_name, transaction
from infra.errors import Conflict, NotFound, Problems
from infra.outbox import record
from shop.catalog.taxonomy import Category
from shop.procurement import plan_rules as rules
from shop.procurement.access import institution_or_404, require_role
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import PlanAmended, PlanPublished, PlanSubmitted
from shop.procurement.models import Department, ProcurementRole
from shop.procurement.plan_models import PurchasePlan, PurchasePlanLine, PurchasePlanVersion
from shop.procurement.plan_rules import PlanFigures, PlanState
from shop.procurement.reasons import required_reason

#: Who writes plans.
WRITERS = (ProcurementRole.INSTITUTION_ADMIN,)
REASON_MAX = 1000


async def plan_or_404(session: AsyncSession, plan_id: int) -> PurchasePlan:
    plan = await session.get(PurchasePlan, plan_id)
    if plan is None:
        raise NotFound(Code.PLAN_NOT_FOUND, "구매계획을 찾을 수 없습니다.", field="plan_id")
    return plan


async def plan_of_year(
    session: AsyncSession, institution_id: int, fiscal_year: int
) -> PurchasePlan | None:
    return await session.scalar(select(PurchasePlan).where(
        PurchasePlan.institution_id == institution_id, PurchasePlan.fiscal_year == fiscal_year))


async def plans_of(session: AsyncSession, institution_id: int) -> list[PurchasePlan]:
    rows = await session.scalars(select(PurchasePlan)
                                 .where(PurchasePlan.institution_id == institution_id)
                                 .order_by(PurchasePlan.fiscal_year.desc()))
    return list(rows.all())


async def versions_of(session: AsyncSession, plan_id: int) -> list[PurchasePlanVersion]:
    rows = await session.scalars(select(PurchasePlanVersion)
                                 .where(PurchasePlanVersion.plan_id == plan_id)
                                 .order_by(PurchasePlanVersion.version)
                                 .execution_options(populate_existing=True))
    return list(rows.all())


def in_force(versions: list[PurchasePlanVersion]) -> PurchasePlanVersion | None:
    """The latest published version: what results are measured against."""
    return next((v for v in reversed(versions) if v.state.in_force), None)


def plan_status(versions: list[PurchasePlanVersion]) -> PlanState:
    """The plan's state as people read it: the version in force's, else the first draft's."""
    current = in_force(versions)
    return current.state if current is not None else versions[0].state


async def _lock_plan(session: AsyncSession, plan_id: int) -> PurchasePlan:
    """The plan row, locked until the transaction ends, read as last committed."""
    stmt = select(PurchasePlan).where(PurchasePlan.id == plan_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=PurchasePlan)
    else:
        await session.execute(
            update(PurchasePlan).where(PurchasePlan.id == plan_id).values(id=PurchasePlan.id))
    plan = await session.scalar(stmt.execution_options(populate_existing=True))
    if plan is None:
        raise NotFound(Code.PLAN_NOT_FOUND, "구매계획을 찾을 수 없습니다.", field="plan_id")
    return plan


async def department_names(session: AsyncSession, institution_id: int) -> dict[int, str]:
    """The institution's departments by id, in the order they were added (read afresh: an
    institution loaded earlier may hold a stale list)."""
    rows = await session.execute(select(Department.id, Department.name)
                                 .where(Department.institution_id == institution_id)
                                 .order_by(Department.id))
    return {i: name for i, name in rows.all()}


async def _checked(session: AsyncSession, institution_id: int, figures: PlanFigures) -> None:
    await institution_or_404(session, institution_id)
    rules.check_figures(figures, list(await department_names(session, institution_id)))


def _lines(figures: PlanFigures) -> list[PurchasePlanLine]:
    return [PurchasePlanLine(department_id=line.department_id, category=Category(line.category),
                             planned_amount=line.planned_amount,
                             target_amount=line.target_amount) for line in figures.lines]


async def draft_plan(
    session: AsyncSession, user: User, institution_id: int, fiscal_year: int,
    figures: PlanFigures,
) -> PurchasePlan:
    """Start the plan of a fiscal year as draft version 1 (409 if the year has a plan)."""
    problems = Problems()
    rules.check_fiscal_year(problems, fiscal_year)
    problems.raise_if_any()
    clash = Conflict(Code.DUPLICATE_PLAN, f"{fiscal_year}년 구매계획이 이미 있습니다.",
                     field="fiscal_year")
    async with transaction(session, on_integrity_error=clash):
        await institution_or_404(session, institution_id)
        await require_role(session, user, institution_id, *WRITERS)
        if await plan_of_year(session, institution_id, fiscal_year) is not None:
            raise clash
        await _checked(session, institution_id, figures)
        plan = PurchasePlan(institution_id=institution_id, fiscal_year=fiscal_year)
        session.add(plan)
        await session.flush()
        session.add(PurchasePlanVersion(
            plan_id=plan.id, version=1, state=PlanState.DRAFT,
            planned_total=figures.planned_total, target_amount=figures.target_amount,
            drafted_by=user.id, lines=_lines(figures)))
    return plan


async def _latest(session: AsyncSession, plan: PurchasePlan) -> PurchasePlanVersion:
    return (await versions_of(session, plan.id))[-1]


async def edit_draft(
    session: AsyncSession, user: User, plan_id: int, figures: PlanFigures
) -> PurchasePlanVersion:
    """Change the figures of the plan's draft (409 when no version is being drafted)."""
    async with transaction(session):
        plan = await _lock_plan(session, plan_id)
        await require_role(session, user, plan.institution_id, *WRITERS)
        version = await _latest(session, plan)
        if version.state is not PlanState.DRAFT:
            raise Conflict(Code.PLAN_NOT_EDITABLE,
                           f"{version.version}판은 '{version.state.label}' 상태라 고칠 수 "
                           "없습니다. 공표 뒤에는 변경계획을 작성해 주세요.", field="state")
        await _checked(session, plan.institution_id, figures)
        version.planned_total = figures.planned_total
        version.target_amount = figures.target_amount
        version.lines.clear()
        await session.flush()  # the old lines go before the new ones (same keys) arrive
        version.lines.extend(_lines(figures))
        version.drafted_by = user.id
    return version


def _facts(plan: PurchasePlan, version: PurchasePlanVersion, user: User) -> dict[str, object]:
    return {"id": plan.id, "institution_id": plan.institution_id,
            "fiscal_year": plan.fiscal_year, "version_id": version.id,
            "version": version.version, "state": version.state.value,
            "planned_total": version.planned_total, "target_amount": version.target_amount,
            "actor_id": user.id}


async def submit(session: AsyncSession, user: User, plan_id: int) -> PurchasePlanVersion:
    """Submit the draft for publication."""
    async with transaction(session):
        plan = await _lock_plan(session, plan_id)
        await require_role(session, user, plan.institution_id, *WRITERS)
        version = await _latest(session, plan)
        rules.PLAN_TRANSITIONS.check(version.state, PlanState.SUBMITTED)
        version.state = PlanState.SUBMITTED
        version.submitted_at, version.submitted_by = utcnow(), user.id
        record(session, PlanSubmitted(**_facts(plan, version, user)))  # type: ignore[arg-type]
    return version


async def return_to_draft(session: AsyncSession, user: User, plan_id: int) -> PurchasePlanVersion:
    """Take a submitted version back for corrections."""
    async with transaction(session):
        plan = await _lock_plan(session, plan_id)
        await require_role(session, user, plan.institution_id, *WRITERS)
        version = await _latest(session, plan)
        rules.PLAN_TRANSITIONS.check(version.state, PlanState.DRAFT)
        version.state = PlanState.DRAFT
        version.submitted_at = version.submitted_by = None
    return version


async def publish(
    session: AsyncSession, user: User, plan_id: int, *, at: dt.datetime | None = None
) -> PurchasePlanVersion:
    """Publish the submitted version: version 1 as ``published``, later ones as ``amended``.

    From here the version never changes. Two people publishing at once publish it once: the
    second finds it published (409 ``purchase_plan_invalid_transition``).
    """
    async with transaction(session):
        plan = await _lock_plan(session, plan_id)
        await require_role(session, user, plan.institution_id, *WRITERS)
        version = await _latest(session, plan)
        target = rules.published_state(version.version)
        rules.PLAN_TRANSITIONS.check(version.state, target)
        now = at or utcnow()
        on = seoul_date(now)
        version.state, version.published_at, version.published_on = target, now, on
        version.published_by = user.id
        if plan.first_published_at is None:
            plan.first_published_at, plan.first_published_on = now, on
        facts = _facts(plan, version, user)
        if target is PlanState.PUBLISHED:
            late = rules.is_late(plan.fiscal_year, plan.first_published_on, on)
            record(session, PlanPublished(**facts, published_on=on.isoformat(),  # type: ignore[arg-type]
                                          late=late))
        else:
            record(session, PlanAmended(**facts, published_on=on.isoformat(),  # type: ignore[arg-type]
                                        reason=version.reason))
    return version


async def amend(
    session: AsyncSession, user: User, plan_id: int, *, reason: str,
    figures: PlanFigures | None = None,
) -> PurchasePlanVersion:
    """Start an amendment: the next version, a draft copied from the version in force (or
    with ``figures``), carrying the reason. The published versions stay as they were.

    409 before the plan is published, or while another amendment is being drafted (two
    people amending at once make one new version).
    """
    reason = required_reason(reason, code=Code.AMENDMENT_REASON_REQUIRED, what="변경 사유",
                             limit=REASON_MAX)
    clash = Conflict(Code.AMENDMENT_IN_PROGRESS, "이미 작성 중인 변경계획이 있습니다.",
                     field="plan_id")
    async with transaction(session, on_integrity_error=clash):
        plan = await _lock_plan(session, plan_id)
        await require_role(session, user, plan.institution_id, *WRITERS)
        latest = await _latest(session, plan)
        if not latest.state.in_force:
            if latest.version > 1:
                raise clash
            raise Conflict(Code.PLAN_INVALID_TRANSITION,
                           "공표된 구매계획만 변경할 수 있습니다. 먼저 공표해 주세요.",
                           field="state")
        if figures is None:
            figures = PlanFigures(
                latest.planned_total, latest.target_amount,
                tuple(rules.PlanLineInput(line.department_id, line.category.value,
                                          line.planned_amount, line.target_amount)
                      for line in latest.lines))
        await _checked(session, plan.institution_id, figures)
        version = PurchasePlanVersion(
            plan_id=plan.id, version=latest.version + 1, state=PlanState.DRAFT,
            planned_total=figures.planned_total, target_amount=figures.target_amount,
            reason=reason, drafted_by=user.id, lines=_lines(figures))
        session.add(version)
    return version


async def require_reader(session: AsyncSession, user: User, institution_id: int) -> None:
    """Any role in the institution (or a platform admin) may read its plans and results."""
    await require_role(session, user, institution_id, *ProcurementRole)


def late_flag(plan: PurchasePlan | None, fiscal_year: int, today: dt.date | None = None) -> bool:
    return rules.is_late(fiscal_year, plan.first_published_on if plan else None,
                         today or seoul_today())

"""Demo yearly plan: 성북구청's plan for the current fiscal year (Seoul), published through the
use cases with the real clock like the rest of the demo, so the plan pages, the yearly report
and the dashboard show something on a fresh ``make run``. The demo approver also becomes the
institution admin, who writes plans."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_today
from shop.procurement import institutions, plans
from shop.procurement.models import Department, Institution
from shop.procurement.plan_rules import PlanFigures, PlanLineInput

#: (department, category, planned, target) in won.
LINES = (
    ("일자리정책과", "food", 20_000_000, 8_000_000),
    ("보건행정과", "household", 15_000_000, 6_000_000),
    ("총무과", "office_it", 15_000_000, 6_000_000),
)


async def load_plan(
    session: AsyncSession, admin: User, plan_admin: User, institution: Institution,
    departments: dict[str, Department],
) -> str:
    await institutions.grant_role(session, admin, institution.id, email=plan_admin.email,
                                  role="institution_admin",
                                  department_id=departments[LINES[-1][0]].id)
    year = seoul_today().year
    figures = PlanFigures(50_000_000, 20_000_000, tuple(
        PlanLineInput(departments[name].id, category, planned, target)
        for name, category, planned, target in LINES))
    plan = await plans.draft_plan(session, plan_admin, institution.id, year, figures)
    await plans.submit(session, plan_admin, plan.id)
    await plans.publish(session, plan_admin, plan.id)
    return f"{year}년 구매계획 공표"

"""Buyer-portal pages for the yearly plan, the yearly results report and the dashboard
(Korean, won, Seoul dates; reachable from ``/procurement``).

``/procurement/plans`` lists an institution's plans and starts a year's plan;
``/procurement/plans/{id}`` shows every version (the one in force, amendments with their
reasons), the draft's form, and the buttons the institution admin may press;
``/procurement/reports`` is the yearly results report with CSV/XLSX downloads;
``/procurement/dashboard`` draws target against actual by month and enterprise type.
Every action runs a use case of :mod:`shop.procurement.plans`.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import requires_role
from infra.clock import seoul_today
from infra.errors import Problems
from infra.web.forms import Refusal, act_and_redirect, attempt
from infra.web.params import DbSession, FormData, SignedIn
from shop.analytics.cache import figures_cache
from shop.catalog.taxonomy import Category
from shop.procurement import institution_dashboard, plans, portal, report_exports
from shop.procurement.access import institution_or_404, roles_of
from shop.procurement.buyer_forms import read_int
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import ProcurementRole
from shop.procurement.overdue_inspections import overdue_inspections
from shop.procurement.overdue_pages import inspection_days
from shop.procurement.plan_controllers import readable_report
from shop.procurement.plan_rules import PlanFigures, PlanLineInput
from shop.procurement.yearly_report import percent_text, type_label

REFUSALS = frozenset({400, 403, 409})
BLANK_LINES = 3


def _figures(data: dict[str, str]) -> PlanFigures:
    """The plan form: totals and rows ``line-N-…``; an empty row is ignored."""
    problems = Problems()
    total = read_int(problems, data, "planned_total", "총 구매 계획액을 입력해 주세요.")
    target = read_int(problems, data, "target_amount", "구매 목표액을 입력해 주세요.")
    lines = []
    n = 0
    while f"line-{n}-department_id" in data:
        fields = [data.get(f"line-{n}-{k}", "").strip()
                  for k in ("department_id", "category", "planned_amount", "target_amount")]
        if any(fields[2:]):
            amounts = [read_int(problems, data, f"line-{n}-{k}", "금액을 입력해 주세요.")
                       for k in ("planned_amount", "target_amount")]
            if not fields[0].isdigit():
                problems.add(Code.DEPARTMENT_NOT_FOUND, f"line-{n}-department_id",
                             "부서를 골라 주세요.")
            elif amounts[0] is not None and amounts[1] is not None:
                lines.append(PlanLineInput(int(fields[0]), fields[1], amounts[0], amounts[1]))
        n += 1
    problems.raise_if_any()
    assert total is not None and target is not None
    return PlanFigures(total, target, tuple(lines))


def _year(raw: int | None) -> int:
    return raw if raw and 2000 <= raw <= 2100 else seoul_today().year


class PlanPages(Controller):
    path = "/procurement"
    include_in_schema = False
    guards = [requires_role(Role.PUBLIC_BUYER)]

    @get("/plans", name="procurement:plans")
    async def list_plans(self, user: SignedIn, db_session: DbSession,
                         institution: FromQuery[int | None] = None) -> Template:
        chosen = await portal.chosen_institution(db_session, user, institution)
        rows = []
        if chosen is not None:
            for plan in await plans.plans_of(db_session, chosen.institution.id):
                versions = await plans.versions_of(db_session, plan.id)
                rows.append((plan, plans.plan_status(versions), plans.in_force(versions),
                             plans.late_flag(plan, plan.fiscal_year)))
        return Template("procurement/plans.html", context={
            "chosen": chosen, "rows": rows, "Role": ProcurementRole,
            "year": seoul_today().year, "form": {}, "errors": {}})

    @post("/plans/new", name="procurement:draft_plan")
    async def draft(self, request: Request[Any, Any, Any], user: SignedIn,
                    db_session: DbSession, data: FormData) -> Redirect:
        institution_id = int(data.get("institution_id", "0") or 0)

        async def run() -> Any:
            problems = Problems()
            year = read_int(problems, data, "fiscal_year", "회계연도를 입력해 주세요.")
            problems.raise_if_any()
            assert year is not None
            return await plans.draft_plan(db_session, user, institution_id, year,
                                          _figures(data))

        outcome = await attempt(db_session, run, shown=REFUSALS)
        if isinstance(outcome, Refusal):
            flash(request, outcome.message, category="error")
            return Redirect(f"/procurement/plans?institution={institution_id}")
        flash(request, f"{outcome.fiscal_year}년 구매계획 1판을 작성했습니다. 부서별 계획을 "
                       "채운 뒤 제출해 주세요.", category="success")
        return Redirect(f"/procurement/plans/{outcome.id}")

    async def _plan_template(self, session: AsyncSession, user: User, plan_id: int, *,
                             form: dict[str, str] | None = None,
                             errors: dict[str, str] | None = None,
                             status_code: int = 200) -> Template:
        plan = await plans.plan_or_404(session, plan_id)
        await plans.require_reader(session, user, plan.institution_id)
        institution = await institution_or_404(session, plan.institution_id)
        versions = await plans.versions_of(session, plan.id)
        latest = versions[-1]
        if form is None:
            form = {"planned_total": str(latest.planned_total),
                    "target_amount": str(latest.target_amount)}
            for n, line in enumerate(latest.lines):
                form.update({f"line-{n}-department_id": str(line.department_id),
                             f"line-{n}-category": line.category.value,
                             f"line-{n}-planned_amount": str(line.planned_amount),
                             f"line-{n}-target_amount": str(line.target_amount)})
        rows = len(latest.lines) + BLANK_LINES
        roles = await roles_of(session, user, plan.institution_id)
        return Template("procurement/plan.html", context={
            "plan": plan, "institution": institution, "versions": versions, "latest": latest,
            "in_force": plans.in_force(versions), "status": plans.plan_status(versions),
            "late": plans.late_flag(plan, plan.fiscal_year), "form": form,
            "errors": errors or {}, "rows": range(rows),
            "admin": ProcurementRole.INSTITUTION_ADMIN in roles or user.is_admin,
            "departments": await plans.department_names(session, plan.institution_id),
            "categories": [(c.value, c.label) for c in Category],
            "percent": percent_text,
        }, status_code=status_code)

    @get("/plans/{plan_id:int}", name="procurement:plan")
    async def show(self, user: SignedIn, db_session: DbSession,
                   plan_id: FromPath[int]) -> Template:
        return await self._plan_template(db_session, user, plan_id)

    @post("/plans/{plan_id:int}/edit", name="procurement:edit_plan")
    async def edit(self, request: Request[Any, Any, Any], user: SignedIn,
                   db_session: DbSession, plan_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        outcome = await attempt(
            db_session, lambda: plans.edit_draft(db_session, user, plan_id, _figures(data)),
            shown=REFUSALS)
        if isinstance(outcome, Refusal):
            return await self._plan_template(db_session, user, plan_id, form=data,
                                             errors=outcome.errors,
                                             status_code=outcome.status_code)
        flash(request, f"{outcome.version}판을 저장했습니다.", category="success")
        return Redirect(f"/procurement/plans/{plan_id}")

    async def _button(self, request: Request[Any, Any, Any], session: AsyncSession,
                      plan_id: int, use_case: Any, done: str) -> Redirect:
        return await act_and_redirect(request, session, use_case, done=done,
                                      to=f"/procurement/plans/{plan_id}", shown=REFUSALS)

    @post("/plans/{plan_id:int}/submit", name="procurement:submit_plan")
    async def submit(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, plan_id: FromPath[int]) -> Redirect:
        return await self._button(request, db_session, plan_id,
                                  lambda: plans.submit(db_session, user, plan_id),
                                  "구매계획을 제출했습니다.")

    @post("/plans/{plan_id:int}/return", name="procurement:return_plan")
    async def back(self, request: Request[Any, Any, Any], user: SignedIn,
                   db_session: DbSession, plan_id: FromPath[int]) -> Redirect:
        return await self._button(request, db_session, plan_id,
                                  lambda: plans.return_to_draft(db_session, user, plan_id),
                                  "구매계획을 작성 중으로 되돌렸습니다.")

    @post("/plans/{plan_id:int}/publish", name="procurement:publish_plan")
    async def publish(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, plan_id: FromPath[int]) -> Redirect:
        return await self._button(request, db_session, plan_id,
                                  lambda: plans.publish(db_session, user, plan_id),
                                  "구매계획을 공표했습니다. 공표된 판은 더 이상 바뀌지 않습니다.")

    @post("/plans/{plan_id:int}/amend", name="procurement:amend_plan")
    async def amend(self, request: Request[Any, Any, Any], user: SignedIn,
                    db_session: DbSession, plan_id: FromPath[int], data: FormData) -> Redirect:
        return await self._button(
            request, db_session, plan_id,
            lambda: plans.amend(db_session, user, plan_id, reason=data.get("reason", "")),
            "변경계획(새 판)을 만들었습니다. 고친 뒤 제출·공표해 주세요.")

    @get("/reports", name="procurement:report")
    async def report(self, user: SignedIn, db_session: DbSession,
                     institution: FromQuery[int | None] = None,
                     year: FromQuery[int | None] = None) -> Template:
        chosen = await portal.chosen_institution(db_session, user, institution)
        report = None
        if chosen is not None:
            report = await readable_report(db_session, user, chosen.institution.id,
                                           _year(year))
        return Template("procurement/report.html", context={
            "chosen": chosen, "report": report, "year": _year(year), "percent": percent_text,
            "type_label": type_label})

    @get("/reports/{institution_id:int}/{year:int}/{kind:str}", name="procurement:download")
    async def download(self, user: SignedIn, db_session: DbSession,
                       institution_id: FromPath[int], year: FromPath[int],
                       kind: FromPath[str]) -> Response[bytes]:
        report = await readable_report(db_session, user, institution_id, year)
        response: Response[bytes] = (report_exports.xlsx_download(report) if kind == "xlsx"
                                     else report_exports.csv_download(report))
        return response

    @get("/dashboard", name="procurement:dashboard")
    async def dashboard(self, request: Request[Any, Any, Any], user: SignedIn,
                        db_session: DbSession, institution: FromQuery[int | None] = None,
                        year: FromQuery[int | None] = None) -> Template:
        chosen = await portal.chosen_institution(db_session, user, institution)
        context: dict[str, Any] = {"chosen": chosen, "year": _year(year),
                                   "percent": percent_text}
        if chosen is not None:
            report = await readable_report(db_session, user, chosen.institution.id,
                                           _year(year))
            paid = institution_dashboard.paid_rows(
                await institution_dashboard.paid_months(db_session, chosen.institution.id,
                                                        _year(year),
                                                        figures_cache(request.app.state)),
                report.institution_result.target_amount)
            context.update(
                overdue=await overdue_inspections(db_session, chosen.institution.id,
                                                  today=seoul_today(),
                                                  days=inspection_days(request)),
                inspection_days=inspection_days(request),
                official_basis=institution_dashboard.OFFICIAL_BASIS,
                paid_basis=institution_dashboard.PAID_BASIS, paid=paid,
                paid_chart=institution_dashboard.paid_chart(report, paid),
                counted_as_label=institution_dashboard.counted_as_label,
                report=report, months=institution_dashboard.month_rows(report),
                types=institution_dashboard.type_rows(report),
                month_chart=institution_dashboard.month_chart(report),
                type_chart=institution_dashboard.type_chart(report))
        return Template("procurement/dashboard.html", context=context)


ROUTES: list[Any] = [PlanPages]

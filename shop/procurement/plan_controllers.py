"""``/api/procurement``: yearly purchase plans (draft, edit, submit, return, publish, amend,
with every version), the yearly results report (JSON, CSV, XLSX) and the institution
dashboard. Writing a plan is the institution admin's; reading is any member's."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from infra.auth import requires_user
from infra.clock import seoul_today
from infra.web.params import DbSession, SignedIn, strict_body
from shop.analytics.cache import figures_cache
from shop.procurement import institution_dashboard, plans, report_exports, yearly_report
from shop.procurement.access import institution_or_404
from shop.procurement.institution_dashboard import DashboardOut
from shop.procurement.overdue_inspections import overdue_inspections
from shop.procurement.overdue_pages import inspection_days
from shop.procurement.plan_schemas import AmendIn, PlanFiguresIn, PlanIn, PlanOut, ReportOut

TAGS = ["공공구매 계획·실적 (Procurement plans)"]


async def plan_out(session: AsyncSession, plan_id: int) -> PlanOut:
    session.expunge_all()
    plan = await plans.plan_or_404(session, plan_id)
    return PlanOut.of(plan, await plans.versions_of(session, plan_id),
                      plans.late_flag(plan, plan.fiscal_year))


async def readable_report(
    session: AsyncSession, user: Any, institution_id: int, year: int
) -> yearly_report.YearlyReport:
    await institution_or_404(session, institution_id)
    await plans.require_reader(session, user, institution_id)
    return await yearly_report.yearly_report(session, institution_id, year)


class PlanApi(Controller):
    path = "/api/procurement"
    tags = TAGS
    guards = [requires_user]

    @get("/institutions/{institution_id:int}/plans", operation_id="listPurchasePlans",
         summary="기관의 연도별 구매계획 (기관 구성원)")
    async def list_plans(self, user: SignedIn, db_session: DbSession,
                         institution_id: FromPath[int]) -> list[PlanOut]:
        await institution_or_404(db_session, institution_id)
        await plans.require_reader(db_session, user, institution_id)
        return [await plan_out(db_session, p.id)
                for p in await plans.plans_of(db_session, institution_id)]

    @post("/institutions/{institution_id:int}/plans", operation_id="draftPurchasePlan",
          summary="구매계획 작성 (기관 관리자; 연도마다 하나, 1판 작성 중)",
          status_code=HTTP_201_CREATED)
    async def draft(self, request: Request[Any, Any, Any], user: SignedIn,
                    db_session: DbSession, institution_id: FromPath[int],
                    data: JSONBody[PlanIn]) -> PlanOut:
        data = await strict_body(request, PlanIn)
        plan = await plans.draft_plan(db_session, user, institution_id, data.fiscal_year,
                                      data.figures())
        return await plan_out(db_session, plan.id)

    @get("/plans/{plan_id:int}", operation_id="getPurchasePlan",
         summary="구매계획과 모든 판 (기관 구성원)")
    async def show(self, user: SignedIn, db_session: DbSession,
                   plan_id: FromPath[int]) -> PlanOut:
        plan = await plans.plan_or_404(db_session, plan_id)
        await plans.require_reader(db_session, user, plan.institution_id)
        return await plan_out(db_session, plan_id)

    @post("/plans/{plan_id:int}/draft", operation_id="editPurchasePlanDraft",
          summary="작성 중인 판 고치기 (기관 관리자; 제출·공표 뒤에는 409)",
          status_code=HTTP_200_OK)
    async def edit(self, request: Request[Any, Any, Any], user: SignedIn,
                   db_session: DbSession, plan_id: FromPath[int],
                   data: JSONBody[PlanFiguresIn]) -> PlanOut:
        data = await strict_body(request, PlanFiguresIn)
        await plans.edit_draft(db_session, user, plan_id, data.figures())
        return await plan_out(db_session, plan_id)

    @post("/plans/{plan_id:int}/submit", operation_id="submitPurchasePlan",
          summary="구매계획 제출 (기관 관리자)", status_code=HTTP_200_OK)
    async def submit(self, user: SignedIn, db_session: DbSession,
                     plan_id: FromPath[int]) -> PlanOut:
        await plans.submit(db_session, user, plan_id)
        return await plan_out(db_session, plan_id)

    @post("/plans/{plan_id:int}/return", operation_id="returnPurchasePlan",
          summary="제출한 판을 작성 중으로 되돌리기 (기관 관리자)", status_code=HTTP_200_OK)
    async def back_to_draft(self, user: SignedIn, db_session: DbSession,
                            plan_id: FromPath[int]) -> PlanOut:
        await plans.return_to_draft(db_session, user, plan_id)
        return await plan_out(db_session, plan_id)

    @post("/plans/{plan_id:int}/publish", operation_id="publishPurchasePlan",
          summary="구매계획 공표 (기관 관리자; 1판은 공표, 이후 판은 변경 공표; 공표된 판은 "
                  "바뀌지 않음)", status_code=HTTP_200_OK)
    async def publish(self, user: SignedIn, db_session: DbSession,
                      plan_id: FromPath[int]) -> PlanOut:
        await plans.publish(db_session, user, plan_id)
        return await plan_out(db_session, plan_id)

    @post("/plans/{plan_id:int}/amend", operation_id="amendPurchasePlan",
          summary="변경계획 작성 (기관 관리자; 사유 필수; 새 판이 작성 중으로 생김)",
          status_code=HTTP_201_CREATED)
    async def amend(self, request: Request[Any, Any, Any], user: SignedIn,
                    db_session: DbSession, plan_id: FromPath[int],
                    data: JSONBody[AmendIn]) -> PlanOut:
        data = await strict_body(request, AmendIn)
        await plans.amend(db_session, user, plan_id, reason=data.reason,
                          figures=data.figures.figures() if data.figures else None)
        return await plan_out(db_session, plan_id)

    @get("/institutions/{institution_id:int}/reports/{year:int}",
         operation_id="getYearlyProcurementReport",
         summary="연간 구매실적: 품목·기업유형별, 계획 대비 실적, 예외, 계획 지연 (기관 구성원)")
    async def report(self, user: SignedIn, db_session: DbSession,
                     institution_id: FromPath[int], year: FromPath[int]) -> ReportOut:
        return ReportOut.of(await readable_report(db_session, user, institution_id, year))

    @get("/institutions/{institution_id:int}/reports/{year:int}/csv",
         operation_id="downloadYearlyProcurementReportCsv",
         summary="연간 구매실적 CSV (UTF-8, BOM)", media_type="text/csv")
    async def report_csv(self, user: SignedIn, db_session: DbSession,
                         institution_id: FromPath[int], year: FromPath[int]) -> Response[bytes]:
        report = await readable_report(db_session, user, institution_id, year)
        response: Response[bytes] = report_exports.csv_download(report)
        return response

    @get("/institutions/{institution_id:int}/reports/{year:int}/xlsx",
         operation_id="downloadYearlyProcurementReportXlsx", summary="연간 구매실적 XLSX",
         media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    async def report_xlsx(self, user: SignedIn, db_session: DbSession,
                          institution_id: FromPath[int], year: FromPath[int]) -> Response[bytes]:
        report = await readable_report(db_session, user, institution_id, year)
        response: Response[bytes] = report_exports.xlsx_download(report)
        return response

    @get("/institutions/{institution_id:int}/dashboard", operation_id="getInstitutionDashboard",
         summary="기관 대시보드: 목표 대비 월별 누적, 기업 유형별 (기관 구성원)")
    async def dashboard(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        institution_id: FromPath[int], year: FromQuery[int | None] = None,
    ) -> DashboardOut:
        chosen = year or seoul_today().year
        report = await readable_report(db_session, user, institution_id, chosen)
        paid = await institution_dashboard.paid_months(db_session, institution_id, chosen,
                                                      figures_cache(request.app.state))
        overdue = await overdue_inspections(db_session, institution_id, today=seoul_today(),
                                            days=inspection_days(request))
        return institution_dashboard.DashboardOut.of(report, paid, overdue)


ROUTES: list[Any] = [PlanApi]

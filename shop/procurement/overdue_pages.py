"""The inspection-overdue report in the buyer portal and the JSON API.

``/procurement/inspections/overdue`` (menu: 공공구매 → 검수 기한 경과) lists the institution's
delivered orders not inspected within ``Settings.inspection_days`` of their latest delivery,
each linking to its order page where the inspector records the inspection;
``GET /api/procurement/institutions/{id}/overdue-inspections`` gives the same rows. The
institution dashboard shows the same list (:mod:`shop.procurement.plan_pages`). The rule and
the query are :mod:`shop.procurement.overdue_inspections`.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from infra.accounts.models import Role
from infra.auth import requires_role, requires_user
from infra.clock import seoul_today
from infra.web.params import DbSession, SignedIn
from shop.procurement import portal
from shop.procurement.overdue_inspections import (
    OverdueInspectionOut,
    OverdueReportOut,
    readable_overdue,
)


def inspection_days(request: Request[Any, Any, Any]) -> int:
    """The 검수 기한 in days, from the application's settings."""
    return int(request.app.state.settings.inspection_days)


class OverdueInspectionPages(Controller):
    path = "/procurement/inspections"
    include_in_schema = False
    guards = [requires_role(Role.PUBLIC_BUYER)]

    @get("/overdue", name="procurement:overdue_inspections")
    async def page(self, request: Request[Any, Any, Any], user: SignedIn,
                   db_session: DbSession,
                   institution: FromQuery[int | None] = None) -> Template:
        chosen = await portal.chosen_institution(db_session, user, institution)
        days, today = inspection_days(request), seoul_today()
        rows = []
        if chosen is not None:
            rows = await readable_overdue(db_session, user, chosen.institution.id,
                                          today=today, days=days)
        return Template("procurement/overdue_inspections.html", context={
            "chosen": chosen, "rows": rows, "days": days, "today": today})


class OverdueInspectionApi(Controller):
    path = "/api/procurement/institutions/{institution_id:int}/overdue-inspections"
    tags = ["공공구매 계획·실적 (Procurement plans)"]
    guards = [requires_user]

    @get("/", operation_id="listOverdueInspections",
         summary="검수 기한이 지난 납품 (기관 구성원): 납품 뒤 검수 기한(설정, 기본 14일) 안에 "
                 "검수하지 않은 주문, 오래 기다린 순")
    async def overdue(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, institution_id: FromPath[int]) -> OverdueReportOut:
        days, today = inspection_days(request), seoul_today()
        rows = await readable_overdue(db_session, user, institution_id, today=today, days=days)
        return OverdueReportOut(institution_id=institution_id, as_of=today,
                                inspection_days=days,
                                orders=[OverdueInspectionOut.of(r) for r in rows])


ROUTES: list[Any] = [OverdueInspectionPages, OverdueInspectionApi]

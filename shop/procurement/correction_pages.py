"""Corrections of counted amounts (실적 정정) in the buyer portal and the JSON API.

``/procurement/corrections`` (menu: 공공구매 → 실적 정정) shows every correction of the
institution's orders, newest first, with who recorded it, when (Seoul time), the signed
change, the day it takes effect and the reason: the audit trail. The discloser or the
institution admin enters a new one there by order number (the page refuses beside the field);
any member reads. An order's page lists its own corrections and links here.
``GET /api/procurement/institutions/{id}/corrections`` is the same trail as JSON. The use case
is :func:`shop.procurement.corrections.correct_counted_amount` (decision 43 §4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import requires_role, requires_user
from infra.clock import seoul_time
from infra.errors import Problems
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn
from shop.procurement import corrections, portal
from shop.procurement.access import institution_or_404
from shop.procurement.buyer_forms import read_int
from shop.procurement.models import ProcurementRole
from shop.procurement.outside_models import CountedCorrection
from shop.procurement.plans import require_reader

WRITERS = frozenset({ProcurementRole.DISCLOSER, ProcurementRole.INSTITUTION_ADMIN})


class TrailOut(msgspec.Struct, kw_only=True):
    id: int
    order_id: int
    order_number: str
    department: str
    amount_change: int
    effective_on: dt.date
    reason: str
    recorded_by: int
    recorded_by_name: str
    recorded_at: dt.datetime

    @classmethod
    def of(cls, row: corrections.TrailRow) -> TrailOut:
        c = row.correction
        return cls(id=c.id, order_id=c.order_id, order_number=row.order_number,
                   department=row.department, amount_change=c.amount_change,
                   effective_on=c.effective_on, reason=c.reason, recorded_by=c.recorded_by,
                   recorded_by_name=row.recorded_by, recorded_at=c.recorded_at)


async def _page(session: AsyncSession, user: User, institution: int | None, *,
                form: dict[str, str] | None = None, refusal: Refusal | None = None) -> Template:
    chosen = await portal.chosen_institution(session, user, institution)
    trail: list[corrections.TrailRow] = []
    if chosen is not None:
        trail = await corrections.trail_of(session, chosen.institution.id)
    return Template("procurement/corrections.html", context={
        "chosen": chosen, "trail": trail, "seoul_time": seoul_time,
        "can_write": chosen is not None and bool(chosen.roles & WRITERS),
        "form": form or {}, "errors": refusal.errors if refusal else {},
    }, status_code=refusal.status_code if refusal else 200)


class CorrectionPages(Controller):
    path = "/procurement/corrections"
    include_in_schema = False
    guards = [requires_role(Role.PUBLIC_BUYER)]

    @get("/", name="procurement:corrections")
    async def page(self, user: SignedIn, db_session: DbSession,
                   institution: FromQuery[int | None] = None,
                   order: FromQuery[str | None] = None) -> Template:
        return await _page(db_session, user, institution, form={"order_number": order or ""})

    @post("/", name="procurement:correct")
    async def correct(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, data: FormData) -> Template | Redirect:
        raw = data.get("institution_id", "")
        institution_id = int(raw) if raw.isdigit() else 0

        async def run() -> CountedCorrection:
            await institution_or_404(db_session, institution_id)
            problems = Problems()
            change = read_int(problems, data, "amount_change",
                              "정정 금액(부가세 포함, 줄이면 -)을 입력해 주세요.")
            problems.raise_if_any()
            assert change is not None
            order = await corrections.order_by_number(db_session, institution_id,
                                                      data.get("order_number", ""))
            return await corrections.correct_counted_amount(
                db_session, user, order.id, amount_change=change,
                reason=data.get("reason", ""))

        outcome = await attempt(db_session, run)
        if isinstance(outcome, Refusal):
            return await _page(db_session, user, institution_id, form=data, refusal=outcome)
        flash(request, f"인정 금액 정정 {outcome.amount_change:+,}원을 기록했습니다 "
                       f"({outcome.effective_on.isoformat()}부터 실적에 반영).",
              category="success")
        return Redirect(f"/procurement/corrections?institution={institution_id}")


class CorrectionApi(Controller):
    path = "/api/procurement/institutions/{institution_id:int}/corrections"
    tags = ["공공구매 계획·실적 (Procurement plans)"]
    guards = [requires_user]

    @get("/", operation_id="listInstitutionCorrections",
         summary="기관의 인정 금액 정정 내역 전체, 최근 것부터 (기관 구성원)")
    async def trail(self, user: SignedIn, db_session: DbSession,
                    institution_id: FromPath[int]) -> list[TrailOut]:
        await institution_or_404(db_session, institution_id)
        await require_reader(db_session, user, institution_id)
        return [TrailOut.of(r) for r in await corrections.trail_of(db_session, institution_id)]


ROUTES: list[Any] = [CorrectionPages, CorrectionApi]

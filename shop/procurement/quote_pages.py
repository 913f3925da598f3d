"""The buyer's request-for-quotation pages (견적 요청), reached from the /procurement portal.

``/procurement/quotes`` lists an institution's requests; ``/procurement/quotes/new`` sends
one (lines, delivery, estimated price, deadline in Seoul time, and whom to ask: vendors ticked
by name, or every approved vendor of a category or strategic item); ``/procurement/quotes/{id}``
shows the quotes that came in, line by line, with a button to award each. Every action runs
``quotations.request_quotes`` or ``awarding.award``; a refusal comes back beside its field
(the form) or as a flash naming the rule (the award).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import requires_role
from infra.clock import SEOUL, seoul_today, utcnow
from infra.errors import Problems
from infra.web.forms import Refusal, act_and_redirect, attempt
from infra.web.params import DbSession, FormData, SignedIn
from shop.catalog.taxonomy import Category, StrategicItem
from shop.procurement import awarding, portal, quotations, vendor_console
from shop.procurement.access import institution_or_404, require_role, roles_of
from shop.procurement.buyer_forms import errors_for_form, line_rows, read_date, read_int
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import ProcurementRole
from shop.procurement.quotation_models import QuoteRequest, QuoteRequestStatus
from shop.vendors.models import Vendor

REFUSALS = frozenset({400, 403, 404, 409})
LINE_FIELDS = ("category", "description", "quantity", "unit")


def _read_deadline(problems: Problems, form: dict[str, str]) -> dt.datetime | None:
    raw = (form.get("deadline") or "").strip()
    if not raw:
        return None  # the use case names it
    try:
        return dt.datetime.fromisoformat(raw).replace(tzinfo=None)  # Seoul wall-clock time
    except ValueError:
        problems.add(Code.INVALID_DATE, "deadline",
                     "마감 일시는 2025-03-06 17:00처럼 입력해 주세요.")
        return None


def request_input(
    form: dict[str, str], institution_id: int
) -> tuple[quotations.QuoteRequestInput, list[int]]:
    """The request a new-request form describes, and the form row of each line."""
    problems = Problems()
    department_id = read_int(problems, form, "department_id", "부서를 골라 주세요.")
    estimated = read_int(problems, form, "estimated_price", "", required=False)
    delivery_date = read_date(problems, form, "delivery_date")
    deadline = _read_deadline(problems, form)
    lines: list[quotations.RequestLineInput] = []
    rows: list[int] = []
    for row in range(line_rows(form)):
        cells = {f: (form.get(f"lines[{row}].{f}") or "").strip() for f in LINE_FIELDS}
        if not any(cells[f] for f in ("description", "quantity")):
            continue
        quantity = read_int(problems, form, f"lines[{row}].quantity", "수량을 입력해 주세요.")
        lines.append(quotations.RequestLineInput(cells["category"], cells["description"],
                                                 quantity or 0, cells["unit"]))
        rows.append(row)
    problems.raise_if_any()
    assert department_id is not None
    mode = form.get("invite", "vendors")
    vendor_ids = tuple(sorted(int(key.split(".", 1)[1]) for key, value in form.items()
                              if key.startswith("vendor.") and key[7:].isdigit() and value))
    return quotations.QuoteRequestInput(
        institution_id=institution_id, department_id=department_id,
        title=form.get("title", ""), lines=tuple(lines),
        delivery_place=form.get("delivery_place", ""), delivery_date=delivery_date,
        estimated_price=estimated, deadline=deadline,
        vendor_ids=vendor_ids if mode == "vendors" else (),
        category=form.get("category") or None if mode == "category" else None,
        strategic_item=form.get("strategic_item") or None if mode == "strategic_item" else None,
    ), rows


async def _form_page(
    session: AsyncSession, user: User, institution_id: int, *, form: dict[str, str],
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> Template:
    institution = await institution_or_404(session, institution_id)
    await require_role(session, user, institution_id, ProcurementRole.REQUESTER)
    return Template("procurement/quote_form.html", context={
        "institution": institution, "form": form, "errors": errors or {},
        "rows": range(line_rows(form)),
        "departments": [(str(d.id), d.name) for d in institution.departments],
        "vendors": await portal.selling_vendors(session),
        "categories": [(c.value, c.label) for c in Category],
        "strategic_items": [(s.value, s.label) for s in StrategicItem],
    }, status_code=status_code)


async def _vendor_names(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = (await session.execute(select(Vendor.id, Vendor.name).where(Vendor.id.in_(ids))))
    return {i: n for i, n in rows.all()}


class QuotePages(Controller):
    path = "/procurement/quotes"
    include_in_schema = False
    guards = [requires_role(Role.PUBLIC_BUYER)]

    @get("/", name="procurement:quotes")
    async def index(self, user: SignedIn, db_session: DbSession,
                    institution: FromQuery[int | None] = None) -> Template:
        mine = await portal.institutions_of(db_session, user)
        chosen = next((m for m in mine if m.institution.id == institution),
                      mine[0] if mine else None)
        rows: list[QuoteRequest] = []
        if chosen is not None:
            rows = await quotations.requests_of_institution(db_session, user,
                                                            chosen.institution.id)
        return Template("procurement/quotes.html", context={
            "mine": mine, "chosen": chosen, "rows": rows,
            "Role": ProcurementRole, "now": utcnow(),
        })

    @get("/new", name="procurement:new_quote_request")
    async def new(self, user: SignedIn, db_session: DbSession,
                  institution: FromQuery[int]) -> Template:
        week = seoul_today() + dt.timedelta(days=7)
        form = {"deadline": f"{week.isoformat()}T17:00",
                "delivery_date": (week + dt.timedelta(days=7)).isoformat(), "invite": "vendors"}
        return await _form_page(db_session, user, institution, form=form)

    @post("/new", name="procurement:create_quote_request")
    async def create(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, data: FormData) -> Template | Redirect:
        problems = Problems()
        institution_id = read_int(problems, data, "institution_id", "기관을 골라 주세요.")
        if institution_id is None:
            return Redirect("/procurement/quotes")
        rows: list[int] = []

        async def save() -> QuoteRequest:
            nonlocal rows
            body, rows = request_input(data, institution_id)
            return await quotations.request_quotes(db_session, user, body)

        outcome = await attempt(db_session, save, shown=REFUSALS)
        if isinstance(outcome, Refusal):
            errors = errors_for_form(outcome.errors, rows)
            errors = {("vendors" if k.startswith("vendor_ids") else k): v
                      for k, v in errors.items()}
            return await _form_page(db_session, user, institution_id, form=data,
                                    errors=errors, status_code=outcome.status_code)
        flash(request, f"견적 요청 {outcome.number}을(를) {len(outcome.vendor_ids)}개 기업에 "
                       "보냈습니다. 각 기업 담당자에게 메일이 갑니다.", category="success")
        return Redirect(f"/procurement/quotes/{outcome.id}")

    @get("/{request_id:int}", name="procurement:quote_request")
    async def show(self, user: SignedIn, db_session: DbSession,
                   request_id: FromPath[int]) -> Template:
        row = await quotations.request_or_404(db_session, request_id)
        await require_role(db_session, user, row.institution_id, *ProcurementRole)
        roles = await roles_of(db_session, user, row.institution_id)
        quotes = await awarding.quotes_of(db_session, row.id)
        names = await _vendor_names(db_session, row.vendor_ids)
        return Template("procurement/quote_request.html", context={
            "req": row, "quotes": quotes, "names": names,
            "institution": await institution_or_404(db_session, row.institution_id),
            "can_award": (ProcurementRole.REQUESTER in roles
                          and row.status is QuoteRequestStatus.OPEN),
            "deadline_passed": utcnow() >= row.deadline.replace(
                tzinfo=row.deadline.tzinfo or dt.UTC),
            "answered": {q.vendor_id for q in quotes}, "today": seoul_today(),
            "SEOUL": SEOUL,
        })

    @post("/{request_id:int}/award", name="procurement:award_quote")
    async def award(self, request: Request[Any, Any, Any], user: SignedIn,
                    db_session: DbSession, request_id: FromPath[int],
                    data: FormData) -> Redirect:
        quote_id = int(data["quote_id"]) if (data.get("quote_id") or "").isdigit() else 0
        return await act_and_redirect(
            request, db_session, lambda: awarding.award(db_session, user, request_id, quote_id),
            done=lambda o: (f"낙찰했습니다. 구매 주문 {o.number}({o.method.label})을(를) "
                            f"결재에 올렸습니다 (결재자 {o.approvals_required}명)."),
            to=lambda o: f"/procurement/orders/{o.id}",
            refused_to=f"/procurement/quotes/{request_id}", shown=REFUSALS)


ROUTES: list[Any] = [QuotePages, *vendor_console.ROUTES]

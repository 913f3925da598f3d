"""The buyer portal (공공구매): pages for an institution's staff, in Korean, without JavaScript.

``/procurement`` lists the person's institutions (departments, orders by status, page by
page); ``/procurement/inbox`` is the approver's 결재함; ``/procurement/orders/new`` drafts an
order; ``/procurement/orders/{id}`` shows one order (lines, supply/VAT/total, how it counted
and why, its history in Seoul time) with the actions this person may take. Every action runs
the use case of ``ordering``, ``approval``, ``receiving`` or ``invoicing``: a refusal comes
back beside its field (forms) or as a flash message (buttons).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import requires_role
from infra.clock import seoul_today
from infra.errors import Problems
from infra.web.forms import Refusal, act_and_redirect, attempt, safe_next
from infra.web.params import DbSession, FormData, SignedIn
from shop.catalog.taxonomy import Category
from shop.procurement import approval, invoicing, ordering, portal, receiving
from shop.procurement.access import institution_or_404, order_or_404, require_role
from shop.procurement.amounts import amounts_of
from shop.procurement.buyer_forms import (
    by_line,
    errors_for_form,
    line_rows,
    order_input,
    prefixed,
    read_date,
    read_int,
)
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.correction_pages import WRITERS
from shop.procurement.models import ProcurementRole, PurchaseMethod, PurchaseOrder

#: What the buttons say in a flash; a 404 goes to the error page.
REFUSALS = frozenset({400, 403, 409})
#: The fields of each form on the order page (a message about another field goes on top).
ORDER_FORMS: dict[str, set[str]] = {
    "deliver": {"delivered_on", "quantities"},
    "inspect": {"inspected_on", "accepted"},
    "invoice": {"number", "supply", "vat", "issued_on"},
    "pay": {"amount", "bank_reference", "paid_on"},
    "cancel": {"reason"},
}


def _status(raw: str | None) -> PurchaseOrderStatus | None:
    try:
        return PurchaseOrderStatus(raw) if raw else None
    except ValueError:
        return None


def _defaults(page: portal.OrderPage) -> dict[str, str]:
    """What the order page's forms start with: today, what arrived, what was accepted."""
    today = seoul_today().isoformat()
    form = {"delivered_on": today, "inspected_on": today, "issued_on": today, "paid_on": today}
    for line in page.order.lines:
        form[f"accepted.{line.id}"] = str(page.delivered.get(line.id, 0))
    if page.inspection is not None:
        amounts = amounts_of(page.inspection.accepted_supply)
        form.update(supply=str(amounts.supply), vat=str(amounts.vat))
    if page.invoice is not None:
        form["amount"] = str(page.invoice.total)
    return form


async def _order_template(
    session: AsyncSession, user: User, order_id: int, *, errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None, status_code: int = 200,
) -> Template:
    page = await portal.order_page(session, user, order_id)
    return Template("procurement/order.html", context={
        "page": page, "order": page.order, "errors": errors or {},
        "form": {**_defaults(page), **(form or {})},
        "Role": ProcurementRole, "can_correct": bool(page.roles & WRITERS),
    }, status_code=status_code)


async def _new_order_template(
    session: AsyncSession, user: User, institution_id: int, *, form: dict[str, str],
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> Template:
    institution = await institution_or_404(session, institution_id)
    await require_role(session, user, institution_id, ProcurementRole.REQUESTER)
    return Template("procurement/order_form.html", context={
        "institution": institution, "form": form, "errors": errors or {},
        "rows": range(line_rows(form)),
        "departments": [(str(d.id), d.name) for d in institution.departments],
        "vendors": [(str(v.id), f"{v.name} ({v.enterprise_type.label})")
                    for v in await portal.selling_vendors(session)],
        "methods": [(m.value, m.label) for m in PurchaseMethod],
        "categories": [(c.value, c.label) for c in Category],
    }, status_code=status_code)


class BuyerPages(Controller):
    path = "/procurement"
    include_in_schema = False
    guards = [requires_role(Role.PUBLIC_BUYER)]

    @get("/", name="procurement:portal")
    async def home(
        self, user: SignedIn, db_session: DbSession, institution: FromQuery[int | None] = None,
        status: FromQuery[str | None] = None, page: FromQuery[int] = 1,
    ) -> Template:
        mine = await portal.institutions_of(db_session, user)
        chosen = next((m for m in mine if m.institution.id == institution),
                      mine[0] if mine else None)
        wanted = _status(status)
        page = max(1, page)
        rows: list[portal.OrderRow] = []
        total, counts = 0, {}
        if chosen is not None:
            rows, total = await portal.orders_of(db_session, chosen.institution.id,
                                                 status=wanted, page=page)
            counts = await portal.status_counts(db_session, chosen.institution.id)
        return Template("procurement/portal.html", context={
            "mine": mine, "chosen": chosen, "rows": rows, "status": wanted, "page": page,
            "pages": max(1, -(-total // portal.PAGE_SIZE)), "total": total, "counts": counts,
            "statuses": list(PurchaseOrderStatus), "Role": ProcurementRole,
            "inbox": len(await portal.inbox_of(db_session, user)),
        })

    @get("/inbox", name="procurement:inbox")
    async def inbox(self, user: SignedIn, db_session: DbSession) -> Template:
        return Template("procurement/inbox.html", context={
            "rows": await portal.inbox_of(db_session, user),
        })

    @get("/orders/new", name="procurement:new_order")
    async def new_order(
        self, user: SignedIn, db_session: DbSession, institution: FromQuery[int],
    ) -> Template:
        form = {"contract_date": seoul_today().isoformat(), "quotes": "1",
                "method": PurchaseMethod.SINGLE_QUOTE.value}
        return await _new_order_template(db_session, user, institution, form=form)

    @post("/orders/new", name="procurement:create_order")
    async def create_order(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        problems = Problems()
        institution_id = read_int(problems, data, "institution_id", "기관을 골라 주세요.")
        if institution_id is None:
            return Redirect("/procurement")
        rows: list[int] = []

        async def save() -> PurchaseOrder:
            nonlocal rows
            order_data, rows = order_input(data, institution_id)
            return await ordering.create_order(db_session, user, order_data)

        outcome = await attempt(db_session, save)
        if isinstance(outcome, Refusal):
            return await _new_order_template(
                db_session, user, institution_id, form=data,
                errors=errors_for_form(outcome.errors, rows), status_code=outcome.status_code)
        flash(request, f"주문 {outcome.number}을(를) 작성했습니다. 확인 후 결재를 올려 주세요.",
              category="success")
        return Redirect(f"/procurement/orders/{outcome.id}")

    @get("/orders/{order_id:int}", name="procurement:order")
    async def order(self, user: SignedIn, db_session: DbSession,
                    order_id: FromPath[int]) -> Template:
        return await _order_template(db_session, user, order_id)

    @post("/orders/{order_id:int}/submit", name="procurement:submit")
    async def submit(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, order_id: FromPath[int]) -> Redirect:
        return await act_and_redirect(
            request, db_session, lambda: ordering.submit_order(db_session, user, order_id),
            done=lambda o: (f"주문 {o.number}의 결재를 올렸습니다 "
                            f"(결재자 {o.approvals_required}명)."),
            to=f"/procurement/orders/{order_id}", shown=REFUSALS)

    @post("/orders/{order_id:int}/approve", name="procurement:approve")
    async def approve(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: FormData) -> Redirect:
        back = safe_next(data.get("next"), f"/procurement/orders/{order_id}")
        return await act_and_redirect(
            request, db_session, lambda: approval.approve(db_session, user, order_id),
            done=lambda o: (f"주문 {o.number}을(를) 결재했습니다."
                            + (" 결재가 끝나 발주되었습니다."
                               if o.status is PurchaseOrderStatus.APPROVED else "")),
            to=back, shown=REFUSALS)

    async def _form_action(
        self, request: Request[Any, Any, Any], session: AsyncSession, user: User,
        order_id: int, action: str, data: dict[str, str], use_case: Any, done: str,
    ) -> Template | Redirect:
        outcome = await attempt(session, use_case, shown=REFUSALS)
        if isinstance(outcome, Refusal):
            return await _order_template(
                session, user, order_id, errors=prefixed(action, outcome.errors,
                                                         ORDER_FORMS[action]),
                form=data, status_code=outcome.status_code)
        flash(request, done, category="success")
        return Redirect(f"/procurement/orders/{order_id}")

    async def _line_ids(self, session: AsyncSession, order_id: int) -> list[int]:
        order = await order_or_404(session, order_id)
        return [line.id for line in order.lines]

    @post("/orders/{order_id:int}/deliver", name="procurement:deliver")
    async def deliver(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        async def run() -> object:
            problems = Problems()
            delivered_on = read_date(problems, data, "delivered_on")
            quantities = by_line(problems, data, "quantities",
                                 await self._line_ids(db_session, order_id), required=False)
            problems.raise_if_any()
            return await receiving.deliver(db_session, user, order_id,
                                           delivered_on=delivered_on,
                                           quantities=quantities or None)

        return await self._form_action(request, db_session, user, order_id, "deliver", data,
                                       run, "납품을 기록했습니다.")

    @post("/orders/{order_id:int}/inspect", name="procurement:inspect")
    async def inspect(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        async def run() -> object:
            problems = Problems()
            inspected_on = read_date(problems, data, "inspected_on")
            accepted = by_line(problems, data, "accepted",
                               await self._line_ids(db_session, order_id), required=True)
            problems.raise_if_any()
            return await receiving.inspect(db_session, user, order_id, accepted,
                                           inspected_on=inspected_on)

        return await self._form_action(request, db_session, user, order_id, "inspect", data,
                                       run, "검수를 기록했습니다.")

    @post("/orders/{order_id:int}/invoice", name="procurement:invoice")
    async def invoice(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        async def run() -> object:
            problems = Problems()
            supply = read_int(problems, data, "supply", "공급가액을 입력해 주세요.")
            vat = read_int(problems, data, "vat", "부가세를 입력해 주세요.")
            issued_on = read_date(problems, data, "issued_on")
            problems.raise_if_any()
            assert supply is not None and vat is not None
            return await invoicing.approve_invoice(
                db_session, user, order_id, number=data.get("number", ""), supply=supply,
                vat=vat, issued_on=issued_on)

        return await self._form_action(request, db_session, user, order_id, "invoice", data,
                                       run, "세금계산서를 승인했습니다.")

    @post("/orders/{order_id:int}/pay", name="procurement:pay")
    async def pay(self, request: Request[Any, Any, Any], user: SignedIn,
                  db_session: DbSession, order_id: FromPath[int],
                  data: FormData) -> Template | Redirect:
        async def run() -> object:
            problems = Problems()
            amount = read_int(problems, data, "amount", "지급액을 입력해 주세요.")
            paid_on = read_date(problems, data, "paid_on")
            problems.raise_if_any()
            assert amount is not None
            return await invoicing.record_payment(
                db_session, user, order_id, amount=amount,
                bank_reference=data.get("bank_reference", ""), paid_on=paid_on)

        return await self._form_action(request, db_session, user, order_id, "pay", data,
                                       run, "대금 지급을 기록했습니다.")

    @post("/orders/{order_id:int}/cancel", name="procurement:cancel")
    async def cancel(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, order_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        return await self._form_action(
            request, db_session, user, order_id, "cancel", data,
            lambda: ordering.cancel_order(db_session, user, order_id, data.get("reason", "")),
            "주문을 취소했습니다.")


ROUTES: list[Any] = [BuyerPages]

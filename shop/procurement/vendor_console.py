"""Public buying in the vendor console: the quote inbox (견적 요청함) and the orders from
public bodies (기관 주문), for every vendor the signed-in person is a member of.

``/console/quotes`` lists the requests addressed to the person's vendors (open ones first,
with the deadline in Seoul time); ``/console/vendors/{id}/quotes/{request_id}`` shows one and
takes the answer (a unit price per line and a validity date) until the deadline, after which
the page says so and the use case answers 409. ``/console/institution-orders`` and
``/console/vendors/{id}/institution-orders/{order_id}`` show the purchase orders read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import requires_user
from infra.clock import seoul_date, utcnow
from infra.errors import Problems
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn
from shop.procurement import quotations, quoting, vendor_orders
from shop.procurement.buyer_forms import read_date, read_int
from shop.procurement.models import Department, Institution
from shop.procurement.quotation_models import QuoteRequest
from shop.vendors.access import vendor_for_member, vendors_of

REFUSALS = frozenset({400, 403, 409})


async def _where_from(session: AsyncSession, request: QuoteRequest) -> str:
    institution = await session.get(Institution, request.institution_id)
    department = await session.get(Department, request.department_id)
    return f"{institution.name if institution else ''} {department.name if department else ''}"


async def _quote_page(
    session: AsyncSession, user: User, vendor_id: int, request_id: int, *,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    vendor = await vendor_for_member(session, user, vendor_id)
    request = await quotations.invited_request(session, vendor_id, request_id)
    quote = await quoting.quote_of(session, request_id, vendor_id)
    if form is None:
        form = {"valid_until": (quote.valid_until.isoformat() if quote else
                                (seoul_date(request.deadline)
                                 + dt.timedelta(days=30)).isoformat())}
        for line in request.lines:
            price = quote.price_of(line.id) if quote else None
            form[f"prices[{line.id}]"] = "" if price is None else str(price)
    return Template("procurement/console_quote.html", context={
        "vendor": vendor, "req": request, "quote": quote, "form": form, "errors": errors or {},
        "open": quotations.is_open_for_quotes(request, utcnow()),
        "where": await _where_from(session, request),
    }, status_code=status_code)


class VendorProcurementPages(Controller):
    path = "/console"
    include_in_schema = False
    guards = [requires_user]

    @get("/quotes", name="procurement:vendor_quotes")
    async def inbox(self, user: SignedIn, db_session: DbSession) -> Template:
        now = utcnow()
        sections = []
        for vendor in await vendors_of(db_session, user):
            rows = []
            for request in await quotations.requests_for_vendor(db_session, vendor.id):
                rows.append({"req": request, "where": await _where_from(db_session, request),
                             "open": quotations.is_open_for_quotes(request, now),
                             "quote": await quoting.quote_of(db_session, request.id,
                                                             vendor.id)})
            rows.sort(key=lambda r: not r["open"])
            sections.append({"vendor": vendor, "rows": rows})
        return Template("procurement/console_quotes.html", context={
            "sections": sections})

    @get("/vendors/{vendor_id:int}/quotes/{request_id:int}", name="procurement:vendor_quote")
    async def show(self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
                   request_id: FromPath[int]) -> Template:
        return await _quote_page(db_session, user, vendor_id, request_id)

    @post("/vendors/{vendor_id:int}/quotes/{request_id:int}",
          name="procurement:vendor_submit_quote")
    async def answer(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, vendor_id: FromPath[int],
                     request_id: FromPath[int], data: FormData) -> Template | Redirect:
        async def run() -> object:
            row = await quotations.invited_request(db_session, vendor_id, request_id)
            problems = Problems()
            prices: dict[int, int] = {}
            for line in row.lines:
                price = read_int(problems, data, f"prices[{line.id}]",
                                 f"{line.position}번 품목의 단가를 입력해 주세요.")
                if price is not None:
                    prices[line.id] = price
            valid_until = read_date(problems, data, "valid_until", required=True)
            problems.raise_if_any()
            return await quoting.submit_quote(db_session, user, vendor_id, request_id, prices,
                                              valid_until)

        outcome = await attempt(db_session, run, shown=REFUSALS)
        if isinstance(outcome, Refusal):
            return await _quote_page(db_session, user, vendor_id, request_id, form=data,
                                     errors=outcome.errors, status_code=outcome.status_code)
        flash(request, "견적을 제출했습니다. 마감 전까지는 다시 내서 고칠 수 있습니다.",
              category="success")
        return Redirect(f"/console/vendors/{vendor_id}/quotes/{request_id}")

    @get("/institution-orders", name="procurement:vendor_orders")
    async def orders(self, user: SignedIn, db_session: DbSession) -> Template:
        sections = [{"vendor": v, "rows": await vendor_orders.orders_of_vendor(db_session, v.id)}
                    for v in await vendors_of(db_session, user)]
        return Template("procurement/console_orders.html", context={"sections": sections})

    @get("/vendors/{vendor_id:int}/institution-orders/{order_id:int}",
         name="procurement:vendor_order")
    async def order(self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
                    order_id: FromPath[int]) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        view = await vendor_orders.institutional_order(db_session, vendor_id, order_id)
        return Template("procurement/console_order.html", context={"vendor": vendor,
                                                                    "view": view})


ROUTES: list[Any] = [VendorProcurementPages]

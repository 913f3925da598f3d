"""``/api/procurement/quote-requests`` (the buyer's side: send, read, award) and
``/api/procurement/vendors/{vendor_id}/…`` (the vendor's side: quote inbox, answer,
institutional orders). Bearer tokens as the rest of the API; refusals are problem details
naming the field.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from infra.auth import requires_user
from infra.errors import InvalidInput
from infra.web.params import DbSession, SignedIn, strict_body
from shop.procurement import awarding, quotations, quoting, vendor_orders
from shop.procurement.access import require_role
from shop.procurement.controllers import TAGS
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import ProcurementRole
from shop.procurement.quote_schemas import (
    AwardIn,
    AwardOut,
    InstitutionalOrderOut,
    QuoteIn,
    QuoteOut,
    QuoteRequestIn,
    QuoteRequestOut,
)
from shop.vendors.access import vendor_for_member


def request_input(data: QuoteRequestIn) -> quotations.QuoteRequestInput:
    return quotations.QuoteRequestInput(
        institution_id=data.institution_id, department_id=data.department_id,
        title=data.title, delivery_place=data.delivery_place, delivery_date=data.delivery_date,
        estimated_price=data.estimated_price, deadline=data.deadline,
        vendor_ids=tuple(data.vendor_ids), category=data.category,
        strategic_item=data.strategic_item,
        lines=tuple(quotations.RequestLineInput(li.category, li.description, li.quantity,
                                                li.unit) for li in data.lines))


async def _buyer_view(db_session: DbSession, request_id: int) -> QuoteRequestOut:
    db_session.expunge_all()
    request = await quotations.request_or_404(db_session, request_id)
    return QuoteRequestOut.of(request, await awarding.quotes_of(db_session, request_id))


class QuoteRequestApi(Controller):
    path = "/api/procurement/quote-requests"
    tags = TAGS
    guards = [requires_user]

    @post("/", operation_id="requestQuotes", status_code=HTTP_201_CREATED,
          summary="견적 요청 (요청자; 지정 기업 또는 분류·전략 품목의 모든 승인 기업에 메일)")
    async def create(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, data: JSONBody[QuoteRequestIn]) -> QuoteRequestOut:
        data = await strict_body(request, QuoteRequestIn)
        row = await quotations.request_quotes(db_session, user, request_input(data))
        return await _buyer_view(db_session, row.id)

    @get("/", operation_id="listQuoteRequests", summary="기관의 견적 요청 (기관 직원)")
    async def list_all(self, user: SignedIn, db_session: DbSession,
                       institution_id: FromQuery[int]) -> list[QuoteRequestOut]:
        rows = await quotations.requests_of_institution(db_session, user, institution_id)
        return [QuoteRequestOut.of(r, await awarding.quotes_of(db_session, r.id)) for r in rows]

    @get("/{request_id:int}", operation_id="getQuoteRequest",
         summary="견적 요청과 들어온 견적 (기관 직원)")
    async def show(self, user: SignedIn, db_session: DbSession,
                   request_id: FromPath[int]) -> QuoteRequestOut:
        row = await quotations.request_or_404(db_session, request_id)
        await require_role(db_session, user, row.institution_id, *ProcurementRole)
        return await _buyer_view(db_session, request_id)

    @post("/{request_id:int}/award", operation_id="awardQuote", status_code=HTTP_200_OK,
          summary="낙찰 (요청자): 구매 주문을 만들어 결재에 올림; 1인 견적 한도를 넘으면 409")
    async def award(self, request: Request[Any, Any, Any], user: SignedIn,
                    db_session: DbSession, request_id: FromPath[int],
                    data: JSONBody[AwardIn]) -> AwardOut:
        data = await strict_body(request, AwardIn)
        order = await awarding.award(db_session, user, request_id, data.quote_id)
        return AwardOut(request_id=request_id, quote_id=data.quote_id, order_id=order.id,
                        order_number=order.number, method=order.method.value,
                        method_label=order.method.label, quotes=order.quotes,
                        status=order.status.value)


class VendorQuoteApi(Controller):
    path = "/api/procurement/vendors/{vendor_id:int}"
    tags = TAGS
    guards = [requires_user]

    @get("/quote-requests", operation_id="vendorQuoteInbox",
         summary="견적 요청함 (입점기업 구성원): 이 기업에 온 요청과 내 견적")
    async def inbox(self, user: SignedIn, db_session: DbSession,
                    vendor_id: FromPath[int]) -> list[QuoteRequestOut]:
        await vendor_for_member(db_session, user, vendor_id)
        rows = await quotations.requests_for_vendor(db_session, vendor_id)
        return [await self._mine(db_session, vendor_id, r.id) for r in rows]

    async def _mine(self, db_session: DbSession, vendor_id: int,
                    request_id: int) -> QuoteRequestOut:
        request = await quotations.invited_request(db_session, vendor_id, request_id)
        quote = await quoting.quote_of(db_session, request_id, vendor_id)
        return QuoteRequestOut.of(request, [quote] if quote else [])

    @get("/quote-requests/{request_id:int}", operation_id="vendorQuoteRequest",
         summary="이 기업에 온 견적 요청 하나와 내 견적")
    async def show(self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
                   request_id: FromPath[int]) -> QuoteRequestOut:
        await vendor_for_member(db_session, user, vendor_id)
        return await self._mine(db_session, vendor_id, request_id)

    @post("/quote-requests/{request_id:int}/quote", operation_id="submitQuote",
          status_code=HTTP_201_CREATED,
          summary="견적 제출 (마감 전만; 다시 내면 바뀜; 마감 뒤 409)")
    async def quote(self, request: Request[Any, Any, Any], user: SignedIn,
                    db_session: DbSession, vendor_id: FromPath[int], request_id: FromPath[int],
                    data: JSONBody[QuoteIn]) -> QuoteOut:
        data = await strict_body(request, QuoteIn)
        prices: dict[int, int] = {}
        for i, price in enumerate(data.prices):
            if price.line_id in prices:
                raise InvalidInput(Code.UNKNOWN_ORDER_LINE, "같은 품목의 단가가 두 번 있습니다.",
                                   field=f"prices[{i}].line_id")
            prices[price.line_id] = price.unit_price
        row = await quoting.submit_quote(db_session, user, vendor_id, request_id, prices,
                                         data.valid_until)
        db_session.expunge_all()
        found = await quoting.quote_of(db_session, request_id, vendor_id)
        assert found is not None and found.id == row.id
        return QuoteOut.of(found)

    @get("/orders", operation_id="vendorInstitutionalOrders",
         summary="기관 주문 (입점기업 구성원, 읽기 전용)")
    async def orders(self, user: SignedIn, db_session: DbSession,
                     vendor_id: FromPath[int]) -> list[InstitutionalOrderOut]:
        await vendor_for_member(db_session, user, vendor_id)
        return [InstitutionalOrderOut.summary(o, i, d)
                for o, i, d in await vendor_orders.orders_of_vendor(db_session, vendor_id)]

    @get("/orders/{order_id:int}", operation_id="vendorInstitutionalOrder",
         summary="기관 주문 하나: 납품, 검수, 세금계산서, 대금 지급")
    async def order(self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
                    order_id: FromPath[int]) -> InstitutionalOrderOut:
        await vendor_for_member(db_session, user, vendor_id)
        view = await vendor_orders.institutional_order(db_session, vendor_id, order_id)
        return InstitutionalOrderOut.of(view)


ROUTES: list[Any] = [QuoteRequestApi, VendorQuoteApi]

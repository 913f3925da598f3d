"""Orders over JSON: a shopper's history, a vendor's orders and the actions on them.

Vendor actions answer with the vendor order as it now is; a refused transition is a 409
naming both states, a stranger's order a 403. The shopper's own order shows a snack box as one
item with one price and one cancel (decision 37); its per-vendor split is the vendors' side.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from infra.accounts.models import User
from infra.auth import requires_user
from infra.errors import InvalidInput
from infra.web.params import DbSession, SignedIn, strict_body
from shop.orders import services
from shop.orders.errors import OrderErrorCode as Code
from shop.orders.models import Order, VendorOrderStatus
from shop.orders.schemas import (
    OrderList,
    OrderOut,
    Page,
    ReasonIn,
    RefundIn,
    RefundOut,
    ShipIn,
    SnackBoxItemOut,
    VendorOrderList,
    VendorOrderOut,
)
from shop.snackboxes import bought

PAGE_SIZE = 20


def _page(total: int, page: int) -> Page:
    return Page(total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)))


def parse_status(raw: str | None) -> VendorOrderStatus | None:
    if not raw:
        return None
    try:
        return VendorOrderStatus(raw)
    except ValueError:
        raise InvalidInput(Code.INVALID_STATUS, "없는 주문 상태입니다.", field="status") from None


class OrderApi(Controller):
    path = "/api"
    tags = ["주문 (Orders)"]
    guards = [requires_user]

    @get("/orders", operation_id="listMyOrders", summary="내 주문 내역 (최근 순, 20개씩)")
    async def my_orders(
        self, user: SignedIn, db_session: DbSession, page: FromQuery[int] = 1
    ) -> OrderList:
        page = max(1, page)
        orders, total = await services.orders_of_user(
            db_session, user, limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        return OrderList(items=[OrderOut.of(await bought.buyer_view(db_session, o))
                                for o in orders], page=_page(total, page))

    @get("/orders/{number:str}", operation_id="getMyOrder", summary="주문 상세")
    async def my_order(
        self, user: SignedIn, db_session: DbSession, number: FromPath[str]
    ) -> OrderOut:
        order = await services.order_for_user(db_session, user, number)
        return OrderOut.of(await bought.buyer_view(db_session, order))

    @post("/orders/{number:str}/snack-boxes/{box_id:int}/cancel",
          operation_id="cancelMySnackBox", status_code=200,
          summary="다과꾸러미 취소: 모든 구성품을 함께 취소하고 세트 가격 전액 환불 (발송 전만)")
    async def cancel_box(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        number: FromPath[str], box_id: FromPath[int], data: JSONBody[ReasonIn],
    ) -> SnackBoxItemOut:
        data = await strict_body(request, ReasonIn)
        box = await bought.cancel_box(db_session, request.app.state.payments,
                                      user, number, box_id,
                                      reason=data.reason)
        return SnackBoxItemOut.of(box)

    @get("/vendors/{vendor_id:int}/orders", operation_id="listVendorOrders",
         summary="입점기업이 받은 주문 (상태로 거르기, 20개씩)")
    async def vendor_orders(
        self,
        user: SignedIn,
        db_session: DbSession,
        vendor_id: FromPath[int],
        status: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> VendorOrderList:
        page = max(1, page)
        rows, total = await services.vendor_orders_of(
            db_session, user, vendor_id, status=parse_status(status),
            limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
        )
        return VendorOrderList(items=[VendorOrderOut.of(v, o) for v, o in rows],
                               page=_page(total, page))

    @get("/vendor-orders/{vendor_order_id:int}", operation_id="getVendorOrder",
         summary="입점기업 주문 상세")
    async def vendor_order(
        self, user: SignedIn, db_session: DbSession,
        vendor_order_id: FromPath[int],
    ) -> VendorOrderOut:
        vo, order = await services.vendor_order_for_member(
            db_session, user, vendor_order_id)
        return VendorOrderOut.of(vo, order)

    async def _out(self, db_session: Any, user: User, vo_id: int
                   ) -> VendorOrderOut:
        vo, order = await services.vendor_order_for_member(db_session, user,
                                                           vo_id)
        return VendorOrderOut.of(vo, order)

    @post("/vendor-orders/{vendor_order_id:int}/accept", operation_id="acceptVendorOrder",
          summary="주문 확인 (결제 완료 → 주문 확인)", status_code=200)
    async def accept(
        self, user: SignedIn, db_session: DbSession,
        vendor_order_id: FromPath[int],
    ) -> VendorOrderOut:
        await services.accept(db_session, user, vendor_order_id)
        return await self._out(db_session, user, vendor_order_id)

    @post("/vendor-orders/{vendor_order_id:int}/ship", operation_id="shipVendorOrder",
          summary="발송 (택배사, 송장번호): 재고가 이때 줄어듭니다", status_code=200)
    async def ship(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        vendor_order_id: FromPath[int], data: JSONBody[ShipIn],
    ) -> VendorOrderOut:
        data = await strict_body(request, ShipIn)
        await services.ship(db_session, user, vendor_order_id,
                            carrier=data.carrier, tracking_number=data.tracking_number)
        return await self._out(db_session, user, vendor_order_id)

    @post("/vendor-orders/{vendor_order_id:int}/deliver", operation_id="deliverVendorOrder",
          summary="배송 완료", status_code=200)
    async def deliver(
        self, user: SignedIn, db_session: DbSession,
        vendor_order_id: FromPath[int],
    ) -> VendorOrderOut:
        await services.deliver(db_session, user, vendor_order_id)
        return await self._out(db_session, user, vendor_order_id)

    @post("/vendor-orders/{vendor_order_id:int}/complete", operation_id="completeVendorOrder",
          summary="구매 확정 (구매자)", status_code=200)
    async def complete(
        self, user: SignedIn, db_session: DbSession,
        vendor_order_id: FromPath[int],
    ) -> VendorOrderOut:
        vo = await services.complete(db_session, user, vendor_order_id)
        order = await db_session.get(Order, vo.order_id)
        assert order is not None
        return VendorOrderOut.of(vo, order)

    @post("/vendor-orders/{vendor_order_id:int}/cancel", operation_id="cancelVendorOrder",
          summary="발송 전 취소: 재고를 되돌리고 배송비까지 전액 환불", status_code=200)
    async def cancel(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        vendor_order_id: FromPath[int], data: JSONBody[ReasonIn],
    ) -> VendorOrderOut:
        data = await strict_body(request, ReasonIn)
        vo = await services.cancel(db_session, request.app.state.payments,
                                   user, vendor_order_id, reason=data.reason)
        order = await db_session.get(Order, vo.order_id)
        assert order is not None
        return VendorOrderOut.of(vo, order)

    @post("/vendor-orders/{vendor_order_id:int}/refunds", operation_id="refundVendorOrder",
          summary="환불 (상품 줄별 수량, 배송비 포함 여부, 재입고 여부, 사유)",
          status_code=HTTP_201_CREATED)
    async def refund(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        vendor_order_id: FromPath[int], data: JSONBody[RefundIn],
    ) -> RefundOut:
        data = await strict_body(request, RefundIn)
        row = await services.refund(
            db_session, request.app.state.payments, user, vendor_order_id,
            lines=[services.RefundLineIn(ln.order_line_id, ln.quantity) for ln in data.lines],
            include_delivery_fee=data.include_delivery_fee, restock=data.restock,
            reason=data.reason, key=data.key,
        )
        return RefundOut.of(row)


ROUTES: list[Any] = [OrderApi]

"""Order pages: the shopper's history and order page (cancel before shipment, confirm after
delivery; a snack box is one item with one price and one cancel, decision 37) and the vendor
console's order desk (accept, ship with tracking, mark delivered, refund per line with a
reason, cancel). Every action says what happened in a flash message; a refused one comes back
beside its field.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import requires_user
from infra.errors import DomainError
from infra.web.forms import Refusal, act_and_redirect, attempt
from infra.web.params import DbSession, FormData, SignedIn
from shop.orders import services
from shop.orders.controllers import PAGE_SIZE, parse_status
from shop.orders.errors import OrderErrorCode as Code
from shop.orders.models import (
    NOT_SHIPPED,
    VENDOR_ORDER_TRANSITIONS,
    VendorOrderStatus,
)
from shop.snackboxes import bought
from shop.vendors.access import vendors_of

#: What these pages say in a flash or beside a field; a 404 goes to the error page.
ORDER_REFUSALS = frozenset({400, 403, 409})


class ShopperOrderPages(Controller):
    path = "/orders"
    include_in_schema = False
    guards = [requires_user]

    @get("/", name="orders:list")
    async def list_orders(
        self, user: SignedIn, db_session: DbSession, page: FromQuery[int] = 1
    ) -> Template:
        page = max(1, page)
        orders, total = await services.orders_of_user(
            db_session, user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        views = [await bought.buyer_view(db_session, order) for order in orders]
        return Template("orders/list.html", context={
            "orders": views, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
            "total": total,
        })

    @get("/{number:str}", name="orders:detail")
    async def detail(
        self, user: SignedIn, db_session: DbSession, number: FromPath[str]
    ) -> Template:
        order = await services.order_for_user(db_session, user, number)
        return Template("orders/detail.html", context={
            "order": order, "view": await bought.buyer_view(db_session, order),
            "not_shipped": NOT_SHIPPED,
            "delivered": VendorOrderStatus.DELIVERED,
        })

    @post("/{number:str}/vendor-orders/{vendor_order_id:int}/cancel", name="orders:cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        number: FromPath[str], vendor_order_id: FromPath[int], data: FormData,
    ) -> Redirect:
        return await act_and_redirect(
            request, db_session,
            lambda: services.cancel(db_session, request.app.state.payments, user,
                                    vendor_order_id, reason=data.get("reason") or "구매자 취소"),
            done=lambda vo: f"{vo.vendor_name} 주문을 취소했습니다. {vo.refunded_amount:,}원을 "
            "환불했습니다 (카드사에 따라 3~7일 걸립니다).",
            to=f"/orders/{number}", shown=ORDER_REFUSALS,
        )

    @post("/{number:str}/snack-boxes/{box_id:int}/cancel", name="orders:cancel_box")
    async def cancel_box(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        number: FromPath[str], box_id: FromPath[int], data: FormData,
    ) -> Redirect:
        return await act_and_redirect(
            request, db_session,
            lambda: bought.cancel_box(db_session, request.app.state.payments, user, number,
                                      box_id, reason=data.get("reason") or "구매자 취소"),
            done=lambda box: f"{box.title} {box.boxes}상자를 취소했습니다. {box.refunded:,}원을 "
            "환불했습니다 (카드사에 따라 3~7일 걸립니다).",
            to=f"/orders/{number}", shown=ORDER_REFUSALS,
        )

    @post("/{number:str}/snack-boxes/{box_id:int}/complete", name="orders:complete_box")
    async def complete_box(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        number: FromPath[str], box_id: FromPath[int],
    ) -> Redirect:
        return await act_and_redirect(
            request, db_session, lambda: bought.complete_box(db_session, user, number, box_id),
            done="구매를 확정했습니다. 감사합니다.", to=f"/orders/{number}", shown=ORDER_REFUSALS,
        )

    @post("/{number:str}/vendor-orders/{vendor_order_id:int}/complete", name="orders:complete")
    async def complete(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        number: FromPath[str], vendor_order_id: FromPath[int],
    ) -> Redirect:
        return await act_and_redirect(
            request, db_session, lambda: services.complete(db_session, user, vendor_order_id),
            done="구매를 확정했습니다. 감사합니다.", to=f"/orders/{number}", shown=ORDER_REFUSALS,
        )


async def _desk(
    session: AsyncSession, user: User, vendor_order_id: int, *,
    errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    vo, order = await services.vendor_order_for_member(session, user, vendor_order_id)
    return Template("orders/vendor_order.html", context={
        "vo": vo, "order": order, "history": await services.history(session, vo.id),
        "refunds": await services.refunds_of(session, vo.id), "carriers": services.CARRIERS,
        "can": lambda s: VENDOR_ORDER_TRANSITIONS.can(vo.status, VendorOrderStatus(s)),
        "not_shipped": vo.status in NOT_SHIPPED, "errors": errors or {}, "form": form or {},
        "refund_key": secrets.token_urlsafe(12),
    }, status_code=status_code)


class VendorOrderPages(Controller):
    path = "/console/orders"
    include_in_schema = False
    guards = [requires_user]

    @get("/", name="orders:console")
    async def console(
        self, user: SignedIn, db_session: DbSession,
        vendor: FromQuery[int | None] = None, status: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        mine = await vendors_of(db_session, user)
        chosen = next((v for v in mine if v.id == vendor), mine[0] if mine else None)
        rows: list[Any] = []
        total = 0
        page = max(1, page)
        wanted = parse_status(status)
        if chosen is not None:
            rows, total = await services.vendor_orders_of(
                db_session, user, chosen.id, status=wanted, limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE)
        return Template("orders/console.html", context={
            "vendors": mine, "vendor": chosen, "rows": rows, "total": total, "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)), "status": wanted,
            "statuses": list(VendorOrderStatus),
        })

    @get("/{vendor_order_id:int}", name="orders:desk")
    async def desk(
        self, user: SignedIn, db_session: DbSession, vendor_order_id: FromPath[int]
    ) -> Template:
        return await _desk(db_session, user, vendor_order_id)

    @post("/{vendor_order_id:int}/{action:str}", name="orders:act")
    async def act(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_order_id: FromPath[int], action: FromPath[str], data: FormData,
    ) -> Template | Redirect:
        gateway = request.app.state.payments

        async def work() -> str:
            """Run the action; what to tell the vendor."""
            if action == "accept":
                await services.accept(db_session, user, vendor_order_id)
                return "주문을 확인했습니다. 상품을 준비해 주세요."
            elif action == "ship":
                vo = await services.ship(db_session, user, vendor_order_id,
                                         carrier=data.get("carrier", ""),
                                         tracking_number=data.get("tracking_number", ""))
                return (f"발송 처리했습니다 ({vo.carrier} {vo.tracking_number}). "
                        "구매자에게 알립니다.")
            elif action == "deliver":
                await services.deliver(db_session, user, vendor_order_id)
                return "배송 완료로 바꿨습니다."
            elif action == "cancel":
                vo = await services.cancel(db_session, gateway, user, vendor_order_id,
                                           reason=data.get("reason", ""))
                return f"주문을 취소하고 {vo.refunded_amount:,}원을 환불했습니다."
            elif action == "refund":
                lines = []
                for key, value in data.items():
                    if key.startswith("qty-") and value.strip() not in ("", "0"):
                        if not value.strip().isdigit():
                            raise DomainError(Code.INVALID_QUANTITY, "수량은 숫자로 적어 주세요.",
                                              field=key)
                        lines.append(services.RefundLineIn(int(key[4:]), int(value)))
                row = await services.refund(
                    db_session, gateway, user, vendor_order_id, lines=lines,
                    include_delivery_fee=data.get("include_delivery_fee") == "on",
                    restock=data.get("restock") == "on", reason=data.get("reason", ""),
                    key=data.get("key", ""),
                )
                return f"{row.amount:,}원을 환불했습니다."
            raise DomainError(Code.UNKNOWN_ACTION, "없는 작업입니다.", status_code=404)

        message = await attempt(db_session, work, shown=ORDER_REFUSALS)
        if isinstance(message, Refusal):
            named = next(iter(message.errors), "_form")
            field = ("form" if named == "_form" else named).split(".")[-1]
            return await _desk(db_session, user, vendor_order_id,
                               errors={f"{action}:{field}": message.message,
                                       action: message.message},
                               form=data, status_code=message.status_code)
        flash(request, message, category="success")
        return Redirect(f"/console/orders/{vendor_order_id}")


ROUTES: list[Any] = [ShopperOrderPages, VendorOrderPages]

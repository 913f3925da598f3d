"""``/api/checkout``: place an order from explicit lines (programs) or from the signed-in
shopper's cart, and read a checkout by its token. Payment continues at ``/api/payments``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from infra.errors import InvalidInput
from infra.web.params import DbSession, Viewer, strict_body
from shop.cart import services as carts
from shop.cart.schemas import Quantity, VendorGroupOut, Won
from shop.checkout import services
from shop.checkout.address import clean_address
from shop.checkout.demand import Demand
from shop.checkout.errors import CheckoutErrorCode as Code
from shop.checkout.models import Checkout, CheckoutStatus
from shop.payments.models import Payment
from shop.payments.pages import PaymentOut
from shop.snackboxes import ordering as snack_boxes
from shop.snackboxes.schemas import SnackBoxOrderIn


class CheckoutLineIn(msgspec.Struct, forbid_unknown_fields=True):
    variant_id: Annotated[int, msgspec.Meta(description="상품 옵션(SKU) id")]
    quantity: Quantity


class AddressIn(msgspec.Struct, forbid_unknown_fields=True):
    recipient: Annotated[str, msgspec.Meta(description="받는 분", examples=["김장터"])]
    phone: Annotated[str, msgspec.Meta(description="연락처", examples=["010-1234-5678"])]
    postal_code: Annotated[str, msgspec.Meta(description="우편번호 5자리", examples=["04524"])]
    road_address: Annotated[
        str, msgspec.Meta(description="도로명주소", examples=["서울특별시 중구 세종대로 110"])
    ]
    detail_address: Annotated[str, msgspec.Meta(description="상세주소")] = ""
    delivery_note: Annotated[str, msgspec.Meta(description="배송 요청사항")] = ""


class CheckoutIn(msgspec.Struct, forbid_unknown_fields=True):
    address: AddressIn
    email: Annotated[str, msgspec.Meta(description="주문 확인 메일을 받을 주소")]
    #: Omit to check out the signed-in shopper's cart.
    lines: list[CheckoutLineIn] | None = None
    key: Annotated[
        str | None, msgspec.Meta(description="멱등 키: 같은 키로 다시 보내면 첫 주문서를 돌려줌")
    ] = None
    snack_boxes: Annotated[
        list[SnackBoxOrderIn] | None,
        msgspec.Meta(
            description="다과꾸러미 (/api/snack-boxes): lines 없이 보내면 다과꾸러미만 주문"
        ),
    ] = None


class CheckoutOut(msgspec.Struct, kw_only=True):
    token: str
    status: str
    status_label: str
    groups: list[VendorGroupOut]
    items_total: Won
    delivery_total: Won
    total: Won
    #: Until when the stock is held for this checkout (null once paid or released).
    expires_at: dt.datetime | None
    order_number: str | None
    failure_reason: str
    payment: PaymentOut | None


async def checkout_out(
    request: Request[Any, Any, Any], session: AsyncSession, checkout: Checkout,
    payment: Payment | None = None, *, known: services.CheckoutRead | None = None,
    expires_at: dt.datetime | None = None,
) -> CheckoutOut:
    """``known``: everything already read (``services.read_by_token``); ``expires_at``: the
    hold's deadline when the caller has it (a checkout just placed)."""
    if known is not None:
        payment, number, deadline = known.payment, known.order_number, known.expires_at
    else:
        if payment is None:
            payment = await services.payment_of(session, checkout)
        # Only a paid checkout has an order, and only an open one a deadline: the rest is
        # not asked for (this is read after every step of a checkout).
        paid = checkout.status is CheckoutStatus.PAID
        number = await services.order_number_of(session, checkout) if paid else None
        opened = checkout.status is CheckoutStatus.OPEN
        deadline = expires_at if expires_at is not None or not opened else (
            await services.expires_at(session, checkout)
        )
    view = services.view_of(checkout)
    status = checkout.status
    if status is CheckoutStatus.OPEN and (deadline is None or deadline <= utcnow()):
        status = CheckoutStatus.EXPIRED  # the hold ran out; paying now re-checks the stock
    return CheckoutOut(
        token=checkout.token, status=status.value, status_label=status.label,
        groups=[VendorGroupOut.of(g) for g in view.groups], items_total=checkout.items_total,
        delivery_total=checkout.delivery_total, total=checkout.total,
        expires_at=deadline if status is CheckoutStatus.OPEN else None,
        order_number=number, failure_reason=checkout.failure_reason,
        payment=PaymentOut.of(payment, request.app.state.payments) if payment else None,
    )


class CheckoutApi(Controller):
    path = "/api/checkout"
    tags = ["주문·결제 (Checkout)"]

    @post(
        "/", operation_id="placeOrder", status_code=HTTP_201_CREATED,
        summary="주문하기: 재고를 잡아 두고 결제(PaymentIntent)를 시작",
        description=(
            "lines를 주면 그 상품을, 생략하면 로그인한 구매자의 장바구니를 주문합니다. "
            "응답의 payment.client_secret으로 Stripe.js가 결제하거나 (테스트 환경) "
            "/api/payments/{token}/test-card로 결제합니다. 재고 부족은 409 out_of_stock."
        ),
    )
    async def place(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession,
        data: JSONBody[CheckoutIn],
    ) -> CheckoutOut:
        data = await strict_body(request, CheckoutIn)
        address = clean_address(msgspec.structs.asdict(data.address))
        cart_id = None
        boxed = await snack_boxes.plan(db_session, [
            snack_boxes.BoxOrder(b.size_id, b.quantity, b.slot_id, f"snack_boxes[{i}]")
            for i, b in enumerate(data.snack_boxes or [])
        ])
        if data.lines is not None:
            demands = [Demand(ln.variant_id, ln.quantity, f"lines[{i}]")
                       for i, ln in enumerate(data.lines)]
        elif boxed.bundles:
            demands = []
        elif viewer is not None:
            view = await carts.view_cart(db_session, carts.CartOwner(user=viewer))
            demands, cart_id = carts.demands_of(view), view.cart_id
        else:
            raise InvalidInput(Code.NO_LINES, "주문할 상품(lines)을 보내 주세요.", field="lines")
        placed = await services.place(
            db_session, request.app.state.settings, request.app.state.payments,
            demands=demands, address=address, email=data.email, user=viewer, cart_id=cart_id,
            key=data.key, bundles=boxed.bundles, hold=boxed.hold,
        )
        return await checkout_out(request, db_session, placed.checkout, placed.payment,
                                  expires_at=placed.expires_at)

    @get("/{token:str}", operation_id="getCheckout", summary="주문서 상태 (토큰으로 조회)")
    async def get_checkout(
        self, request: Request[Any, Any, Any], token: FromPath[str]
    ) -> CheckoutOut:
        # One statement on the read engine, outside any transaction (decision 91): no BEGIN
        # and no ROLLBACK around it, as for a product page's prices (decision 83).
        async with AsyncSession(request.app.state.read_engine) as session:
            known = await services.read_by_token(session, token)
            return await checkout_out(request, session, known.checkout, known=known)


ROUTES: list[Any] = [CheckoutApi]

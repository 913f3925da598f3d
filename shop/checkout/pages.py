"""The order form (주문서) and the page that says how it ended.

``/checkout`` shows the cart per vendor with delivery fees and asks for the delivery address
and an e-mail; placing it holds the stock and sends the shopper to the payment page. A
refused field comes back beside the field with everything typed kept. After payment the
shopper lands on ``/checkout/done/{payment token}``: the order number and the vendor orders,
or why there is no order (and that the money was refunded).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.errors import DomainError
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, Viewer
from shop.cart import badge
from shop.cart import services as carts
from shop.cart.pricing import CartView
from shop.checkout import services
from shop.checkout.address import clean_address
from shop.checkout.errors import CheckoutErrorCode as Code
from shop.checkout.models import Checkout
from shop.payments import services as payments

ADDRESS_FIELDS = ("recipient", "phone", "postal_code", "road_address", "detail_address",
                  "delivery_note")


def _errors_of(refused: Refusal) -> dict[str, str]:
    """The refusal's messages keyed by the form's fields (a line's problem is the form's)."""
    out: dict[str, str] = {}
    for named, message in refused.errors.items():
        field = ("form" if named == "_form" else named).removeprefix("address.")
        if field.startswith("items[") or field.startswith("lines"):
            field = "form"
        out.setdefault(field, message)
    return out


async def _form(
    session: AsyncSession,
    viewer: User | None,
    view: CartView,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    defaults = {"email": viewer.email if viewer else ""}
    return Template(
        "checkout/form.html",
        context={"view": view, "form": {**defaults, **(form or {})}, "errors": errors or {}},
        status_code=status_code,
    )


class CheckoutPages(Controller):
    include_in_schema = False

    @get("/checkout", name="checkout:form")
    async def form(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template | Redirect:
        owner = badge.owner_of(request, viewer)
        if owner is None:
            return Redirect("/cart")
        view = await carts.view_cart(db_session, owner)
        if not view.ready:
            flash(request, "주문하기 전에 장바구니를 확인해 주세요.", category="error")
            return Redirect("/cart")
        return await _form(db_session, viewer, view)

    @post("/checkout", name="checkout:place")
    async def place(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        owner = badge.owner_of(request, viewer)
        if owner is None:
            return Redirect("/cart")
        view = await carts.view_cart(db_session, owner)
        if not view.line_count:
            return Redirect("/cart")

        async def place() -> services.Placed:
            address = clean_address({f: data.get(f, "") for f in ADDRESS_FIELDS})
            return await services.place(
                db_session, request.app.state.settings, request.app.state.payments,
                demands=carts.demands_of(view), address=address, email=data.get("email", ""),
                user=owner.user, cart_id=view.cart_id, key=data.get("key") or None,
                guest_token=owner.guest_token,
            )

        placed = await attempt(db_session, place)
        if isinstance(placed, Refusal):
            view = await carts.view_cart(db_session, owner)
            return await _form(db_session, viewer, view, form=data,
                               errors=_errors_of(placed), status_code=placed.status_code)
        return Redirect(f"/pay/{placed.payment.token}")

    @get("/checkout/done/{token:str}", name="checkout:done")
    async def done(
        self, request: Request[Any, Any, Any], db_session: DbSession, viewer: Viewer,
        token: FromPath[str],
    ) -> Template:
        payment = await payments.by_token(db_session, token)
        checkout = None if payment.kind != services.KIND else await db_session.get(
            Checkout, int(payment.reference)
        )
        if checkout is None:
            raise DomainError(Code.CHECKOUT_NOT_FOUND, "주문서를 찾을 수 없습니다.", field="token",
                              status_code=404)
        order = await services.order_of(db_session, checkout)
        await badge.refresh(request, db_session, viewer)  # a paid checkout emptied the cart
        return Template("checkout/done.html", context={
            "checkout": checkout, "payment": payment, "order": order,
            "view": services.view_of(checkout),
        })


ROUTES: list[Any] = [CheckoutPages]

"""The cart pages (장바구니): add from the product page, change quantities, remove, totals
per vendor. Work without JavaScript and for guests: a guest's cart is found through a token
in the server-side session, created with the first thing put in the cart and merged into
the shopper's own cart at sign-in (see ``merge_after_login``).

A refused quantity comes back beside its field: on the product page for an addition, on the
cart page for a change, with what was typed and the units left ("재고가 2개 남았습니다").
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import DomainError
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, Viewer
from shop.cart import badge, services
from shop.cart.models import CartLine
from shop.cart.pricing import price_cart
from shop.cart.services import GUEST_TOKEN_KEY, CartOwner
from shop.catalog.models import Product, ProductVariant
from shop.checkout.demand import parse_quantity
from shop.mall.browse import facet_label
from shop.vendors.models import Vendor


def _remember(request: Request[Any, Any, Any], owner: CartOwner) -> None:
    """Keep a guest's token in the session once their cart exists."""
    if owner.user is None and badge.session_token(request) != owner.guest_token:
        data = request.scope.get("session")
        current = dict(data) if isinstance(data, dict) else {}
        request.set_session({**current, GUEST_TOKEN_KEY: owner.guest_token})


def _variant_id(raw: str | None) -> int | str:
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() else text


async def _cart_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    owner: CartOwner | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    view = await services.view_cart(session, owner) if owner else price_cart(None, [])
    badge.remember(request, view.item_count)
    return Template(
        "cart/cart.html",
        context={"view": view, "errors": errors or {}, "form": form or {}},
        status_code=status_code,
    )


async def _product_page_with_error(
    session: AsyncSession, variant_id: int | str, form: dict[str, str], exc: DomainError
) -> Template:
    """The product page again, the refused add-to-cart form showing why beside the field."""
    if not isinstance(variant_id, int):
        raise exc
    row = (
        await session.execute(
            select(Product, Vendor)
            .join(ProductVariant, ProductVariant.product_id == Product.id)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(ProductVariant.id == variant_id)
        )
    ).first()
    if row is None:
        raise exc
    product, vendor = row
    field = exc.field if exc.field in ("variant_id", "quantity") else "quantity"
    return Template(
        "mall/product.html",
        context={
            "product": product,
            "vendor": vendor,
            "preview": False,
            "strategic_labels": [
                facet_label("strategic_items", s) for s in product.strategic_items
            ],
            "cart_form": form,
            "cart_errors": {field: exc.message},
        },
        status_code=exc.status_code,
    )


class CartPages(Controller):
    include_in_schema = False

    @get("/cart", name="cart:view")
    async def view(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template:
        return await _cart_page(request, db_session, badge.owner_of(request, viewer))

    @post("/cart/items", name="cart:add")
    async def add(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        owner = badge.owner_of(request, viewer, create=True)
        assert owner is not None
        variant_id = _variant_id(data.get("variant_id"))

        async def add() -> CartLine:
            quantity = parse_quantity(data.get("quantity", "1"), "quantity")
            return await services.add_item(db_session, owner, variant_id, quantity)

        line = await attempt(db_session, add, shown={400, 409})
        if isinstance(line, Refusal):
            assert line.error is not None
            return await _product_page_with_error(db_session, variant_id, data, line.error)
        _remember(request, owner)
        if data.get("buy_now"):  # 바로구매: straight to the order form with the whole cart
            return Redirect("/checkout")
        flash(
            request, f"장바구니에 담았습니다. (지금 {line.quantity}개)", category="success"
        )
        return Redirect("/cart")

    @post("/cart/items/{item_id:int}", name="cart:update")
    async def update(
        self,
        viewer: Viewer,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        item_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        owner = badge.owner_of(request, viewer)
        if owner is None:
            return Redirect("/cart")

        async def change() -> None:
            quantity = parse_quantity(data.get("quantity"), "quantity")
            await services.set_quantity(db_session, owner, item_id, quantity)

        refused = await attempt(db_session, change)
        if isinstance(refused, Refusal):
            return await _cart_page(
                request, db_session, owner, errors={f"quantity-{item_id}": refused.message},
                form={f"quantity-{item_id}": data.get("quantity", "")},
                status_code=refused.status_code,
            )
        flash(request, "수량을 바꿨습니다.", category="success")
        return Redirect("/cart")

    @post("/cart/items/{item_id:int}/delete", name="cart:remove")
    async def remove(
        self, viewer: Viewer, request: Request[Any, Any, Any], db_session: DbSession,
        item_id: FromPath[int],
    ) -> Redirect:
        owner = badge.owner_of(request, viewer)
        if owner is not None:
            await services.remove_item(db_session, owner, item_id)
            flash(request, "장바구니에서 뺐습니다.", category="success")
        return Redirect("/cart")


ROUTES: list[Any] = [CartPages]

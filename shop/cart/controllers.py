"""The cart's JSON API for signed-in programs (bearer token); guests use the ``/cart`` pages.

Thin handlers: decode strictly, call one service, answer with the whole priced cart so a
client never has to recompute delivery fees or totals.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from infra.accounts.models import User
from infra.auth import requires_user
from infra.web.params import DbSession, SignedIn, strict_body
from shop.cart import services
from shop.cart.schemas import CartItemIn, CartItemPatch, CartOut


def _owner(user: User) -> services.CartOwner:
    return services.CartOwner(user=user)


class CartApi(Controller):
    path = "/api/cart"
    tags = ["장바구니 (Cart)"]
    guards = [requires_user]

    @get("/", operation_id="getCart", summary="내 장바구니: 입점기업별 묶음, 배송비, 합계")
    async def get_cart(self, user: SignedIn, db_session: DbSession) -> CartOut:
        return CartOut.of(await services.view_cart(db_session, _owner(user)))

    @post(
        "/items", operation_id="addCartItem",
        summary="장바구니에 담기 (같은 옵션이 있으면 수량을 더함, 남은 재고까지)",
        status_code=HTTP_201_CREATED,
    )
    async def add_item(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        data: JSONBody[CartItemIn],
    ) -> CartOut:
        data = await strict_body(request, CartItemIn)
        owner = _owner(user)
        await services.add_item(db_session, owner, data.variant_id, data.quantity)
        return CartOut.of(await services.view_cart(db_session, owner))

    @patch("/items/{item_id:int}", operation_id="updateCartItem", summary="담은 수량 바꾸기")
    async def update_item(
        self,
        user: SignedIn,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        item_id: FromPath[int],
        data: JSONBody[CartItemPatch],
    ) -> CartOut:
        data = await strict_body(request, CartItemPatch)
        owner = _owner(user)
        await services.set_quantity(db_session, owner, item_id, data.quantity)
        return CartOut.of(await services.view_cart(db_session, owner))

    @delete("/items/{item_id:int}", operation_id="removeCartItem", summary="장바구니에서 빼기")
    async def remove_item(
        self, user: SignedIn, db_session: DbSession, item_id: FromPath[int]
    ) -> None:
        await services.remove_item(db_session, _owner(user), item_id)


ROUTES: list[Any] = [CartApi]

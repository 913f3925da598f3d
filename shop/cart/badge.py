"""Whose cart a browser holds, and the number on the header's 장바구니 link.

The header shows how many items the visitor's cart holds. Counting on every page would cost
a query per page for everyone, so the count lives in the visitor's session: written whenever
the visitor sees their cart (every change to it through the pages ends on the cart page) and
when a paid checkout has emptied it, read by ``base.html``. A session is never created just to
say "0" (a visitor who never had a cart has no session to store).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from shop.cart import services
from shop.cart.models import CartLine
from shop.cart.services import GUEST_TOKEN_KEY, CartOwner

COUNT_KEY = "cart_count"


def _session(request: Request[Any, Any, Any]) -> dict[str, Any]:
    data = request.scope.get("session")
    return data if isinstance(data, dict) else {}


def session_token(request: Request[Any, Any, Any]) -> str | None:
    token = _session(request).get(GUEST_TOKEN_KEY)
    return token if isinstance(token, str) and token else None


def owner_of(
    request: Request[Any, Any, Any], viewer: User | None, *, create: bool = False
) -> CartOwner | None:
    """The visitor's cart owner; for a guest without a cart yet, a new token if ``create``."""
    if viewer is not None:
        return CartOwner(user=viewer)
    token = session_token(request)
    if token is None and create:
        token = services.new_guest_token()
    return CartOwner(guest_token=token) if token else None


def remember(request: Request[Any, Any, Any], count: int) -> None:
    """Keep ``count`` for the header (only where a session exists or a cart has items)."""
    current = _session(request)
    if current.get(COUNT_KEY, 0) == count or (not current and count == 0):
        return
    request.set_session({**current, COUNT_KEY: count})


async def refresh(
    request: Request[Any, Any, Any], session: AsyncSession, viewer: User | None
) -> None:
    """Count the visitor's cart again (after a paid checkout emptied it)."""
    owner = owner_of(request, viewer)
    if owner is None:
        return
    cart = await services.find_cart(session, owner)
    count = 0 if cart is None else int(await session.scalar(
        select(func.coalesce(func.sum(CartLine.quantity), 0)).where(CartLine.cart_id == cart.id)
    ) or 0)
    remember(request, count)

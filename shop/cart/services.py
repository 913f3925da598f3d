"""Cart use cases: find or open the cart of a shopper or a guest, add, change and remove
lines with quantities checked against available stock, price it, merge at sign-in.

A cart holds no stock: availability is checked as the shopper goes so the message comes
early ("재고가 2개 남았습니다"), but only a reservation at checkout holds units. Each change
is one transaction with its outbox event; refused input writes nothing (not even the empty
cart a guest's first, failed, addition would have opened).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name, transaction
from infra.errors import Conflict, InvalidInput, NotFound
from infra.outbox import record
from shop.cart.errors import CartErrorCode as Code
from shop.cart.events import CartItemAdded, CartItemRemoved, CartItemUpdated, CartMerged
from shop.cart.models import CART_TRANSITIONS, Cart, CartLine, CartStatus
from shop.cart.pricing import CartView, LineFacts, price_cart
from shop.catalog.models import Product, ProductVariant
from shop.checkout import availability
from shop.checkout.demand import (
    MAX_QUANTITY,
    Demand,
    clean_quantity,
    clean_variant_id,
    out_of_stock_message,
)
from shop.vendors.models import Vendor

#: Where a guest's cart token lives in the server-side session.
GUEST_TOKEN_KEY = "cart_token"  # noqa: S105 - a session key, not a secret
MAX_LINES = 50



def new_guest_token() -> str:
    """A guest cart's key; it stays in the server-side session and never reaches the browser."""
    return secrets.token_urlsafe(32)


@dataclasses.dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in shopper's (``user``) or a guest's (``guest_token``)."""

    user: User | None = None
    guest_token: str | None = None

    def __post_init__(self) -> None:
        if self.user is None and not self.guest_token:
            raise ValueError("a cart belongs to a user or a guest token")

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


def _cart_changed() -> Conflict:
    """Two requests of the same shopper changed the same line at the same moment."""
    return Conflict(
        Code.CART_CHANGED, "장바구니가 방금 바뀌었습니다. 다시 시도해 주세요.", field="cart"
    )


# -- finding carts ------------------------------------------------------------------------


def _owned_by(owner: CartOwner) -> Any:
    if owner.user is not None:
        return Cart.user_id == owner.user.id
    return (Cart.guest_token == owner.guest_token) & (Cart.status == CartStatus.OPEN)


async def find_cart(session: AsyncSession, owner: CartOwner) -> Cart | None:
    return await session.scalar(
        select(Cart).where(_owned_by(owner)).execution_options(populate_existing=True)
    )


async def _open_cart(session: AsyncSession, owner: CartOwner) -> Cart:
    """The owner's cart, created if missing; two first requests racing create one cart."""
    cart = await find_cart(session, owner)
    if cart is not None:
        return cart
    now = utcnow()
    values = {
        "user_id": owner.user_id,
        "guest_token": None if owner.user is not None else owner.guest_token,
        "status": CartStatus.OPEN.value,
        "created_at": now,
        "updated_at": now,
    }
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    await session.execute(insert(Cart).values(**values).on_conflict_do_nothing())
    cart = await find_cart(session, owner)
    if cart is None:  # a guest token reused after its cart was merged
        raise Conflict(Code.CART_CHANGED, "장바구니를 열 수 없습니다. 다시 시도해 주세요.")
    return cart


# -- checking a variant -------------------------------------------------------------------


async def _check_variant(
    session: AsyncSession, variant_id: object, quantity: int, now: dt.datetime,
    *, already: int = 0, field: str = "quantity",
) -> int:
    """Refuse a variant that does not exist, is not on sale, or has fewer than ``quantity``
    units available; return the variant id."""
    vid = clean_variant_id(variant_id, "variant_id")
    facts = (await availability.sale_facts(session, [vid])).get(vid)
    if facts is None:
        raise InvalidInput(Code.UNKNOWN_VARIANT, "없는 상품 옵션입니다.", field="variant_id")
    if not facts.on_sale:
        raise Conflict(
            Code.NOT_FOR_SALE, f"{facts.label}: 지금은 판매하지 않는 상품입니다.",
            field="variant_id",
        )
    free = (await availability.available(session, [vid], now))[vid]
    if quantity > free:
        message = out_of_stock_message(free)
        if already:
            message += f" (장바구니에 이미 {already}개 담겨 있습니다.)"
        raise Conflict(
            Code.OUT_OF_STOCK, message, field=field,
            extra={"variant_id": vid, "available": free, "requested": quantity},
        )
    return vid


def _line(cart: Cart | None, *, variant_id: int | None = None, line_id: int | None = None
          ) -> CartLine | None:
    if cart is None:
        return None
    for line in cart.lines:
        if (variant_id is not None and line.variant_id == variant_id) or (
            line_id is not None and line.id == line_id
        ):
            return line
    return None


# -- changing lines -----------------------------------------------------------------------


async def add_item(
    session: AsyncSession,
    owner: CartOwner,
    variant_id: object,
    quantity: object,
    *,
    now: dt.datetime | None = None,
) -> CartLine:
    """Put ``quantity`` more of a variant in the cart (a new line, or added to its line)."""
    quantity = clean_quantity(quantity, "quantity")
    vid = clean_variant_id(variant_id, "variant_id")
    cart = await find_cart(session, owner)
    existing = _line(cart, variant_id=vid)
    already = existing.quantity if existing is not None else 0
    total = already + quantity
    if total > MAX_QUANTITY:
        raise InvalidInput(
            Code.INVALID_QUANTITY,
            f"한 상품은 {MAX_QUANTITY}개까지 담을 수 있습니다. (장바구니에 {already}개)",
            field="quantity",
        )
    if existing is None and cart is not None and len(cart.lines) >= MAX_LINES:
        raise Conflict(
            Code.CART_FULL, f"장바구니에는 {MAX_LINES}가지 상품까지 담을 수 있습니다.",
            field="variant_id",
        )
    await _check_variant(session, vid, total, now or utcnow(), already=already)
    async with transaction(session, on_integrity_error=_cart_changed()):
        cart = await _open_cart(session, owner)
        line = _line(cart, variant_id=vid)
        if line is None:
            line = CartLine(variant_id=vid, quantity=total)
            cart.lines.append(line)
        else:
            line.quantity = total
        await session.flush()
        record(session, CartItemAdded(
            id=cart.id, user_id=cart.user_id, variant_id=vid, quantity=total
        ))
    return line


async def _owned_line(
    session: AsyncSession, owner: CartOwner, line_id: int
) -> tuple[Cart, CartLine]:
    cart = await find_cart(session, owner)
    line = _line(cart, line_id=line_id)
    if cart is None or line is None:
        raise NotFound(
            Code.CART_ITEM_NOT_FOUND, "장바구니에 그 상품이 없습니다.", field="item_id"
        )
    return cart, line


async def set_quantity(
    session: AsyncSession,
    owner: CartOwner,
    line_id: int,
    quantity: object,
    *,
    now: dt.datetime | None = None,
) -> CartLine:
    """Change a line's quantity; the same quantity again changes and records nothing."""
    quantity = clean_quantity(quantity, "quantity")
    cart, line = await _owned_line(session, owner, line_id)
    if line.quantity == quantity:
        return line
    await _check_variant(session, line.variant_id, quantity, now or utcnow())
    async with transaction(session, on_integrity_error=_cart_changed()):
        line.quantity = quantity
        record(session, CartItemUpdated(
            id=cart.id, user_id=cart.user_id, variant_id=line.variant_id, quantity=quantity
        ))
    return line


async def remove_item(session: AsyncSession, owner: CartOwner, line_id: int) -> None:
    cart, line = await _owned_line(session, owner, line_id)
    async with transaction(session, on_integrity_error=_cart_changed()):
        cart.lines.remove(line)
        record(session, CartItemRemoved(
            id=cart.id, user_id=cart.user_id, variant_id=line.variant_id
        ))


# -- reading ------------------------------------------------------------------------------


async def view_cart(
    session: AsyncSession, owner: CartOwner, *, now: dt.datetime | None = None
) -> CartView:
    """The cart priced as of now: lines per vendor, delivery fees, totals, problems."""
    cart = await find_cart(session, owner)
    if cart is None or not cart.lines:
        return price_cart(cart.id if cart else None, [])
    rows = (
        await session.execute(
            select(CartLine, ProductVariant, Product, Vendor)
            .join(ProductVariant, ProductVariant.id == CartLine.variant_id)
            .join(Product, Product.id == ProductVariant.product_id)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(CartLine.cart_id == cart.id)
            .order_by(CartLine.id)
        )
    ).all()
    ids = [variant.id for _line, variant, _product, _vendor in rows]
    free = await availability.available(session, ids, now or utcnow())
    facts = await availability.sale_facts(session, ids)
    return price_cart(cart.id, [
        LineFacts(
            line_id=line.id, variant_id=variant.id, product_id=product.id,
            product_name=product.name, option_label=variant.option_label, sku=variant.sku,
            unit_price=variant.price, quantity=line.quantity, available=free[variant.id],
            on_sale=facts[variant.id].on_sale, vendor_id=vendor.id, vendor_name=vendor.name,
            delivery_fee=vendor.delivery_fee, free_delivery_over=vendor.free_delivery_over,
        )
        for line, variant, product, vendor in rows
    ])


def demands_of(view: CartView) -> list[Demand]:
    """The cart as reservation demand (what checkout will reserve), lines named as in the
    cart API (``items[<line id>]``)."""
    return [
        Demand(line.facts.variant_id, line.facts.quantity, f"items[{line.facts.line_id}]")
        for group in view.groups
        for line in group.lines
    ]


# -- merging at sign-in -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MergeResult:
    moved: int = 0  # lines whose whole quantity came over
    capped: int = 0  # lines that came over with fewer units (stock or the per-line limit)
    dropped: int = 0  # lines that could not come over (not on sale, sold out, cart full)

    @property
    def messages(self) -> list[str]:
        out = []
        if self.moved or self.capped:
            kinds = self.moved + self.capped
            out.append(f"로그인 전에 담은 상품 {kinds}가지를 장바구니에 옮겼습니다.")
        if self.capped:
            out.append(f"재고가 부족해 {self.capped}가지 상품의 수량을 줄였습니다.")
        if self.dropped:
            out.append(f"품절되었거나 판매하지 않는 {self.dropped}가지 상품은 옮기지 못했습니다.")
        return out


async def merge_guest_cart(
    session: AsyncSession, guest_token: str | None, user: User, *, now: dt.datetime | None = None
) -> MergeResult:
    """Fold the guest's cart into ``user``'s: quantities of the same variant are added, but
    never beyond what is available (and never below what the shopper already had); lines
    that cannot be sold are left behind. The guest cart is then ``merged``; merging it again
    (a double-submitted sign-in) finds nothing to do.
    """
    if not guest_token:
        return MergeResult()
    guest = await find_cart(session, CartOwner(guest_token=guest_token))
    if guest is None or not guest.lines:
        return MergeResult()
    moment = now or utcnow()
    async with transaction(session, on_integrity_error=_cart_changed()):
        CART_TRANSITIONS.check(guest.status, CartStatus.MERGED)
        claimed = await session.execute(
            update(Cart)
            .where(Cart.id == guest.id, Cart.status == CartStatus.OPEN)
            .values(status=CartStatus.MERGED)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return MergeResult()
        target = await _open_cart(session, CartOwner(user=user))
        guest_lines = list(guest.lines)
        ids = [line.variant_id for line in guest_lines]
        free = await availability.available(session, ids, moment)
        facts = await availability.sale_facts(session, ids)
        moved = capped = dropped = 0
        for line in guest_lines:
            mine = _line(target, variant_id=line.variant_id)
            have = mine.quantity if mine is not None else 0
            wanted = have + line.quantity
            room = len(target.lines) < MAX_LINES or mine is not None
            ceiling = min(MAX_QUANTITY, max(free.get(line.variant_id, 0), have))
            if not facts[line.variant_id].on_sale or not room or ceiling <= have:
                dropped += 1
                continue
            if mine is None:
                mine = CartLine(variant_id=line.variant_id, quantity=0)
                target.lines.append(mine)
            mine.quantity = min(wanted, ceiling)
            if mine.quantity == wanted:
                moved += 1
            else:
                capped += 1
        guest.merged_into_id = target.id
        await session.flush()
        result = MergeResult(moved=moved, capped=capped, dropped=dropped)
        record(session, CartMerged(
            id=target.id, user_id=user.id, guest_cart_id=guest.id, moved_lines=moved,
            capped_lines=capped, dropped_lines=dropped,
        ))
    return result


async def merge_after_login(
    session: AsyncSession, previous_session: Mapping[str, Any], user: User
) -> list[str]:
    """The sign-in hook (registered by the app factory): merge the cart the guest session
    held, and say in Korean what happened to it."""
    token = previous_session.get(GUEST_TOKEN_KEY)
    result = await merge_guest_cart(session, token if isinstance(token, str) else None, user)
    return result.messages

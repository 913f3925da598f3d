"""Placing an order (주문하기): from priced lines and an address to a checkout waiting for
payment (the paid side, from a succeeded payment to exactly one order, is ``paid.py``).

:func:`place` is one transaction and a Stripe call, safe to repeat with the same ``key``:
the reservation, the checkout with its price snapshot and its payment row are written, the
stock is checked and held under the variants' locks, and all of it commits together
(decision 60); then the payment gets its PaymentIntent (``ensure_intent``). A crash before
the intent leaves a payment that a retry with the same key (or the payment page) completes.

A new checkout of a cart cancels the cart's older unpaid one (decision 32), so one cart is
never paid twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, and_, bindparam, cast, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from infra.accounts.models import User
from infra.clock import as_utc
from infra.db import dialect_name, insert_as_loaded, transaction
from infra.errors import Conflict, InvalidInput, NotFound
from infra.payments import StripeGateway
from infra.settings import Settings
from shop.cart.models import Cart
from shop.cart.pricing import CartView, LineFacts, price_cart
from shop.catalog.models import Product, ProductVariant
from shop.checkout import availability, stock
from shop.checkout import demand as rules
from shop.checkout.address import DeliveryAddress, clean_email
from shop.checkout.errors import CheckoutErrorCode as Code
from shop.checkout.errors import StockErrorCode
from shop.checkout.keys import owned_key
from shop.checkout.models import Checkout, CheckoutStatus, ReservationStatus, StockReservation
from shop.orders.models import Order
from shop.payments import services as payments
from shop.payments.models import Payment
from shop.vendors.models import Vendor

KIND = "checkout"
#: Why an older unpaid checkout of a cart was cancelled when the cart was checked out again.
SUPERSEDED = "같은 장바구니로 새 주문서를 만들어 이 주문서는 취소되었습니다."

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class SnapshotLine:
    """One bought line as the shopper saw it at "place order" (stored as JSON)."""

    variant_id: int
    product_id: int
    vendor_id: int
    vendor_name: str
    product_name: str
    option_label: str
    sku: str
    category: str
    unit_price: int
    quantity: int
    #: For snack-box components: the box this line belongs to ("" for a loose item).
    bundle_label: str = ""

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SnapshotLine:
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


@dataclasses.dataclass(frozen=True)
class Placed:
    checkout: Checkout
    payment: Payment
    view: CartView
    #: Until when the stock is held, when known without asking the database again.
    expires_at: dt.datetime | None = None


# -- pricing what is bought ---------------------------------------------------------------


#: What pricing needs of one variant: the variant, its product and its vendor.
CatalogRow = tuple[ProductVariant, Product, Vendor]


#: What :func:`read_catalog` sends, built once with its variant ids bound at execution
#: (decision 91): images, sibling variants and vendor documents are not needed to price a
#: line. Locking, it reads fresh rows (``populate_existing``) under the variants' locks.
_CATALOG = (
    select(ProductVariant, Product, Vendor)
    .join(Product, Product.id == ProductVariant.product_id)
    .join(Vendor, Vendor.id == Product.vendor_id)
    .where(ProductVariant.id.in_(bindparam("ids", expanding=True)))
    .order_by(ProductVariant.id)
    .options(lazyload("*"))
)
_LOCKED_CATALOG = availability.BuiltLocking.of(
    _CATALOG.execution_options(populate_existing=True)
)


async def read_catalog(
    session: AsyncSession, demands: Sequence[rules.Demand], *, lock: bool = False
) -> dict[int, CatalogRow]:
    """The catalog rows of the demanded variants, by variant id; unknown variants are a 400
    naming the line. With ``lock`` the variants' rows are locked as ``availability``'s
    writers lock them (in id order, until the transaction ends), so what is priced is also
    what decides whether the line may be sold (decision 76)."""
    summed = rules.summed(demands)
    ids = [d.variant_id for d in summed]
    stmt = await _LOCKED_CATALOG(session, ids) if lock else _CATALOG
    found = {variant.id: (variant, product, vendor)
             for variant, product, vendor in (await session.execute(stmt, {"ids": ids})).all()}
    for demand in summed:
        if demand.variant_id not in found:
            raise InvalidInput(
                StockErrorCode.UNKNOWN_VARIANT, "없는 상품 옵션입니다.",
                field=f"{demand.fields[0]}.variant_id", extra={"variant_id": demand.variant_id},
            )
    return found


def priced(
    found: dict[int, CatalogRow], demands: Sequence[rules.Demand]
) -> tuple[CartView, dict[int, str]]:
    """Price demand lines like a cart (per-vendor delivery fees); also each variant's category.
    Every line counts as available: placing checks the stock itself, under the lock."""
    summed = rules.summed(demands)
    lines = []
    for index, demand in enumerate(summed):
        variant, product, vendor = found[demand.variant_id]
        on_sale = availability.SaleFacts(
            variant.id, variant.is_active, product.name, variant.option_label,
            product.status, vendor.status,
        ).on_sale
        lines.append(LineFacts(
            line_id=index, variant_id=variant.id, product_id=product.id,
            product_name=product.name, option_label=variant.option_label, sku=variant.sku,
            unit_price=variant.price, quantity=demand.quantity,
            available=demand.quantity,
            on_sale=on_sale, vendor_id=vendor.id, vendor_name=vendor.name,
            delivery_fee=vendor.delivery_fee, free_delivery_over=vendor.free_delivery_over,
        ))
    categories = {d.variant_id: found[d.variant_id][1].category.value for d in summed}
    return price_cart(None, lines), categories


def _snapshot(view: CartView, categories: dict[int, str]) -> list[SnapshotLine]:
    return [
        SnapshotLine(
            variant_id=line.facts.variant_id, product_id=line.facts.product_id,
            vendor_id=group.vendor_id, vendor_name=group.vendor_name,
            product_name=line.facts.product_name, option_label=line.facts.option_label,
            sku=line.facts.sku, category=categories.get(line.facts.variant_id, ""),
            unit_price=line.facts.unit_price, quantity=line.facts.quantity,
        )
        for group in view.groups
        for line in group.lines
    ]


def _refuse_problems(view: CartView, demands: Sequence[rules.Demand]) -> None:
    """Lines not for sale are refused before anything is held (stock is checked by reserve)."""
    by_variant = {d.variant_id: d.field for d in demands}
    for group in view.groups:
        for line in group.lines:
            if not line.facts.on_sale:
                field = by_variant.get(line.facts.variant_id) or "lines"
                raise Conflict(
                    StockErrorCode.NOT_FOR_SALE,
                    f"{line.facts.product_name} ({line.facts.option_label}): 지금은 판매하지 "
                    "않는 상품입니다.",
                    field=f"{field}.variant_id", extra={"variant_id": line.facts.variant_id},
                )


# -- bundles: goods sold together at a set price (snack boxes, shop/snackboxes) -----------


@dataclasses.dataclass(frozen=True)
class BundlePart:
    """Units of one variant inside a bundle, at its share of the set price (whole won)."""

    variant_id: int
    quantity: int
    unit_price: int


@dataclasses.dataclass(frozen=True)
class Bundle:
    """A set (N snack boxes of a size) whose parts are reserved like loose items, summed per
    variant with them, and written as snapshot lines labelled ``label`` at their share of the
    set price: the parts' totals are the set price (the caller splits it). ``field`` names
    the input line in errors (``snack_boxes[0]``)."""

    label: str
    field: str
    parts: tuple[BundlePart, ...]

    def demands(self) -> list[rules.Demand]:
        return [rules.Demand(p.variant_id, p.quantity, self.field) for p in self.parts]


#: Runs in the checkout's own transaction before it commits (a snack box holds its delivery
#: slot there); a DomainError it raises refuses the checkout and gives the stock back.
Hold = Callable[[AsyncSession, Checkout], Awaitable[None]]


def _bundle_lines(found: dict[int, CatalogRow], bundles: Sequence[Bundle]) -> list[SnapshotLine]:
    """One snapshot line per bundle part, named from the catalog, priced by the bundle."""
    if not bundles:
        return []
    demands = [d for bundle in bundles for d in bundle.demands()]
    view, categories = priced(found, demands)
    _refuse_problems(view, demands)
    parts = {ln.facts.variant_id: (g, ln.facts) for g in view.groups for ln in g.lines}
    lines = []
    for bundle in bundles:
        for part in bundle.parts:
            group, facts = parts[part.variant_id]
            lines.append(SnapshotLine(
                variant_id=part.variant_id, product_id=facts.product_id,
                vendor_id=group.vendor_id, vendor_name=group.vendor_name,
                product_name=facts.product_name, option_label=facts.option_label,
                sku=facts.sku, category=categories.get(part.variant_id, ""),
                unit_price=part.unit_price, quantity=part.quantity, bundle_label=bundle.label,
            ))
    return lines


# -- placing ------------------------------------------------------------------------------


async def _by_key(session: AsyncSession, key: str) -> Checkout | None:
    return await session.scalar(
        select(Checkout).where(Checkout.key == key).execution_options(populate_existing=True)
    )


async def place(
    session: AsyncSession,
    settings: Settings,
    gateway: StripeGateway,
    *,
    demands: Sequence[rules.Demand],
    address: DeliveryAddress,
    email: str,
    user: User | None = None,
    cart_id: int | None = None,
    key: str | None = None,
    guest_token: str | None = None,
    bundles: Sequence[Bundle] = (),
    hold: Hold | None = None,
) -> Placed:
    """Hold the stock, write the checkout and start its payment; see the module docstring.

    ``bundles`` (snack boxes) are reserved together with ``demands`` and become labelled
    snapshot lines at their split prices (no delivery fee: the set price includes delivery);
    ``hold`` runs in the checkout's transaction (see :data:`Hold`). ``key`` is looked up
    among the owner's keys only (``user``, else the session's ``guest_token``, else the
    contact details: :mod:`shop.checkout.keys`).

    Raises 400 for bad lines or e-mail, 409 ``out_of_stock`` / ``not_for_sale`` naming the
    line, and 409 ``checkout_key_reused`` when a key comes back with different lines.
    """
    email = clean_email(email)
    key = rules.clean_key(key)
    if key is not None:
        key = owned_key(key, user=user, guest_token=guest_token, email=email, address=address)
    everything = [*demands, *(d for bundle in bundles for d in bundle.demands())]
    wanted = rules.summed(everything)  # every line checked before the database is asked
    if key is not None and (existing := await _by_key(session, key)) is not None:
        return await _resume(session, gateway, existing, everything, user)
    if cart_id is not None:  # the cart's older checkout gives its stock back before we reserve
        # A line that cannot be sold refuses before the older checkout is cancelled (a read
        # more for carts; the locked read below decides). Split: the older checkout is
        # cancelled (and committed) before its stock is let go and its payment cancelled,
        # each a transaction of its own (``stock``, ``payments``).
        if demands:
            _refuse_problems(priced(await read_catalog(session, demands), demands)[0], demands)
        async with transaction(session):
            older = await _cancel_older(session, cart_id, key)
        await _let_go(session, gateway, older, user)
    older = []
    try:
        # One transaction (decisions 60, 76): the reservation (with its audit row and event)
        # is written first, while nobody else can see it; then one read locks the variants
        # and prices the lines, the checkout is written, the stock is checked and held by
        # one insert, and the commit lets the locks go. A refusal (not for sale, out of
        # stock, a full delivery slot) rolls all of it back, so nothing is held and nothing
        # needs releasing. The payment is made after the commit, intent first.
        async with transaction(session):
            if cart_id is not None:  # one payable checkout per cart, even when two race here
                older = await _cancel_older(session, cart_id, key)
            reservation = await stock.open_reservation(
                session, settings, wanted, actor=user.id if user else None,
                key=f"checkout:{key}" if key else None,
            )
            found = await read_catalog(session, everything, lock=True)
            if demands or not bundles:
                view, categories = priced(found, demands)
                _refuse_problems(view, demands)
            else:
                view, categories = CartView(cart_id=None, groups=()), {}
            boxed = _bundle_lines(found, bundles)
            checkout = _new_checkout(view, categories, boxed, address=address, email=email,
                                     user=user, cart_id=cart_id, key=key)
            checkout.reservation_id = reservation.id
            checkout = await insert_as_loaded(session, checkout)
            labels = {v: f"{product.name} ({variant.option_label})"
                      for v, (variant, product, _) in found.items()}
            await stock.hold_units(session, reservation, wanted, labels)
            if hold is not None:  # after the variants: the paid side locks them in this order
                await hold(session, checkout)
    except IntegrityError:
        # The same key (its checkout, or its reservation) won a race a moment ago.
        existing = await _by_key(session, key) if key else None
        if existing is None:
            raise
        return await _resume(session, gateway, existing, everything, user)
    payment = await payments.start_fresh_payment(
        session, gateway, kind=KIND, reference=str(checkout.id), amount=checkout.total,
        description=_description(checkout), user=user,
    )
    await _let_go(session, gateway, older, user)
    return Placed(checkout, payment, view_of(checkout) if boxed else view,
                  expires_at=as_utc(reservation.expires_at))


def _new_checkout(
    view: CartView, categories: dict[int, str], boxed: list[SnapshotLine], *,
    address: DeliveryAddress, email: str, user: User | None, cart_id: int | None,
    key: str | None,
) -> Checkout:
    """The checkout row of a priced order (loose lines in ``view``, bundle parts ``boxed``)."""
    snapshot = _snapshot(view, categories) + boxed
    boxed_total = sum(line.line_total for line in boxed)
    return Checkout(
        token=secrets.token_urlsafe(32), key=key, status=CheckoutStatus.OPEN,
        user_id=user.id if user else None, cart_id=cart_id,
        email=email, recipient=address.recipient, phone=address.phone,
        postal_code=address.postal_code, road_address=address.road_address,
        detail_address=address.detail_address, delivery_note=address.delivery_note,
        lines=[line.to_json() for line in snapshot],
        delivery_fees={
            **{str(line.vendor_id): 0 for line in boxed},
            **{str(g.vendor_id): g.delivery_fee for g in view.groups},
        },
        items_total=view.items_total + boxed_total, delivery_total=view.delivery_total,
        total=view.total + boxed_total,
    )


async def _cancel_older(
    session: AsyncSession, cart_id: int, key: str | None
) -> list[Checkout]:
    """In the caller's transaction: lock the cart and cancel its open checkouts (and those of
    guest carts merged into it), which a new checkout of the cart replaces.

    The cart's row lock makes two checkouts of one cart take turns, so the later one sees
    and cancels the earlier; the checkouts' row locks order this against their payments
    (``_on_paid`` locks the checkout too and refuses a cancelled one). A checkout with the
    caller's own ``key`` is the same attempt, not an older one. The caller commits, then
    calls :func:`_let_go`.
    """
    if dialect_name(session) == "postgresql":
        await session.execute(select(Cart.id).where(Cart.id == cart_id).with_for_update())
    else:  # SQLite: take the write lock first so the read below is the latest state
        await session.execute(update(Cart).where(Cart.id == cart_id).values(id=Cart.id))
    carts = select(Cart.id).where(or_(Cart.id == cart_id, Cart.merged_into_id == cart_id))
    stmt = select(Checkout).where(
        Checkout.cart_id.in_(carts), Checkout.status == CheckoutStatus.OPEN
    )
    if key is not None:
        stmt = stmt.where(or_(Checkout.key.is_(None), Checkout.key != key))
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=Checkout)
    older = list((await session.scalars(
        stmt.order_by(Checkout.id).execution_options(populate_existing=True)
    )).all())
    for checkout in older:
        checkout.status = CheckoutStatus.ABANDONED
        checkout.failure_reason = SUPERSEDED
    return older


async def _let_go(
    session: AsyncSession, gateway: StripeGateway, older: Sequence[Checkout], user: User | None
) -> None:
    """After the cancellation committed: the stock back to sale, the PaymentIntent cancelled.

    Best effort: the checkout is already cancelled, so a payment that still comes (Stripe
    down here, or faster than us) is refused by ``_on_paid`` and refunded in full.
    """
    for checkout in older:
        try:
            await stock.release(session, checkout.reservation_id, actor=user,
                                reason="같은 장바구니로 새 주문서를 만듦")
            payment = await payment_of(session, checkout)
            if payment is not None:
                await payments.cancel(session, gateway, payment.id,
                                      reason=f"{SUPERSEDED} 새 주문서에서 결제해 주세요.")
        except Exception:
            await session.rollback()
            log.exception("checkout %s: could not let go after a newer checkout", checkout.id)


async def _resume(
    session: AsyncSession,
    gateway: StripeGateway,
    checkout: Checkout,
    demands: Sequence[rules.Demand],
    user: User | None,
) -> Placed:
    wanted = {d.variant_id: d.quantity for d in rules.summed(demands)}
    had: dict[int, int] = {}
    for line in checkout.lines:  # a bundle part and a loose item may share a variant
        had[int(line["variant_id"])] = had.get(int(line["variant_id"]), 0) + int(line["quantity"])
    if wanted != had:
        raise Conflict(Code.KEY_REUSED, "이 주문 키는 이미 다른 주문 내용에 쓰였습니다.",
                       field="key", extra={"checkout": checkout.token})
    return await _with_payment(session, gateway, checkout, user, view_of(checkout))


async def _with_payment(
    session: AsyncSession,
    gateway: StripeGateway,
    checkout: Checkout,
    user: User | None,
    view: CartView,
) -> Placed:
    payment = await payments.start_payment(
        session, gateway, kind=KIND, reference=str(checkout.id), amount=checkout.total,
        description=_description(checkout), user=user,
    )
    return Placed(checkout, payment, view)


def _description(checkout: Checkout) -> str:
    """What the card statement and the payment page call this checkout."""
    vendors = len(checkout.delivery_fees)
    first = checkout.lines[0]["product_name"]
    more = len(checkout.lines) - 1
    description = f"장터 주문: {first}" + (f" 외 {more}건" if more else "")
    if vendors > 1:
        description += f" ({vendors}개 입점기업)"
    return description


def view_of(checkout: Checkout) -> CartView:
    """The checkout's snapshot priced as it was (what the shopper agreed to pay)."""
    lines = [SnapshotLine.from_json(line) for line in checkout.lines]
    view = price_cart(None, [
        LineFacts(
            line_id=i, variant_id=s.variant_id, product_id=s.product_id,
            product_name=s.product_name, option_label=s.option_label, sku=s.sku,
            unit_price=s.unit_price, quantity=s.quantity, available=s.quantity, on_sale=True,
            vendor_id=s.vendor_id, vendor_name=s.vendor_name, delivery_fee=0,
            free_delivery_over=None,
        )
        for i, s in enumerate(lines)
    ])
    groups = tuple(
        dataclasses.replace(g, delivery_fee=int(checkout.delivery_fees.get(str(g.vendor_id), 0)),
                            free_delivery_gap=None)
        for g in view.groups
    )
    return dataclasses.replace(view, groups=groups)


# -- reading ------------------------------------------------------------------------------


def payment_of_checkout() -> ColumnElement[bool]:
    """How a checkout's payment is found: the payment of kind ``checkout`` whose reference is
    the checkout's id (``payments`` makes one per pair). The payment is written after the
    checkout, so the checkout keeps no column pointing at it (decision 76)."""
    return and_(Payment.kind == KIND, Payment.reference == cast(Checkout.id, String))


async def payment_of(session: AsyncSession, checkout: Checkout) -> Payment | None:
    return await payments.payment_for(session, KIND, str(checkout.id))


async def by_token(session: AsyncSession, token: str) -> Checkout:
    checkout = await session.scalar(
        select(Checkout).where(Checkout.token == token).execution_options(populate_existing=True)
    )
    if checkout is None:
        raise NotFound(Code.CHECKOUT_NOT_FOUND, "주문서를 찾을 수 없습니다.", field="token")
    return checkout


async def order_of(session: AsyncSession, checkout: Checkout) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.checkout_id == checkout.id)
        .execution_options(populate_existing=True)
    )


async def order_number_of(session: AsyncSession, checkout: Checkout) -> str | None:
    return await session.scalar(select(Order.number).where(Order.checkout_id == checkout.id))


@dataclasses.dataclass(frozen=True)
class CheckoutRead:
    """A checkout with what its page shows beside it, read in one statement."""

    checkout: Checkout
    payment: Payment | None
    order_number: str | None
    #: Until when the stock is held (None once the reservation holds nothing).
    expires_at: dt.datetime | None


#: Built once: the statement every checkout's result page sends (its cache key is computed
#: once per process, not per request; decision 82).
_READ_BY_TOKEN = (
    select(Checkout, Payment, Order.number, StockReservation.status,
           StockReservation.expires_at)
    .outerjoin(Payment, payment_of_checkout())
    .outerjoin(Order, Order.checkout_id == Checkout.id)
    .outerjoin(StockReservation, StockReservation.id == Checkout.reservation_id)
    .where(Checkout.token == bindparam("token"))
    .execution_options(populate_existing=True)
)


async def read_by_token(session: AsyncSession, token: str) -> CheckoutRead:
    """The checkout of ``token`` with its payment, order number and hold deadline (404 if
    there is none): one query where a page would otherwise ask four times."""
    row = (await session.execute(_READ_BY_TOKEN, {"token": token})).first()
    if row is None:
        raise NotFound(Code.CHECKOUT_NOT_FOUND, "주문서를 찾을 수 없습니다.", field="token")
    checkout, payment, number, held, until = row
    live = held is ReservationStatus.ACTIVE and until is not None
    return CheckoutRead(checkout, payment, number, as_utc(until) if live else None)


async def expires_at(session: AsyncSession, checkout: Checkout) -> dt.datetime | None:
    row = (await session.execute(
        select(StockReservation.status, StockReservation.expires_at)
        .where(StockReservation.id == checkout.reservation_id)
    )).first()
    if row is None or row.status is not ReservationStatus.ACTIVE:
        return None
    return as_utc(row.expires_at)


async def abandon(
    session: AsyncSession, checkout: Checkout, user: User | None = None
) -> Checkout:
    """The shopper gives up before paying: the stock goes back to sale at once."""
    if checkout.status is not CheckoutStatus.OPEN:
        return checkout
    # Split: ``stock.release`` gives the units back in a transaction of its own (it is also
    # how expiry and failed payments let go); the checkout is marked abandoned in the next.
    await stock.release(session, checkout.reservation_id, actor=user, reason="구매자가 주문 취소")
    async with transaction(session):
        checkout.status = CheckoutStatus.ABANDONED
    return checkout

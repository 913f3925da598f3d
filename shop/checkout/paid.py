"""A paid checkout becomes exactly one order: the payment handler for ``kind="checkout"``.

:func:`_on_paid` runs inside the transaction that marks the payment succeeded (see
``shop.payments.services``): it writes the order and its vendor orders, then turns the
reservation into allocations. ``orders.checkout_id`` is unique, so the shopper's return and
the webhook racing each other make one order: the second finds the first. A checkout given up
or replaced before the money came, or stock sold meanwhile, makes the payment
unfulfillable, and the payment module refunds it in full.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Sequence, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.selectable import ScalarSelect

from infra.clock import utcnow
from infra.db import dialect_name, table_of
from infra.errors import DomainError
from infra.outbox import record
from shop.cart.models import CartLine
from shop.catalog.models import ProductVariant
from shop.checkout import stock
from shop.checkout.models import Checkout, CheckoutStatus, ReservationLine, StockReservation
from shop.checkout.services import KIND, SnapshotLine
from shop.orders.events import OrderPlaced
from shop.orders.models import (
    Order,
    OrderLine,
    VendorOrder,
    VendorOrderStatus,
    VendorOrderStatusChange,
)
from shop.payments import handlers as payment_handlers
from shop.payments.models import Payment

ORDERS = table_of(Order)
VENDOR_ORDERS = table_of(VendorOrder)
ORDER_LINES = table_of(OrderLine)
VENDOR_ORDER_CHANGES = table_of(VendorOrderStatusChange)
CHECKOUTS = table_of(Checkout)
#: Statements every paid checkout sends, built once with their values bound at execution,
#: so their cache keys are computed once per process (decision 91).
_INSERT_ORDER = insert(ORDERS)
_INSERT_VENDOR_ORDERS = insert(VENDOR_ORDERS).returning(
    VENDOR_ORDERS.c.id, VENDOR_ORDERS.c.vendor_id, sort_by_parameter_order=True
)
_INSERT_ORDER_LINES = insert(ORDER_LINES)
_INSERT_VENDOR_ORDER_CHANGES = insert(VENDOR_ORDER_CHANGES)
_MARK_PAID = (
    update(CHECKOUTS).where(CHECKOUTS.c.id == bindparam("checkout_id"))
    .values(status=CheckoutStatus.PAID)
)

#: Run in the payment's transaction after the stock is confirmed (a late payment re-checks
#: the snack-box slot); a DomainError makes the payment unfulfillable, so it is refunded.
PAID_CHECKS: list[Callable[[AsyncSession, Checkout], Awaitable[None]]] = []


async def _lock_checkout(session: AsyncSession, checkout_id: int) -> Checkout:
    stmt = select(Checkout).where(Checkout.id == checkout_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=Checkout)
    checkout = await session.scalar(stmt.execution_options(populate_existing=True))
    if checkout is None:
        raise RuntimeError(f"payment for a missing checkout {checkout_id}")
    return checkout


def _next_order_id(dialect: str) -> ScalarSelect[int]:
    """The id the order will take, read with the lock so its number is written with it.

    PostgreSQL: a value of the orders' own sequence (unique whatever happens next; one not
    used, because the checkout turns out paid already or the payment is refunded, is a gap
    like any rolled-back insert). SQLite: one past the largest id, which is safe because the
    payment's transaction already holds SQLite's single write lock until it commits."""
    if dialect == "postgresql":
        sequence = Order.__table__.c.id.default
        assert isinstance(sequence, Sequence)
        return select(sequence.next_value()).scalar_subquery()
    return select(func.coalesce(func.max(Order.id), 0) + 1).scalar_subquery()


@dataclasses.dataclass(frozen=True)
class _LockStatements:
    """:func:`_lock_paid`'s two statements for one dialect, built once per process with the
    checkout's id bound at execution, so their cache keys are computed once (decision 91)."""

    #: The checkout, its reservation with its lines, their variants, and the next order id.
    whole: Any
    #: The checkout alone, and the next order id.
    alone: Any

    @classmethod
    def build(cls, dialect: str) -> _LockStatements:
        next_id = _next_order_id(dialect)
        whole = (
            select(Checkout, StockReservation, next_id)
            .join(StockReservation, StockReservation.id == Checkout.reservation_id)
            .join(ReservationLine, ReservationLine.reservation_id == StockReservation.id)
            .join(ProductVariant, ProductVariant.id == ReservationLine.variant_id)
            .where(Checkout.id == bindparam("checkout_id"))
            .order_by(ReservationLine.variant_id)
            .options(contains_eager(StockReservation.lines))
        )
        alone = select(Checkout, next_id).where(Checkout.id == bindparam("checkout_id"))
        if dialect == "postgresql":
            whole = whole.with_for_update(of=[Checkout, StockReservation, ProductVariant],
                                          key_share=True)
            alone = alone.with_for_update(of=Checkout)
        return cls(whole.execution_options(populate_existing=True),
                   alone.execution_options(populate_existing=True))


_LOCKS: dict[str, _LockStatements] = {}


def _lock_statements(session: AsyncSession) -> _LockStatements:
    dialect = dialect_name(session)
    built = _LOCKS.get(dialect)
    if built is None:
        built = _LOCKS[dialect] = _LockStatements.build(dialect)
    return built


@dataclasses.dataclass(frozen=True)
class _Locked:
    checkout: Checkout
    #: Read and locked with its lines and its variants' rows; None when only the checkout
    #: could be (``stock.confirm_in_transaction`` then locks it itself).
    reservation: StockReservation | None
    next_order_id: int


async def _lock_paid(session: AsyncSession, checkout_id: int) -> _Locked:
    """One statement: the checkout, its reservation with its lines and the lines' variants,
    locked in that order (the order a checkout that replaces this one takes them in:
    checkout, then variants), and the id the order will take.

    On PostgreSQL every row is locked ``FOR NO KEY UPDATE``: it excludes the other lockers
    of these rows (the cart's next checkout, a release, the sweeper, other checkouts'
    stock checks) while letting rows that merely reference them be inserted (order lines,
    allocations). The availability read an expired reservation needs comes in a later
    statement, which sees what the lock's previous holders committed. SQLite's write lock
    is held already (the payment's update took it)."""
    statements = _lock_statements(session)
    bound = {"checkout_id": checkout_id}
    row = (await session.execute(statements.whole, bound)).unique().first()
    if row is not None:
        return _Locked(row[0], row[1], int(row[2]))
    # A reservation without lines (not one a checkout makes): lock the checkout alone.
    found = (await session.execute(statements.alone, bound)).first()
    if found is None:
        raise RuntimeError(f"payment for a missing checkout {checkout_id}")
    return _Locked(found[0], None, int(found[1]))


def order_number(order_id: int, placed_at: dt.datetime) -> str:
    seoul = placed_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
    return f"JT-{seoul:%y%m%d}-{order_id:06d}"


async def _on_paid(session: AsyncSession, payment: Payment) -> None:
    locked = await _lock_paid(session, int(payment.reference))
    checkout = locked.checkout
    if checkout.status is CheckoutStatus.PAID:
        return  # its order was written with that status, in one commit
    if checkout.status is CheckoutStatus.ABANDONED:
        # Given up, or replaced by a newer checkout of its cart, before the money came:
        # its stock went back to sale, so the payment module refunds.
        raise payment_handlers.Unfulfillable(checkout.failure_reason or "취소한 주문서입니다.")
    # Everything this needs was read by the lock: from here on it only writes (decision 76).
    # A refusal rolls the order back with the rest of the payment's transaction.
    placed = await _write_order(session, checkout, payment, locked.next_order_id)
    reason = f"결제 {payment.intent_id}"
    try:
        if locked.reservation is not None:
            await stock.confirm_locked(session, locked.reservation, reason=reason)
        else:
            await stock.confirm_in_transaction(session, checkout.reservation_id, reason=reason)
        for check in PAID_CHECKS:
            await check(session, checkout)
    except DomainError as exc:
        # Sold to someone else while this payment was late: the payment module refunds.
        raise payment_handlers.Unfulfillable(exc.message) from exc
    # Recorded last, so the transaction's events are written together at its commit.
    record(session, placed)


async def _write_order(
    session: AsyncSession, checkout: Checkout, payment: Payment, order_id: int
) -> OrderPlaced:
    """The order (its id and number known before it is written), its vendor orders and
    lines; the event to record once the stock is held.

    Written as plain inserts, one per table (vendor orders return their ids for the lines),
    not through the ORM's unit of work: nothing reads these rows back in this transaction,
    and building, ordering and tracking a dozen objects cost more CPU than the statements
    themselves (decision 82). The checkout's ``paid`` status is one update, and the loaded
    checkout is told of it without becoming dirty."""
    placed_at = utcnow()
    number = order_number(order_id, placed_at)
    await session.execute(_INSERT_ORDER, dict(
        id=order_id, number=number, checkout_id=checkout.id, payment_id=payment.id,
        user_id=checkout.user_id, email=checkout.email, recipient=checkout.recipient,
        phone=checkout.phone, postal_code=checkout.postal_code,
        road_address=checkout.road_address, detail_address=checkout.detail_address,
        delivery_note=checkout.delivery_note, items_total=checkout.items_total,
        delivery_total=checkout.delivery_total, total=checkout.total, placed_at=placed_at,
    ))
    by_vendor: dict[int, list[SnapshotLine]] = {}
    for raw in checkout.lines:
        line = SnapshotLine.from_json(raw)
        by_vendor.setdefault(line.vendor_id, []).append(line)
    vendor_rows = []
    for vendor_id, lines in by_vendor.items():
        items = sum(line.line_total for line in lines)
        fee = int(checkout.delivery_fees.get(str(vendor_id), 0))
        vendor_rows.append({
            "order_id": order_id, "vendor_id": vendor_id, "vendor_name": lines[0].vendor_name,
            "status": VendorOrderStatus.PAID, "items_total": items, "delivery_fee": fee,
            "total": items + fee,
        })
    written = await session.execute(_INSERT_VENDOR_ORDERS, vendor_rows)
    vendor_order_of = {int(vendor_id): int(id_) for id_, vendor_id in written.all()}
    await session.execute(_INSERT_ORDER_LINES, [
        {
            "vendor_order_id": vendor_order_of[line.vendor_id], "variant_id": line.variant_id,
            "product_id": line.product_id, "product_name": line.product_name,
            "option_label": line.option_label, "sku": line.sku, "category": line.category,
            "unit_price": line.unit_price, "quantity": line.quantity,
            "line_total": line.line_total, "bundle_label": line.bundle_label,
        }
        for lines in by_vendor.values()
        for line in lines
    ])
    await session.execute(_INSERT_VENDOR_ORDER_CHANGES, [
        {"vendor_order_id": vendor_order_id, "from_status": None,
         "to_status": VendorOrderStatus.PAID, "actor_user_id": None,
         "reason": f"결제 완료 ({number})"}
        for vendor_order_id in vendor_order_of.values()
    ])
    await session.execute(_MARK_PAID, {"checkout_id": checkout.id})
    set_committed_value(checkout, "status", CheckoutStatus.PAID)
    if checkout.cart_id is not None:
        bought = [int(line["variant_id"]) for line in checkout.lines
                  if not line.get("bundle_label")]
        await session.execute(
            delete(CartLine).where(CartLine.cart_id == checkout.cart_id,
                                   CartLine.variant_id.in_(bought))
        )
    return OrderPlaced(
        id=order_id, number=number, checkout_id=checkout.id, payment_id=payment.id,
        user_id=checkout.user_id, email=checkout.email, total=checkout.total,
        vendor_order_ids=tuple(vendor_order_of.values()),
    )


async def _on_unfulfillable(session: AsyncSession, payment: Payment, reason: str) -> None:
    checkout = await _lock_checkout(session, int(payment.reference))
    if checkout.status is CheckoutStatus.OPEN or checkout.status is CheckoutStatus.EXPIRED:
        checkout.status = CheckoutStatus.FAILED
        checkout.failure_reason = f"{reason} 결제하신 {payment.amount:,}원은 전액 환불했습니다."
    elif checkout.status is CheckoutStatus.ABANDONED:  # cancelled before the money came
        checkout.failure_reason = f"{reason} 결제하신 {payment.amount:,}원은 전액 환불했습니다."


def _result_path(payment: Payment) -> str:
    return f"/checkout/done/{payment.token}"


#: What the payment module calls for ``kind="checkout"``; ``infra.bootstrap`` registers it.
PAYMENT_HANDLER = payment_handlers.PaymentHandler(
    kind=KIND, on_succeeded=_on_paid, result_path=_result_path,
    on_unfulfillable=_on_unfulfillable,
)

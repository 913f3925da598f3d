"""Working an order: a vendor accepts, ships (carrier, tracking number), marks delivered;
the shopper confirms; before shipment either side may cancel; refunds, full or partial, per
line, with or without the goods coming back.

Stock follows the goods (decision 16): paid units are allocations until the vendor ships,
then they leave the shelf (``stock`` and the allocation both go down). Cancelling or
refunding before shipment returns the units to sale by shrinking the allocation; after
shipment, only a refund that says the goods came back (``restock``) puts them on the shelf.

Each function is one transaction holding the vendor order's row lock, the state change, the
audit row and the outbox event; a refund also calls Stripe (``shop.payments.services.refund``,
with a key derived from our refund row) and is recorded once per ``key``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name, end_read, transaction
from infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from infra.outbox import record
from infra.payments import StripeGateway
from shop.catalog.models import ProductVariant
from shop.checkout.availability import lock_variants
from shop.checkout.models import Checkout, StockAllocation
from shop.orders.errors import OrderErrorCode as Code
from shop.orders.events import (
    VendorOrderAccepted,
    VendorOrderCancelled,
    VendorOrderCompleted,
    VendorOrderDelivered,
    VendorOrderRefunded,
    VendorOrderShipped,
)
from shop.orders.models import (
    NOT_SHIPPED,
    VENDOR_ORDER_TRANSITIONS,
    Order,
    OrderLine,
    OrderRefund,
    OrderRefundLine,
    VendorOrder,
    VendorOrderStatus,
    VendorOrderStatusChange,
)
from shop.payments import services as payments
from shop.payments.models import PaymentRefund
from shop.vendors.access import vendor_for_member

#: Carriers a Korean parcel goes with (택배사); "기타" lets a vendor name another.
CARRIERS = ("CJ대한통운", "우체국택배", "한진택배", "롯데택배", "로젠택배", "경동택배", "기타")
MAX_REASON = 500


def _actor(user: User | None) -> int | None:
    return user.id if user is not None else None


def clean_reason(reason: str, *, required: bool = False) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput(Code.REASON_REQUIRED, "사유를 적어 주세요.", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(Code.REASON_TOO_LONG, f"사유는 {MAX_REASON}자 이내로 적어 주세요.",
                           field="reason")
    return reason


async def lock_vendor_order(session: AsyncSession, vendor_order_id: int) -> VendorOrder:
    stmt = select(VendorOrder).where(VendorOrder.id == vendor_order_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(of=VendorOrder)
    else:
        await session.execute(update(VendorOrder).where(VendorOrder.id == vendor_order_id)
                              .values(id=VendorOrder.id))
    found = await session.scalar(stmt.execution_options(populate_existing=True))
    if found is None:
        raise NotFound(Code.VENDOR_ORDER_NOT_FOUND, "주문을 찾을 수 없습니다.",
                       field="vendor_order_id")
    return found


def _move(
    session: AsyncSession, vendor_order: VendorOrder, target: VendorOrderStatus,
    actor: User | None, reason: str,
) -> None:
    VENDOR_ORDER_TRANSITIONS.check(vendor_order.status, target)
    session.add(VendorOrderStatusChange(
        vendor_order_id=vendor_order.id, from_status=vendor_order.status, to_status=target,
        actor_user_id=_actor(actor), reason=reason,
    ))
    vendor_order.status = target


async def _reservation_id(session: AsyncSession, vendor_order: VendorOrder) -> int:
    rid = await session.scalar(
        select(Checkout.reservation_id).join(Order, Order.checkout_id == Checkout.id)
        .where(Order.id == vendor_order.order_id)
    )
    assert rid is not None
    return int(rid)


async def _shrink_allocations(
    session: AsyncSession, reservation_id: int, units: dict[int, int]
) -> None:
    """Paid units leave the allocation (shipped, or back to sale); rows reaching 0 go."""
    for variant_id in sorted(units):
        if units[variant_id] <= 0:
            continue
        allocation = await session.scalar(
            select(StockAllocation).where(StockAllocation.reservation_id == reservation_id,
                                          StockAllocation.variant_id == variant_id)
        )
        if allocation is None or allocation.quantity < units[variant_id]:
            raise RuntimeError(f"allocation of variant {variant_id} smaller than its order")
        allocation.quantity -= units[variant_id]
        if allocation.quantity == 0:
            await session.delete(allocation)


def remaining_units(line: OrderLine) -> int:
    return line.quantity - line.refunded_quantity


# -- vendor actions -----------------------------------------------------------------------


async def _for_vendor(
    session: AsyncSession, user: User | None, vendor_order_id: int
) -> VendorOrder:
    vendor_order = await lock_vendor_order(session, vendor_order_id)
    await vendor_for_member(session, user, vendor_order.vendor_id)
    return vendor_order


async def _step(
    session: AsyncSession,
    user: User | None,
    vendor_order_id: int,
    target: VendorOrderStatus,
    event: type[VendorOrderAccepted | VendorOrderDelivered],
    stamp: str,
    reason: str,
) -> VendorOrder:
    """A vendor's plain step forward: check, audit, timestamp, event, one transaction."""
    async with transaction(session):
        vendor_order = await _for_vendor(session, user, vendor_order_id)
        _move(session, vendor_order, target, user, reason)
        setattr(vendor_order, stamp, utcnow())
        record(session, event(
            id=vendor_order.id, order_id=vendor_order.order_id,
            vendor_id=vendor_order.vendor_id, actor_user_id=_actor(user),
        ))
    return vendor_order


async def accept(session: AsyncSession, user: User | None, vendor_order_id: int) -> VendorOrder:
    """주문 확인: the vendor has seen the order and is preparing it."""
    return await _step(session, user, vendor_order_id, VendorOrderStatus.ACCEPTED,
                       VendorOrderAccepted, "accepted_at", "주문 확인")


def clean_tracking(carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier = (carrier or "").strip()
    if not carrier or len(carrier) > 40:
        raise InvalidInput(Code.INVALID_CARRIER, "택배사를 골라 주세요.", field="carrier")
    number = "".join((tracking_number or "").split()).replace("-", "")
    if not (8 <= len(number) <= 20) or not number.isascii() or not number.isalnum():
        raise InvalidInput(Code.INVALID_TRACKING_NUMBER,
                           "송장번호는 숫자·영문 8~20자로 적어 주세요.", field="tracking_number")
    return carrier, number


async def ship(
    session: AsyncSession, user: User | None, vendor_order_id: int, *, carrier: str,
    tracking_number: str,
) -> VendorOrder:
    """발송: the goods leave the shelf (stock and allocation both go down)."""
    carrier, number = clean_tracking(carrier, tracking_number)
    async with transaction(session):
        vendor_order = await _for_vendor(session, user, vendor_order_id)
        VENDOR_ORDER_TRANSITIONS.check(vendor_order.status, VendorOrderStatus.SHIPPED)
        units: dict[int, int] = {}
        for line in vendor_order.lines:
            units[line.variant_id] = units.get(line.variant_id, 0) + remaining_units(line)
        await lock_variants(session, list(units))
        await _shrink_allocations(session, await _reservation_id(session, vendor_order), units)
        for variant_id, quantity in sorted(units.items()):
            if quantity:
                await session.execute(
                    update(ProductVariant).where(ProductVariant.id == variant_id)
                    .values(stock=ProductVariant.stock - quantity)
                )
        _move(session, vendor_order, VendorOrderStatus.SHIPPED, user,
              f"{carrier} {number}")
        vendor_order.carrier, vendor_order.tracking_number = carrier, number
        vendor_order.shipped_at = utcnow()
        record(session, VendorOrderShipped(
            id=vendor_order.id, order_id=vendor_order.order_id,
            vendor_id=vendor_order.vendor_id, actor_user_id=_actor(user), carrier=carrier,
            tracking_number=number,
        ))
    return vendor_order


async def deliver(session: AsyncSession, user: User | None, vendor_order_id: int) -> VendorOrder:
    """배송 완료, as the carrier reported it (the vendor marks it)."""
    return await _step(session, user, vendor_order_id, VendorOrderStatus.DELIVERED,
                       VendorOrderDelivered, "delivered_at", "배송 완료")


# -- shopper actions ----------------------------------------------------------------------


async def _order_of(session: AsyncSession, vendor_order: VendorOrder) -> Order:
    order = await session.get(Order, vendor_order.order_id)
    assert order is not None
    return order


async def _for_shopper_or_vendor(
    session: AsyncSession, user: User | None, vendor_order_id: int
) -> tuple[VendorOrder, bool]:
    """The vendor order and whether ``user`` acts as its buyer (else as its vendor/admin)."""
    vendor_order = await lock_vendor_order(session, vendor_order_id)
    order = await _order_of(session, vendor_order)
    if user is not None and order.user_id == user.id:
        return vendor_order, True
    await vendor_for_member(session, user, vendor_order.vendor_id)
    return vendor_order, False


async def complete(session: AsyncSession, user: User | None, vendor_order_id: int) -> VendorOrder:
    """구매 확정 by the shopper (or an admin) once the goods arrived."""
    async with transaction(session):
        vendor_order = await lock_vendor_order(session, vendor_order_id)
        order = await _order_of(session, vendor_order)
        if user is None or not (user.is_admin or order.user_id == user.id):
            raise Forbidden(Code.NOT_THE_BUYER, "주문한 분만 구매를 확정할 수 있습니다.")
        _move(session, vendor_order, VendorOrderStatus.COMPLETED, user, "구매 확정")
        vendor_order.completed_at = utcnow()
        record(session, VendorOrderCompleted(
            id=vendor_order.id, order_id=vendor_order.order_id,
            vendor_id=vendor_order.vendor_id, actor_user_id=_actor(user),
        ))
    return vendor_order


# -- cancelling and refunds ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RefundLineIn:
    order_line_id: int
    quantity: int


@dataclasses.dataclass(frozen=True)
class RefundPlan:
    """What a refund gives back, computed under the lock before Stripe is asked."""

    lines: list[tuple[OrderLine, int, int]]  # line, quantity, amount
    delivery_fee: int

    @property
    def amount(self) -> int:
        return sum(amount for _line, _q, amount in self.lines) + self.delivery_fee


def plan_refund(
    vendor_order: VendorOrder, wanted: Sequence[RefundLineIn], include_delivery_fee: bool
) -> RefundPlan:
    by_id = {line.id: line for line in vendor_order.lines}
    seen: set[int] = set()
    planned = []
    for index, item in enumerate(wanted):
        field = f"lines[{index}]"
        line = by_id.get(item.order_line_id)
        if line is None or item.order_line_id in seen:
            raise InvalidInput(Code.UNKNOWN_ORDER_LINE, "이 주문의 상품 줄이 아닙니다.",
                               field=f"{field}.order_line_id")
        seen.add(line.id)
        if isinstance(item.quantity, bool) or not isinstance(item.quantity, int) \
                or item.quantity < 1:
            raise InvalidInput(Code.INVALID_QUANTITY, "환불 수량은 1개 이상이어야 합니다.",
                               field=f"{field}.quantity")
        if item.quantity > remaining_units(line):
            raise Conflict(
                Code.REFUND_EXCEEDS_LINE,
                f"{line.product_name}: 환불할 수 있는 수량은 {remaining_units(line)}개입니다.",
                field=f"{field}.quantity", extra={"refundable_quantity": remaining_units(line)},
            )
        planned.append((line, item.quantity, line.unit_price * item.quantity))
    already_fee = vendor_order.refunded_amount - sum(
        line.unit_price * line.refunded_quantity for line in vendor_order.lines
    )
    fee = vendor_order.delivery_fee - already_fee if include_delivery_fee else 0
    plan = RefundPlan(planned, max(0, fee))
    if plan.amount <= 0:
        raise InvalidInput(Code.NOTHING_TO_REFUND, "환불할 상품이나 배송비를 골라 주세요.",
                           field="lines")
    return plan


async def refund(
    session: AsyncSession,
    gateway: StripeGateway,
    user: User | None,
    vendor_order_id: int,
    *,
    lines: Sequence[RefundLineIn],
    include_delivery_fee: bool = False,
    restock: bool = False,
    reason: str,
    key: str,
) -> OrderRefund:
    """Refund some units (and possibly the delivery fee) of one vendor order.

    The vendor (or an admin) decides; ``reason`` is required and kept. Before shipment the
    units always return to sale; after shipment only with ``restock`` (the goods came
    back). When nothing is left to refund, the vendor order becomes ``refunded`` (after
    shipment) or ``cancelled`` (before). Repeating a call with the same ``key`` returns the
    first refund and pays nothing more.
    """
    reason = clean_reason(reason, required=True)
    if not key or len(key) > 80:
        raise InvalidInput(Code.INVALID_KEY, "환불 요청 키가 필요합니다 (80자 이내).", field="key")
    await vendor_order_for_member(session, user, vendor_order_id)  # 404/403 before replay
    payment_key = _payment_refund_key(vendor_order_id, key)
    existing = await _refund_by_key(session, payment_key)
    if existing is not None:
        await end_read(session)
        return existing
    # Split in three: the vendor order's lock is released before ``payments.refund`` locks
    # the payment row and calls Stripe (never hold a row lock across a network call), and
    # the refund is written in a transaction of its own once Stripe has paid it back; a
    # crash in between is recovered by repeating the call with the same ``key``.
    async with transaction(session):
        vendor_order = await lock_vendor_order(session, vendor_order_id)
        await vendor_for_member(session, user, vendor_order.vendor_id)
        if vendor_order.status in (VendorOrderStatus.CANCELLED, VendorOrderStatus.REFUNDED):
            raise Conflict(Code.VENDOR_ORDER_CLOSED,
                           f"'{vendor_order.status.label}' 상태의 주문은 환불할 수 없습니다.",
                           field="status")
        plan = plan_refund(vendor_order, lines, include_delivery_fee)
        order = await _order_of(session, vendor_order)
    paid_back = await payments.refund(
        session, gateway, order.payment_id, amount=plan.amount, reason=reason,
        key=payment_key, actor=user,
    )
    return await _record_refund(session, user, vendor_order_id, plan, paid_back, restock,
                                reason)


def _payment_refund_key(vendor_order_id: int, key: str) -> str:
    """The caller's key is per vendor order (the same key on another order is another
    refund) and never meets the key a cancellation uses."""
    return f"vendor-order-{vendor_order_id}-r:{key}"


async def _refund_by_key(session: AsyncSession, payment_key: str) -> OrderRefund | None:
    return await session.scalar(
        select(OrderRefund).join(PaymentRefund, PaymentRefund.id == OrderRefund.payment_refund_id)
        .where(PaymentRefund.key == payment_key)
    )


async def _record_refund(
    session: AsyncSession,
    user: User | None,
    vendor_order_id: int,
    plan: RefundPlan,
    paid_back: PaymentRefund,
    restock: bool,
    reason: str,
) -> OrderRefund:
    async with transaction(session):
        vendor_order = await lock_vendor_order(session, vendor_order_id)
        row = await write_refund(session, user, vendor_order, plan, paid_back, restock, reason)
    return row


async def write_refund(
    session: AsyncSession,
    user: User | None,
    vendor_order: VendorOrder,
    plan: RefundPlan,
    paid_back: PaymentRefund,
    restock: bool,
    reason: str,
) -> OrderRefund:
    """Record a refund Stripe has made on the *locked* vendor order, in the caller's
    transaction (nothing is committed): the units back to sale, the refund rows, the money,
    the event, and the move to cancelled or refunded when nothing is left."""
    existing = await session.scalar(
        select(OrderRefund).where(OrderRefund.payment_refund_id == paid_back.id)
    )
    if existing is not None:  # a retry after Stripe answered but before we wrote
        return existing
    shipped = vendor_order.status not in NOT_SHIPPED
    units: dict[int, int] = {}
    for line, quantity, _amount in plan.lines:
        units[line.variant_id] = units.get(line.variant_id, 0) + quantity
    await lock_variants(session, list(units))
    if not shipped:
        await _shrink_allocations(session, await _reservation_id(session, vendor_order),
                                  units)
    elif restock:
        for variant_id, quantity in sorted(units.items()):
            await session.execute(
                update(ProductVariant).where(ProductVariant.id == variant_id)
                .values(stock=ProductVariant.stock + quantity)
            )
    row = OrderRefund(
        vendor_order_id=vendor_order.id, payment_refund_id=paid_back.id,
        amount=plan.amount, delivery_fee_refunded=plan.delivery_fee,
        restocked=not shipped or restock, reason=reason, actor_user_id=_actor(user),
        lines=[OrderRefundLine(order_line_id=line.id, quantity=q, amount=a)
               for line, q, a in plan.lines],
    )
    session.add(row)
    by_id = {line.id: line for line in vendor_order.lines}
    for line, quantity, _amount in plan.lines:
        by_id[line.id].refunded_quantity += quantity
    vendor_order.refunded_amount += plan.amount
    await session.flush()
    closes = all(remaining_units(line) == 0 for line in vendor_order.lines)
    record(session, VendorOrderRefunded(
        id=vendor_order.id, order_id=vendor_order.order_id,
        vendor_id=vendor_order.vendor_id, actor_user_id=_actor(user), reason=reason,
        refund_id=row.id, amount=plan.amount, delivery_fee_refunded=plan.delivery_fee,
        restocked=row.restocked, cancels=closes and not shipped,
        lines=tuple({"order_line_id": line.id, "quantity": q, "amount": a}
                    for line, q, a in plan.lines),
    ))
    if closes:
        target = VendorOrderStatus.CANCELLED if not shipped else VendorOrderStatus.REFUNDED
        _move(session, vendor_order, target, user, reason)
        if target is VendorOrderStatus.CANCELLED:
            vendor_order.cancelled_at = utcnow()
            record(session, VendorOrderCancelled(
                id=vendor_order.id, order_id=vendor_order.order_id,
                vendor_id=vendor_order.vendor_id, actor_user_id=_actor(user),
                reason=reason,
            ))
    return row


async def cancel(
    session: AsyncSession,
    gateway: StripeGateway,
    user: User | None,
    vendor_order_id: int,
    *,
    reason: str,
) -> VendorOrder:
    """Cancel before shipment (the shopper or the vendor): every unit goes back to sale and
    everything paid for this vendor order, delivery fee included, is refunded.

    A vendor order holding part of a snack box is refused (409 ``part_of_bundle``, naming the
    box): a box is cancelled whole (``shop.snackboxes.bought.cancel_box``), never a quarter."""
    reason = clean_reason(reason, required=True)
    # Split like ``refund``: checked and planned under the lock, which is released before
    # the payment row is locked and Stripe is called; the refund is then written in its own
    # transaction (the cancellation's key is fixed, so a retry pays nothing twice).
    async with transaction(session):
        vendor_order, _as_buyer = await _for_shopper_or_vendor(session, user, vendor_order_id)
        bundle = next((line.bundle_label for line in vendor_order.lines
                       if line.bundle_label and remaining_units(line) > 0), None)
        if bundle is not None:
            raise Conflict(
                Code.PART_OF_BUNDLE,
                f"이 주문에는 '{bundle}'의 일부가 들어 있어 따로 취소할 수 없습니다. "
                "다과꾸러미는 주문 페이지에서 상자째 취소해 주세요.",
                field="vendor_order_id", extra={"bundle_label": bundle},
            )
        if vendor_order.status not in NOT_SHIPPED:
            raise Conflict(
                Code.ALREADY_SHIPPED,
                f"'{vendor_order.status.label}' 상태라 취소할 수 없습니다. 환불을 요청해 주세요.",
                field="status",
            )
        lines = [RefundLineIn(line.id, remaining_units(line)) for line in vendor_order.lines
                 if remaining_units(line) > 0]
        order = await _order_of(session, vendor_order)
        plan = plan_refund(vendor_order, lines, include_delivery_fee=True)
    paid_back = await payments.refund(
        session, gateway, order.payment_id, amount=plan.amount, reason=reason,
        key=f"vendor-order-{vendor_order_id}-cancel", actor=user,
    )
    await _record_refund(session, user, vendor_order_id, plan, paid_back, True, reason)
    return await _locked_read(session, vendor_order_id)


async def _locked_read(session: AsyncSession, vendor_order_id: int) -> VendorOrder:
    found = await session.get(VendorOrder, vendor_order_id, populate_existing=True)
    assert found is not None
    return found


# -- reading ------------------------------------------------------------------------------


async def orders_of_user(
    session: AsyncSession, user: User, *, limit: int = 20, offset: int = 0
) -> tuple[list[Order], int]:
    total = await session.scalar(select(func.count(Order.id)).where(Order.user_id == user.id))
    rows = await session.scalars(
        select(Order).where(Order.user_id == user.id).order_by(Order.id.desc())
        .limit(limit).offset(offset)
    )
    return list(rows.all()), int(total or 0)


async def order_for_user(session: AsyncSession, user: User | None, number: str) -> Order:
    order = await session.scalar(select(Order).where(Order.number == number))
    if order is None:
        raise NotFound(Code.ORDER_NOT_FOUND, "주문을 찾을 수 없습니다.", field="number")
    if user is None or not (user.is_admin or order.user_id == user.id):
        raise Forbidden(Code.NOT_YOUR_ORDER, "주문한 분만 볼 수 있습니다.", field="number")
    return order


async def vendor_orders_of(
    session: AsyncSession,
    user: User | None,
    vendor_id: int,
    *,
    status: VendorOrderStatus | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[tuple[VendorOrder, Order]], int]:
    await vendor_for_member(session, user, vendor_id)
    where = [VendorOrder.vendor_id == vendor_id]
    if status is not None:
        where.append(VendorOrder.status == status)
    total = await session.scalar(select(func.count(VendorOrder.id)).where(*where))
    rows = await session.execute(
        select(VendorOrder, Order).join(Order, Order.id == VendorOrder.order_id)
        .where(*where).order_by(VendorOrder.id.desc()).limit(limit).offset(offset)
    )
    return [(vo, o) for vo, o in rows.all()], int(total or 0)


async def vendor_order_for_member(
    session: AsyncSession, user: User | None, vendor_order_id: int
) -> tuple[VendorOrder, Order]:
    vendor_order = await session.get(VendorOrder, vendor_order_id, populate_existing=True)
    if vendor_order is None:
        raise NotFound(Code.VENDOR_ORDER_NOT_FOUND, "주문을 찾을 수 없습니다.",
                       field="vendor_order_id")
    await vendor_for_member(session, user, vendor_order.vendor_id)
    return vendor_order, await _order_of(session, vendor_order)


async def history(session: AsyncSession, vendor_order_id: int) -> list[VendorOrderStatusChange]:
    rows = await session.scalars(
        select(VendorOrderStatusChange)
        .where(VendorOrderStatusChange.vendor_order_id == vendor_order_id)
        .order_by(VendorOrderStatusChange.id)
    )
    return list(rows.all())


async def refunds_of(session: AsyncSession, vendor_order_id: int) -> list[OrderRefund]:
    rows = await session.scalars(
        select(OrderRefund).where(OrderRefund.vendor_order_id == vendor_order_id)
        .order_by(OrderRefund.id)
    )
    return list(rows.all())

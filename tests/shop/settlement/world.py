"""Orders, refunds and cancellations written straight into the tables, with the outbox events
the order services record, so settlement can be tested without Stripe or the checkout; and
a relay stand-in that hands the recorded events to the ledger consumer.

The rows are what ``shop.checkout.services`` and ``shop.orders.services`` write (an order per
paid checkout, one vendor order per vendor, line snapshots with their category, refunds with
their lines); the events carry the same payloads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import secrets
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from infra.outbox import record
from shop.catalog.models import ProductVariant
from shop.checkout.models import Checkout, CheckoutStatus, ReservationStatus, StockReservation
from shop.orders.events import OrderPlaced, VendorOrderCancelled, VendorOrderRefunded
from shop.orders.models import (
    Order,
    OrderLine,
    OrderRefund,
    OrderRefundLine,
    VendorOrder,
    VendorOrderStatus,
)
from shop.payments.models import Payment, PaymentRefund, PaymentStatus
from shop.settlement import ledger
from shop.vendors.models import Vendor
from tests.fixtures.outbox import OutboxTail

_numbers = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Line:
    vendor: Vendor
    variant: ProductVariant
    category: str
    unit_price: int
    quantity: int


def _seoul_number(order_id: int, at: dt.datetime) -> str:
    return f"JT-{at.astimezone(dt.timezone(dt.timedelta(hours=9))):%y%m%d}-{order_id:06d}"


async def place_order(
    session: AsyncSession,
    lines: Sequence[Line],
    *,
    placed_at: dt.datetime,
    delivery_fees: dict[int, int] | None = None,
) -> Order:
    """A paid order split per vendor, and its ``order.placed`` event (at ``placed_at``)."""
    fees = delivery_fees or {}
    n = next(_numbers)
    items = sum(line.unit_price * line.quantity for line in lines)
    vendors: dict[int, list[Line]] = {}
    for line in lines:
        vendors.setdefault(line.vendor.id, []).append(line)
    delivery = sum(fees.get(v, 0) for v in vendors)
    reservation = StockReservation(status=ReservationStatus.CONFIRMED,
                                   expires_at=placed_at + dt.timedelta(minutes=15),
                                   confirmed_at=placed_at)
    session.add(reservation)
    await session.flush()
    payment = Payment(token=secrets.token_urlsafe(16), kind="checkout", reference=f"t{n}",
                      amount=items + delivery, status=PaymentStatus.SUCCEEDED,
                      succeeded_at=placed_at)
    session.add(payment)
    await session.flush()
    checkout = Checkout(
        token=secrets.token_urlsafe(16), status=CheckoutStatus.PAID,
        reservation_id=reservation.id, email="buyer@example.kr",
        recipient="김장터", phone="010-1234-5678", postal_code="04524",
        road_address="서울특별시 중구 세종대로 110", lines=[],
        delivery_fees={str(v): fees.get(v, 0) for v in vendors}, items_total=items,
        delivery_total=delivery, total=items + delivery,
    )
    session.add(checkout)
    await session.flush()
    order = Order(
        number=f"pending-{n}", checkout_id=checkout.id, payment_id=payment.id,
        email="buyer@example.kr", recipient="김장터", phone="010-1234-5678",
        postal_code="04524", road_address="서울특별시 중구 세종대로 110", items_total=items,
        delivery_total=delivery, total=items + delivery, placed_at=placed_at,
    )
    session.add(order)
    await session.flush()
    order.number = _seoul_number(order.id, placed_at)
    vendor_orders = []
    for vendor_id, group in vendors.items():
        vendor_items = sum(line.unit_price * line.quantity for line in group)
        fee = fees.get(vendor_id, 0)
        vendor_order = VendorOrder(
            order_id=order.id, vendor_id=vendor_id, vendor_name=group[0].vendor.name,
            items_total=vendor_items, delivery_fee=fee, total=vendor_items + fee,
            lines=[
                OrderLine(
                    variant_id=line.variant.id, product_id=line.variant.product_id,
                    product_name=f"상품 {line.variant.id}", option_label="기본",
                    sku=line.variant.sku, category=line.category, unit_price=line.unit_price,
                    quantity=line.quantity, line_total=line.unit_price * line.quantity,
                )
                for line in group
            ],
        )
        session.add(vendor_order)
        vendor_orders.append(vendor_order)
    await session.flush()
    event = record(session, OrderPlaced(
        id=order.id, number=order.number, checkout_id=checkout.id, payment_id=payment.id,
        user_id=None, email=order.email, total=order.total,
        vendor_order_ids=tuple(v.id for v in vendor_orders),
    ))
    event.occurred_at = placed_at
    await session.flush()
    await session.refresh(order, ["vendor_orders"])
    return order


async def refund(
    session: AsyncSession,
    vendor_order: VendorOrder,
    *,
    at: dt.datetime,
    lines: Sequence[tuple[OrderLine, int]] = (),
    delivery: int = 0,
    amount: int | None = None,
    reason: str = "고객 요청",
) -> OrderRefund | None:
    """Refund units of lines (and ``delivery`` won of the fee), as the order service does; or,
    with ``amount``, a sum without lines (a goodwill refund). Clamped to what is left;
    returns None when nothing is left to refund."""
    refund_lines = []
    for line, quantity in lines:
        left = line.quantity - line.refunded_quantity
        quantity = min(quantity, left)
        if quantity > 0:
            refund_lines.append((line, quantity, quantity * line.unit_price))
    items_refunded = sum(
        ln.unit_price * ln.refunded_quantity for ln in vendor_order.lines
    )
    fee_left = vendor_order.delivery_fee - max(
        0, vendor_order.refunded_amount - items_refunded
    )
    delivery = max(0, min(delivery, fee_left))
    total = sum(a for _l, _q, a in refund_lines) + delivery
    left = vendor_order.total - vendor_order.refunded_amount
    if amount is not None or total > left:
        # A sum without lines; also what is left after earlier goodwill refunds ate into it.
        refund_lines, delivery = [], 0
        total = min(total if amount is None else amount, left)
    if total <= 0:
        return None
    payment_refund = PaymentRefund(
        payment_id=(await session.get(Order, vendor_order.order_id)).payment_id,  # type: ignore[union-attr]
        key=secrets.token_hex(8), amount=total, stripe_refund_id=f"re_{secrets.token_hex(8)}",
    )
    session.add(payment_refund)
    await session.flush()
    row = OrderRefund(
        vendor_order_id=vendor_order.id, payment_refund_id=payment_refund.id, amount=total,
        delivery_fee_refunded=delivery, reason=reason,
        lines=[OrderRefundLine(order_line_id=ln.id, quantity=q, amount=a)
               for ln, q, a in refund_lines],
    )
    session.add(row)
    for ln, q, _a in refund_lines:
        ln.refunded_quantity += q
    vendor_order.refunded_amount += total
    await session.flush()
    event = record(session, VendorOrderRefunded(
        id=vendor_order.id, order_id=vendor_order.order_id, vendor_id=vendor_order.vendor_id,
        reason=reason, refund_id=row.id, amount=total, delivery_fee_refunded=delivery,
        lines=tuple({"order_line_id": ln.id, "quantity": q, "amount": a}
                    for ln, q, a in refund_lines),
    ))
    event.occurred_at = at
    await session.flush()
    return row


async def cancel(session: AsyncSession, vendor_order: VendorOrder, *, at: dt.datetime) -> None:
    """Cancel before shipment: everything left refunded (one refund), then the cancellation."""
    await refund(session, vendor_order, at=at, reason="판매자 취소",
                 lines=[(ln, ln.quantity) for ln in vendor_order.lines],
                 delivery=vendor_order.delivery_fee)
    vendor_order.status = VendorOrderStatus.CANCELLED
    vendor_order.cancelled_at = at
    event = record(session, VendorOrderCancelled(
        id=vendor_order.id, order_id=vendor_order.order_id, vendor_id=vendor_order.vendor_id,
        reason="판매자 취소",
    ))
    event.occurred_at = at
    await session.flush()


class Relay(OutboxTail):
    """Hands every outbox event recorded so far, in order, to the ledger consumer (each in its
    own session, as the worker does); ``again`` delivers each one a second time as well."""

    async def deliver(self, *, again: bool = False, reverse: bool = False) -> int:
        envelopes = await self.pending()
        if reverse:
            envelopes.reverse()
        written = 0
        for envelope in envelopes * (2 if again else 1):
            async with self.factory() as session:
                written += await ledger.consume(session, envelope)
        return written

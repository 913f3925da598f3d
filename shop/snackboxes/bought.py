"""A bought snack box as its buyer sees it: one item (box, size, boxes, delivery date, who
assembles it, the set price paid) with one cancel, however many vendor orders its components
were split into (decision 37).

Checkout writes a box's components as order lines of each component vendor's order, all with
the box's ``bundle_label`` (decision 28): that split is what vendors ship and settlement pays,
and it stays in the vendor consoles. Here the lines of one label in one order are the box
again; the ``snack_box_bookings`` row(s) of the order's checkout with that label give its
size and slot, and the first of them is its id in URLs.

:func:`cancel_box` is all-or-nothing: under every part's row lock it refuses the whole box
(409) when any part has shipped, plans the refunds, asks Stripe once per part with keys
derived from the box (so a retry pays nothing twice), then records every part's refund and
frees the slot place in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import end_read, transaction
from infra.errors import Conflict, NotFound
from infra.outbox import record
from infra.payments import StripeGateway
from shop.orders import services as orders
from shop.orders.models import NOT_SHIPPED, Order, OrderLine, VendorOrder, VendorOrderStatus
from shop.payments import services as payments
from shop.payments.models import PaymentRefund
from shop.snackboxes import rules
from shop.snackboxes.errors import SnackBoxErrorCode as Code
from shop.snackboxes.events import SnackBoxCancelled
from shop.snackboxes.models import SnackBox, SnackBoxBooking, SnackBoxSize, SnackBoxSlot
from shop.snackboxes.services import ORGANIZER_ASSEMBLES
from shop.vendors.models import Vendor

#: How far a box has come: the least advanced of its live parts (on its way once one is).
_PROGRESS = (VendorOrderStatus.PAID, VendorOrderStatus.ACCEPTED, VendorOrderStatus.SHIPPED,
             VendorOrderStatus.DELIVERED, VendorOrderStatus.COMPLETED)


@dataclasses.dataclass(frozen=True)
class BoughtBox:
    #: The first booking's id (the box's id in URLs), and the snack box it is of.
    id: int
    snack_box_id: int
    label: str
    name: str
    headcount: int
    boxes: int
    delivery_date: dt.date | None
    window_label: str
    assembler: str
    #: The set price paid for these boxes (set price × boxes), and what came back.
    price: int
    refunded: int
    status: VendorOrderStatus
    vendor_order_ids: tuple[int, ...]
    cancelled: bool

    @property
    def title(self) -> str:
        return f"{self.name} {self.headcount}인" if self.headcount else self.name

    @property
    def slot_label(self) -> str:
        if self.delivery_date is None:
            return ""
        return rules.slot_label(self.delivery_date, self.window_label)

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def cancellable(self) -> bool:
        return not self.cancelled and self.status in NOT_SHIPPED

    @property
    def completable(self) -> bool:
        return not self.cancelled and self.status is VendorOrderStatus.DELIVERED


@dataclasses.dataclass(frozen=True)
class Parcel:
    """A vendor order as the buyer sees it: only its loose items (a box's parts are in the
    box), their total with the delivery fee, and what was refunded of them."""

    vendor_order: VendorOrder
    lines: tuple[OrderLine, ...]
    #: A box part is still in it: the per-vendor cancel is refused (cancel the box).
    holds_box_part: bool

    @property
    def items_total(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def total(self) -> int:
        return self.items_total + self.vendor_order.delivery_fee

    @property
    def refunded(self) -> int:
        box_refunds = sum(line.unit_price * line.refunded_quantity
                          for line in self.vendor_order.lines if line.bundle_label)
        return self.vendor_order.refunded_amount - box_refunds


@dataclasses.dataclass(frozen=True)
class BuyerOrder:
    order: Order
    boxes: tuple[BoughtBox, ...]
    parcels: tuple[Parcel, ...]

    @property
    def item_count(self) -> int:
        return len(self.boxes) + sum(len(p.lines) for p in self.parcels)

    @property
    def first_item(self) -> str:
        if self.boxes:
            return f"{self.boxes[0].title} ×{self.boxes[0].boxes}"
        return self.parcels[0].lines[0].product_name if self.parcels else ""


def _status(parts: Sequence[tuple[VendorOrder, list[OrderLine]]]) -> VendorOrderStatus:
    live = [vo.status for vo, lines in parts
            if any(orders.remaining_units(line) > 0 for line in lines)]
    if not live:
        shipped = any(vo.shipped_at is not None for vo, _ in parts)
        return VendorOrderStatus.REFUNDED if shipped else VendorOrderStatus.CANCELLED
    known = [s for s in live if s in _PROGRESS]
    least = min(known, key=_PROGRESS.index) if known else live[0]
    if least in NOT_SHIPPED and any(s not in NOT_SHIPPED for s in live):
        return VendorOrderStatus.SHIPPED  # a part is on its way: the box is, for the buyer
    return least


async def _bookings(
    session: AsyncSession, checkout_id: int
) -> list[tuple[SnackBoxBooking, SnackBoxSize, SnackBox, SnackBoxSlot, str]]:
    rows = await session.execute(
        select(SnackBoxBooking, SnackBoxSize, SnackBox, SnackBoxSlot, Vendor.name)
        .join(SnackBoxSize, SnackBoxSize.id == SnackBoxBooking.size_id)
        .join(SnackBox, SnackBox.id == SnackBoxSize.box_id)
        .join(SnackBoxSlot, SnackBoxSlot.id == SnackBoxBooking.slot_id)
        .outerjoin(Vendor, Vendor.id == SnackBox.assembler_vendor_id)
        .where(SnackBoxBooking.checkout_id == checkout_id)
        .order_by(SnackBoxBooking.id)
        .execution_options(populate_existing=True)
    )
    return [(b, size, box, slot, name or ORGANIZER_ASSEMBLES)
            for b, size, box, slot, name in rows.all()]


async def boxes_of(session: AsyncSession, order: Order) -> list[BoughtBox]:
    """The snack boxes in an order, one item per booking label."""
    by_label: dict[str, list[tuple[VendorOrder, list[OrderLine]]]] = {}
    for vo in order.vendor_orders:
        labels = {line.bundle_label for line in vo.lines if line.bundle_label}
        for label in sorted(labels):
            by_label.setdefault(label, []).append(
                (vo, [line for line in vo.lines if line.bundle_label == label]))
    if not by_label:
        return []
    bookings = await _bookings(session, order.checkout_id)
    out = []
    for label, parts in by_label.items():
        mine = [row for row in bookings if row[0].label == label]
        lines = [line for _, lines in parts for line in lines]
        first = mine[0] if mine else None
        out.append(BoughtBox(
            id=first[0].id if first else 0, snack_box_id=first[2].id if first else 0,
            label=label,
            name=first[2].name if first else label,
            headcount=first[1].headcount if first else 0,
            boxes=sum(row[0].boxes for row in mine),
            delivery_date=first[3].delivery_date if first else None,
            window_label=first[3].window_label if first else "",
            assembler=first[4] if first else ORGANIZER_ASSEMBLES,
            price=sum(line.line_total for line in lines),
            refunded=sum(line.unit_price * line.refunded_quantity for line in lines),
            status=_status(parts), vendor_order_ids=tuple(vo.id for vo, _ in parts),
            cancelled=bool(mine) and all(row[0].cancelled_at is not None for row in mine),
        ))
    return out


def parcels_of(order: Order) -> list[Parcel]:
    """The order's vendor orders with loose items, as the buyer sees them."""
    out = []
    for vo in order.vendor_orders:
        loose = tuple(line for line in vo.lines if not line.bundle_label)
        if loose:
            holds = any(line.bundle_label and orders.remaining_units(line) > 0
                        for line in vo.lines)
            out.append(Parcel(vo, loose, holds))
    return out


async def buyer_view(session: AsyncSession, order: Order) -> BuyerOrder:
    return BuyerOrder(order, tuple(await boxes_of(session, order)), tuple(parcels_of(order)))


async def _bought(
    session: AsyncSession, user: User | None, number: str, box_id: int
) -> tuple[Order, BoughtBox]:
    order = await orders.order_for_user(session, user, number)
    box = next((b for b in await boxes_of(session, order) if b.id == box_id and b.id), None)
    if box is None:
        raise NotFound(Code.BOUGHT_BOX_NOT_FOUND, "이 주문의 다과꾸러미가 아닙니다.",
                       field="box_id")
    return order, box


async def cancel_box(
    session: AsyncSession,
    gateway: StripeGateway,
    user: User | None,
    number: str,
    box_id: int,
    *,
    reason: str,
) -> BoughtBox:
    """Cancel bought boxes whole (the buyer, or an admin): every part of every component
    vendor is refunded and put back on sale, and the slot place is freed; or nothing is, with
    a 409 when a part has shipped or the box is already cancelled."""
    reason = orders.clean_reason(reason, required=True)
    # Split in three, like an order's refund: the parts are checked and planned under their
    # locks, which are released before each refund locks the payment row and calls Stripe
    # (keyed per part, so a retry pays nothing twice); ``_record`` then writes them all.
    async with transaction(session):
        order, box = await _bought(session, user, number, box_id)
        plans: dict[int, orders.RefundPlan] = {}
        shipped = []
        for vo_id in sorted(box.vendor_order_ids):
            vo = await orders.lock_vendor_order(session, vo_id)
            lines = [orders.RefundLineIn(line.id, orders.remaining_units(line))
                     for line in vo.lines
                     if line.bundle_label == box.label and orders.remaining_units(line) > 0]
            if not lines:
                continue
            if vo.status not in NOT_SHIPPED:
                shipped.append(vo.id)
                continue
            plans[vo.id] = orders.plan_refund(vo, lines, include_delivery_fee=False)
        if shipped:
            raise Conflict(
                Code.BOX_PART_SHIPPED,
                f"{box.title} 구성품 일부가 이미 발송되어 상자를 취소할 수 없습니다. "
                "받으신 뒤 환불을 요청해 주세요.",
                field="status", extra={"box_id": box.id},
            )
        if not plans:
            raise Conflict(Code.BOX_ALREADY_CANCELLED, f"{box.title}은(는) 이미 취소되었습니다.",
                           field="status", extra={"box_id": box.id})
    paid_back: dict[int, PaymentRefund] = {}
    for vo_id, plan in plans.items():
        paid_back[vo_id] = await payments.refund(
            session, gateway, order.payment_id, amount=plan.amount, reason=reason,
            key=f"snack-box-{box.id}-vendor-order-{vo_id}-cancel", actor=user,
        )
    await _record(session, user, order, box, plans, paid_back, reason)
    _, after = await _bought(session, user, number, box_id)
    await end_read(session)
    return after


async def _record(
    session: AsyncSession,
    user: User | None,
    order: Order,
    box: BoughtBox,
    plans: dict[int, orders.RefundPlan],
    paid_back: dict[int, PaymentRefund],
    reason: str,
) -> None:
    """Every part's refund and the freed slot place, in one transaction."""
    async with transaction(session):
        for vo_id in sorted(plans):
            vendor_order = await orders.lock_vendor_order(session, vo_id)
            await orders.write_refund(session, user, vendor_order, plans[vo_id],
                                      paid_back[vo_id], True, reason)
        bookings = (await session.scalars(
            select(SnackBoxBooking).where(SnackBoxBooking.checkout_id == order.checkout_id,
                                          SnackBoxBooking.label == box.label)
        )).all()
        now = utcnow()
        for booking in bookings:
            booking.cancelled_at = booking.cancelled_at or now
        record(session, SnackBoxCancelled(
            id=box.snack_box_id, actor_user_id=user.id if user else None,
            booking_ids=tuple(b.id for b in bookings), order_id=order.id, boxes=box.boxes,
            amount=sum(p.amount for p in plans.values()), vendor_order_ids=tuple(sorted(plans)),
            reason=reason,
        ))


async def complete_box(
    session: AsyncSession, user: User | None, number: str, box_id: int
) -> BoughtBox:
    """구매 확정 of a delivered box: every delivered part at once."""
    _, box = await _bought(session, user, number, box_id)
    for vo_id in sorted(box.vendor_order_ids):
        vo = await session.get(VendorOrder, vo_id, populate_existing=True)
        if vo is not None and vo.status is VendorOrderStatus.DELIVERED:
            await orders.complete(session, user, vo_id)
    _, after = await _bought(session, user, number, box_id)
    await end_read(session)
    return after

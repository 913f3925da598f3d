"""Ordering snack boxes through the ordinary checkout.

:func:`plan` turns ``snack_boxes: [{size_id, quantity, slot_id}]`` into checkout bundles: the
components × N become bundle parts (reserved with any loose items, summed per variant, so a
box and a loose item sharing a cookie can never oversell) at their share of the set price,
and the boxes to hold on each delivery slot. ``checkouts.place`` runs :class:`SlotHold` in the
checkout's own transaction: it locks the slot rows (in id order), counts the boxes held on
them and writes the bookings, or refuses with 409 ``slot_full``. A booking counts while its
checkout's stock reservation is live or confirmed (decision 28): an abandoned or expired
checkout frees its boxes with its stock. A payment that arrives after the reservation expired
re-checks the slot under the same lock (:func:`check_paid`), so a slot that filled up in the
meantime refunds the late payment instead of taking one box too many.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from infra.db import dialect_name
from infra.errors import Conflict, InvalidInput
from infra.outbox import record
from shop.catalog.models import ProductVariant
from shop.checkout import services as checkouts
from shop.checkout.models import Checkout, ReservationStatus, StockReservation
from shop.snackboxes import delivery_days, rules
from shop.snackboxes.errors import SnackBoxErrorCode as Code
from shop.snackboxes.events import SnackBoxBooked
from shop.snackboxes.models import (
    SnackBox,
    SnackBoxBooking,
    SnackBoxComponent,
    SnackBoxSize,
    SnackBoxSlot,
)


@dataclasses.dataclass(frozen=True)
class BoxOrder:
    """``quantity`` boxes of a size for a slot, as asked; ``field`` names the input line."""

    size_id: int
    quantity: int
    slot_id: int
    field: str = "snack_boxes[0]"


@dataclasses.dataclass(frozen=True)
class PlannedBooking:
    box_id: int
    size_id: int
    slot_id: int
    boxes: int
    label: str
    field: str
    total: int


@dataclasses.dataclass(frozen=True)
class BoxedCheckout:
    """What ``checkouts.place`` needs for snack boxes: the bundles and the slot hold."""

    bundles: tuple[checkouts.Bundle, ...] = ()
    bookings: tuple[PlannedBooking, ...] = ()

    @property
    def hold(self) -> SlotHold | None:
        return SlotHold(self.bookings) if self.bookings else None

    @property
    def total(self) -> int:
        return sum(b.total for b in self.bookings)


NOTHING = BoxedCheckout()


# -- counting and locking slots -----------------------------------------------------------


def _holding(now: dt.datetime) -> ColumnElement[bool]:
    """Bookings that count: their reservation is confirmed, or active before its deadline
    (and the buyer did not cancel the boxes, see ``held_boxes``)."""
    return or_(
        StockReservation.status == ReservationStatus.CONFIRMED,
        and_(
            StockReservation.status == ReservationStatus.ACTIVE,
            StockReservation.expires_at > now,
        ),
    )


async def held_boxes(
    session: AsyncSession, slot_ids: Iterable[int], now: dt.datetime
) -> dict[int, int]:
    """Boxes held per slot (0 for slots nobody booked)."""
    ids = sorted(set(slot_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(SnackBoxBooking.slot_id, func.coalesce(func.sum(SnackBoxBooking.boxes), 0))
        .join(StockReservation, StockReservation.id == SnackBoxBooking.reservation_id)
        .where(SnackBoxBooking.slot_id.in_(ids), SnackBoxBooking.cancelled_at.is_(None),
               _holding(now))
        .group_by(SnackBoxBooking.slot_id)
    )
    held = {int(slot_id): int(boxes) for slot_id, boxes in rows.all()}
    return {slot_id: held.get(slot_id, 0) for slot_id in ids}


async def lock_slots(session: AsyncSession, slot_ids: Iterable[int]) -> dict[int, SnackBoxSlot]:
    """Serialise on these slots for the rest of the transaction (ascending id order) and return
    them read fresh. On SQLite a no-op ``UPDATE`` takes the database's write lock first (see
    ``shop/checkout/availability.py``); count what they hold with a *later* statement."""
    ids = sorted(set(slot_ids))
    if not ids:
        return {}
    stmt = select(SnackBoxSlot).where(SnackBoxSlot.id.in_(ids)).order_by(SnackBoxSlot.id)
    if dialect_name(session) == "sqlite":
        await session.execute(
            text("UPDATE snack_box_slots SET capacity = capacity WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
    else:
        stmt = stmt.with_for_update(of=SnackBoxSlot)
    slots = (await session.scalars(stmt.execution_options(populate_existing=True))).all()
    return {slot.id: slot for slot in slots}


def _full(slot: SnackBoxSlot, held: int, requested: int, field: str) -> Conflict:
    left = max(0, slot.capacity - held)
    label = rules.slot_label(slot.delivery_date, slot.window_label)
    message = (
        f"{label} 배송은 마감되었습니다. 다른 날짜를 골라 주세요." if left == 0
        else f"{label} 배송은 {left}상자 남았습니다. "
        f"{left}상자 이하로 주문하거나 다른 날짜를 골라 주세요."
    )
    return Conflict(
        Code.SLOT_FULL, message, field=f"{field}.slot_id",
        extra={"slot_id": slot.id, "capacity": slot.capacity, "available": left,
               "requested": requested},
    )


# -- planning -----------------------------------------------------------------------------


async def _sizes(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[SnackBoxSize, SnackBox]]:
    rows = (
        await session.execute(
            select(SnackBoxSize, SnackBox)
            .join(SnackBox, SnackBox.id == SnackBoxSize.box_id)
            .where(SnackBoxSize.id.in_(ids))
        )
    ).all()
    return {size.id: (size, box) for size, box in rows}


async def _list_prices(session: AsyncSession, size_ids: Sequence[int]) -> dict[int, int]:
    """List price per variant of every component of these sizes."""
    rows = await session.execute(
        select(ProductVariant.id, ProductVariant.price)
        .join(SnackBoxComponent, SnackBoxComponent.variant_id == ProductVariant.id)
        .where(SnackBoxComponent.size_id.in_(size_ids))
    )
    return {int(vid): int(price) for vid, price in rows.all()}


def _clean_id(value: object, field: str, code: Code, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(code, message, field=field)
    return value


async def plan(
    session: AsyncSession,
    orders: Sequence[BoxOrder],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> BoxedCheckout:
    """Check the box orders and price them; nothing is written.

    Raises 400 for unknown sizes or slots, a wrong number of boxes or a slot before the lead
    time, 409 ``slot_closed``. Each error names its line (``snack_boxes[0].slot_id``). The
    capacity is counted only under the slot's lock, by :class:`SlotHold` (a retry with the
    same checkout key must not count its own boxes twice).
    """
    if not orders:
        return NOTHING
    if len(orders) > rules.MAX_BOX_LINES:
        raise InvalidInput(
            Code.TOO_MANY_BOXES,
            f"다과꾸러미는 한 번에 {rules.MAX_BOX_LINES}줄까지 주문할 수 있습니다.",
            field="snack_boxes",
        )
    moment = now or utcnow()
    today = today or rules.local_today(moment)
    for order in orders:
        _clean_id(order.size_id, f"{order.field}.size_id", Code.UNKNOWN_SIZE,
                  "크기를 골라 주세요.")
        _clean_id(order.slot_id, f"{order.field}.slot_id", Code.UNKNOWN_SLOT,
                  "배송일을 골라 주세요.")
    sizes = await _sizes(session, sorted({o.size_id for o in orders}))
    slots = {
        slot.id: slot
        for slot in (
            await session.scalars(
                select(SnackBoxSlot).where(SnackBoxSlot.id.in_({o.slot_id for o in orders}))
            )
        ).all()
    }
    prices = await _list_prices(session, list(sizes))
    bundles: list[checkouts.Bundle] = []
    bookings: list[PlannedBooking] = []
    for order in orders:
        found = sizes.get(order.size_id)
        if found is None or not found[0].is_active or not found[1].is_active:
            raise InvalidInput(
                Code.UNKNOWN_SIZE, "주문할 수 없는 다과꾸러미 크기입니다.",
                field=f"{order.field}.size_id", extra={"size_id": order.size_id},
            )
        size, box = found
        components = list(size.components)
        boxes = rules.clean_boxes(
            order.quantity, f"{order.field}.quantity",
            rules.max_boxes([c.quantity for c in components]),
        )
        slot = slots.get(order.slot_id)
        if slot is None or slot.box_id != box.id:
            raise InvalidInput(
                Code.UNKNOWN_SLOT if slot is None else Code.SLOT_OF_ANOTHER_BOX,
                "이 다과꾸러미의 배송일이 아닙니다." if slot else "없는 배송일입니다.",
                field=f"{order.field}.slot_id", extra={"slot_id": order.slot_id},
            )
        problem = rules.slot_problem(
            day=slot.delivery_date, active=slot.is_active, today=today, lead_days=box.lead_days,
            closed=delivery_days.parse_closed_days(box.closed_days),
        )
        if problem is not None:
            code, message = problem
            error = Conflict if code is Code.SLOT_CLOSED else InvalidInput
            raise error(code, message, field=f"{order.field}.slot_id",
                        extra={"slot_id": slot.id})
        parts = rules.split_price(size.price, boxes, [
            rules.ComponentPrice(c.variant_id, c.quantity, prices.get(c.variant_id, 0))
            for c in components
        ])
        label = rules.booking_label(
            box.name, size.headcount, boxes, slot.delivery_date, slot.window_label
        )
        bundles.append(checkouts.Bundle(
            label=label, field=order.field,
            parts=tuple(
                checkouts.BundlePart(p.variant_id, p.quantity, p.unit_price) for p in parts
            ),
        ))
        bookings.append(PlannedBooking(
            box_id=box.id, size_id=size.id, slot_id=slot.id, boxes=boxes, label=label,
            field=order.field, total=sum(p.total for p in parts),
        ))
    return BoxedCheckout(tuple(bundles), tuple(bookings))


def _check_capacity(
    bookings: Sequence[PlannedBooking], slots: dict[int, SnackBoxSlot], held: dict[int, int]
) -> None:
    wanted: dict[int, int] = {}
    for booking in bookings:
        wanted[booking.slot_id] = wanted.get(booking.slot_id, 0) + booking.boxes
        slot = slots[booking.slot_id]
        if not slot.is_active:
            raise Conflict(Code.SLOT_CLOSED, "이 배송일은 주문을 받지 않습니다.",
                           field=f"{booking.field}.slot_id", extra={"slot_id": slot.id})
        if held.get(slot.id, 0) + wanted[slot.id] > slot.capacity:
            raise _full(slot, held.get(slot.id, 0), wanted[slot.id], booking.field)


# -- holding the slot with the checkout ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SlotHold:
    """``checkouts.Hold``: book the boxes on their slots in the checkout's transaction."""

    bookings: tuple[PlannedBooking, ...]

    async def __call__(self, session: AsyncSession, checkout: Checkout) -> None:
        await session.flush()  # the checkout's id
        slots = await lock_slots(session, (b.slot_id for b in self.bookings))
        held = await held_boxes(session, slots, utcnow())
        missing = next((b for b in self.bookings if b.slot_id not in slots), None)
        if missing is not None:
            raise InvalidInput(Code.UNKNOWN_SLOT, "없는 배송일입니다.",
                               field=f"{missing.field}.slot_id")
        _check_capacity(self.bookings, slots, held)
        for booking in self.bookings:
            session.add(SnackBoxBooking(
                slot_id=booking.slot_id, size_id=booking.size_id, checkout_id=checkout.id,
                reservation_id=checkout.reservation_id, boxes=booking.boxes,
                label=booking.label,
            ))
            record(session, SnackBoxBooked(
                id=booking.box_id, actor_user_id=checkout.user_id, slot_id=booking.slot_id,
                size_id=booking.size_id, boxes=booking.boxes, checkout_id=checkout.id,
            ))
        await session.flush()


async def check_paid(session: AsyncSession, checkout: Checkout) -> None:
    """``shop.checkout.paid.PAID_CHECKS`` (``infra.bootstrap`` puts it there): the paid checkout's
    slots still hold its boxes.

    Runs after the reservation was confirmed. When it was live until then its boxes were
    counted all along and this passes; a payment after the deadline finds out whether the
    slot was given away meanwhile, and is then refunded (409 ``slot_full``).
    """
    if not any(line.get("bundle_label") for line in checkout.lines):
        return  # no snack box in it (every box's lines carry its booking label)
    bookings = (
        await session.scalars(
            select(SnackBoxBooking).where(SnackBoxBooking.checkout_id == checkout.id)
        )
    ).all()
    if not bookings:
        return
    await session.flush()  # the reservation's new status counts in the sum below
    slots = await lock_slots(session, (b.slot_id for b in bookings))
    held = await held_boxes(session, slots, utcnow())
    for booking in bookings:
        slot = slots[booking.slot_id]
        if held[slot.id] > slot.capacity:
            raise _full(slot, held[slot.id] - booking.boxes, booking.boxes, "snack_boxes")


async def bookings_of(session: AsyncSession, checkout_id: int) -> list[SnackBoxBooking]:
    """The boxes a checkout booked, for its pages."""
    return list(
        (
            await session.scalars(
                select(SnackBoxBooking)
                .where(SnackBoxBooking.checkout_id == checkout_id)
                .order_by(SnackBoxBooking.id)
            )
        ).all()
    )

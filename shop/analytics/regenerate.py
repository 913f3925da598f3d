"""``jangteo analytics rebuild --facts``: the sales facts written again from the source tables.

The facts are the history and the outbox is purged after 14 days, so an event that never
reached the analytics worker (lost before the relay, a bug fixed since) would be missing for
good. This reads the orders paid and the refunds processed in the months asked for from
``shop.orders`` and hands them, as the events the order service records, to the worker's own
path (:func:`shop.analytics.facts.consume_all`), a few hundred per transaction: a fact that
is there already is left alone (its natural key), a missing one is written and added to the
summaries in its transaction, so it is safe while the workers run. Nothing is deleted.

Not regenerated here (decision 53): booth sales reports (their table is ``markets``', which
``shop`` must not import; an adapter in ``markets`` registered in ``infra.bootstrap`` would
add them) and institutional orders (their payments are public buying's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import SEOUL, as_utc
from infra.db import end_read
from infra.events import EventEnvelope
from shop.analytics import facts, rollups
from shop.orders.events import OrderPlaced, VendorOrderRefunded
from shop.orders.models import Order, OrderRefund, VendorOrder, VendorOrderStatus

#: Source rows per transaction.
BATCH = 300


def _instant(day: dt.date) -> dt.datetime:
    """Midnight in Seoul at the start of ``day``, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=SEOUL).astimezone(dt.UTC)


def _envelope(name: str, aggregate: str, key: str, payload: dict[str, Any],
              at: dt.datetime) -> EventEnvelope:
    return EventEnvelope(event_id=f"regenerated:{name}:{key}", name=name, aggregate=aggregate,
                         aggregate_id=str(payload["id"]), payload=payload,
                         occurred_at=as_utc(at).isoformat())


async def _orders(session: AsyncSession, after: int, start: dt.datetime, end: dt.datetime
                  ) -> tuple[list[EventEnvelope], int]:
    orders = (await session.scalars(
        select(Order).where(Order.id > after, Order.placed_at >= start, Order.placed_at < end)
        .order_by(Order.id).limit(BATCH))).all()
    return [_envelope(OrderPlaced.name, "order", str(order.id), {
        "id": order.id, "vendor_order_ids": [vo.id for vo in order.vendor_orders]},
        order.placed_at) for order in orders], (orders[-1].id if orders else 0)


async def _refunds(session: AsyncSession, after: int, start: dt.datetime, end: dt.datetime
                   ) -> tuple[list[EventEnvelope], int]:
    rows = (await session.execute(
        select(OrderRefund, VendorOrder)
        .join(VendorOrder, VendorOrder.id == OrderRefund.vendor_order_id)
        .where(OrderRefund.id > after, OrderRefund.created_at >= start,
               OrderRefund.created_at < end)
        .order_by(OrderRefund.id).limit(BATCH))).all()
    last = {vendor_order_id: refund_id for vendor_order_id, refund_id in (await session.execute(
        select(OrderRefund.vendor_order_id, func.max(OrderRefund.id))
        .where(OrderRefund.vendor_order_id.in_({vo.id for _r, vo in rows} or {0}))
        .group_by(OrderRefund.vendor_order_id))).all()}
    envelopes = []
    for refund, vendor_order in rows:
        # The refund that closed a vendor order cancelled before shipment is its last one.
        cancels = (vendor_order.status is VendorOrderStatus.CANCELLED
                   and last.get(vendor_order.id) == refund.id)
        envelopes.append(_envelope(VendorOrderRefunded.name, "vendor_order", str(refund.id), {
            "id": vendor_order.id, "order_id": vendor_order.order_id,
            "vendor_id": vendor_order.vendor_id, "refund_id": refund.id,
            "amount": refund.amount, "delivery_fee_refunded": refund.delivery_fee_refunded,
            "cancels": cancels, "lines": [
                {"order_line_id": ln.order_line_id, "quantity": ln.quantity, "amount": ln.amount}
                for ln in refund.lines],
        }, refund.created_at))
    return envelopes, (rows[-1][0].id if rows else 0)


Reader = Callable[[AsyncSession, int, dt.datetime, dt.datetime],
                  Awaitable[tuple[list[EventEnvelope], int]]]
READERS: Sequence[Reader] = (_orders, _refunds)


async def source_months(session: AsyncSession) -> tuple[dt.date, dt.date] | None:
    """The first and last month (Seoul) with an order or a refund."""
    found = []
    for column in (Order.placed_at, OrderRefund.created_at):
        low, high = (await session.execute(select(func.min(column), func.max(column)))).one()
        if low is not None:
            found += [facts.business_date(low).replace(day=1),
                      facts.business_date(high).replace(day=1)]
    return (min(found), max(found)) if found else None


async def regenerate_facts(session: AsyncSession, first: dt.date | None = None,
                           last: dt.date | None = None) -> int:
    """Write the missing facts of the orders paid and refunds processed in the whole months
    from ``first`` to ``last`` (Seoul days; a missing end: the first or last month with an
    order or refund); returns how many facts were new."""
    bounds = rollups.period_bounds(first, last, await source_months(session))
    await end_read(session)
    if bounds is None:
        return 0
    first, last = bounds
    start = _instant(rollups.month_start(first))
    end = _instant(rollups.month_end(last) + dt.timedelta(days=1))
    written = 0
    await end_read(session)
    for read in READERS:
        after = 0
        while True:
            envelopes, after = await read(session, after, start, end)
            await end_read(session)
            if not envelopes:
                break
            written += await facts.consume_all(session, envelopes)
    return written

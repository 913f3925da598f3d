"""``jangteo analytics rebuild --facts``: the sales facts written again from the source tables.

The facts are the history and the outbox is purged after 14 days, so an event that never
reached the analytics worker (lost before the relay, a bug fixed since) would be missing for
good. This reads the orders paid and the refunds processed in the months asked for from
``shop.orders`` and hands them, as the events the order service records, to the worker's own
path (:func:`shop.analytics.facts.consume_all`), a few hundred per transaction: a fact that
is there already is left alone (its natural key), a missing one is written and added to the
summaries in its transaction, so it is safe while the workers run. Nothing is deleted.

Other domains' sales come the same way, from readers they declare and ``infra.bootstrap``
registers (:func:`register_source`; ``shop`` imports nothing from ``markets``, and analytics
nothing from public buying): booth sales reports (``markets.days.fact_source``: the current
revision of each report, as ``booth_sales.reported``) and paid institutional orders
(``shop.procurement.fact_source``: ``procurement.order_paid``). A reader hands back the very
event its domain records, so the fact is the one the worker would have written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import SEOUL, as_utc
from infra.db import end_read
from infra.events import DomainEvent, EventEnvelope
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


def regenerated(event: DomainEvent, key: str, at: dt.datetime) -> EventEnvelope:
    """``event`` as the relay would hand it over, with an event id of its own (``key``: what
    makes it unique among the source's regenerated events), recorded at ``at``."""
    return _envelope(event.name, event.aggregate, key, event.to_payload(), at)


async def page(session: AsyncSession, row: Any, joined: Any, on: Any, when: Any, after: int,
               first: Any, end: Any) -> Sequence[Any]:
    """Up to :data:`BATCH` ``(row, joined)`` pairs with ``row.id`` above ``after`` and
    ``first <= when < end``, by id: a reader's page."""
    return (await session.execute(
        select(row, joined).join(joined, on)
        .where(row.id > after, when >= first, when < end)
        .order_by(row.id).limit(BATCH))).all()


async def _orders(session: AsyncSession, after: int, first: dt.date, end: dt.date
                  ) -> tuple[list[EventEnvelope], int]:
    start, end_at = _instant(first), _instant(end)
    orders = (await session.scalars(
        select(Order).where(Order.id > after, Order.placed_at >= start, Order.placed_at < end_at)
        .order_by(Order.id).limit(BATCH))).all()
    return [_envelope(OrderPlaced.name, "order", str(order.id), {
        "id": order.id, "vendor_order_ids": [vo.id for vo in order.vendor_orders]},
        order.placed_at) for order in orders], (orders[-1].id if orders else 0)


async def _refunds(session: AsyncSession, after: int, first: dt.date, end: dt.date
                   ) -> tuple[list[EventEnvelope], int]:
    start, end_at = _instant(first), _instant(end)
    rows = await page(session, OrderRefund, VendorOrder,
                      VendorOrder.id == OrderRefund.vendor_order_id, OrderRefund.created_at,
                      after, start, end_at)
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


#: ``(session, after id, first day, day after the last)`` → the envelopes of up to
#: :data:`BATCH` source rows with an id above ``after`` whose Seoul business day is in the
#: range, and the last id read (0: none left).
Reader = Callable[[AsyncSession, int, dt.date, dt.date],
                  Awaitable[tuple[list[EventEnvelope], int]]]
#: ``session`` → the first and last Seoul business day of the source's rows (None: no row).
Span = Callable[[AsyncSession], Awaitable[tuple[dt.date, dt.date] | None]]


@dataclasses.dataclass(frozen=True)
class FactSource:
    """Where ``rebuild --facts`` finds sales again: a table of some domain, read as events."""

    name: str
    read: Reader
    span: Span


async def _span(session: AsyncSession, column: Any) -> tuple[dt.date, dt.date] | None:
    low, high = (await session.execute(select(func.min(column), func.max(column)))).one()
    if low is None:
        return None
    return facts.business_date(low), facts.business_date(high)


async def _orders_span(session: AsyncSession) -> tuple[dt.date, dt.date] | None:
    return await _span(session, Order.placed_at)


async def _refunds_span(session: AsyncSession) -> tuple[dt.date, dt.date] | None:
    return await _span(session, OrderRefund.created_at)


#: The order service's own sales (same domain: read here).
ORDER_SOURCES: tuple[FactSource, ...] = (
    FactSource("orders", _orders, _orders_span),
    FactSource("refunds", _refunds, _refunds_span),
)
_registered: dict[str, FactSource] = {}


def register_source(source: FactSource) -> None:
    """Add another domain's sales (``infra.bootstrap`` does, once per process; again: no-op)."""
    _registered[source.name] = source


def sources() -> tuple[FactSource, ...]:
    return (*ORDER_SOURCES, *_registered.values())


async def source_months(session: AsyncSession) -> tuple[dt.date, dt.date] | None:
    """The first and last month (Seoul) with a sale in any source."""
    found = []
    for source in sources():
        span = await source.span(session)
        if span is not None:
            found += [span[0].replace(day=1), span[1].replace(day=1)]
    return (min(found), max(found)) if found else None


async def regenerate_facts(session: AsyncSession, first: dt.date | None = None,
                           last: dt.date | None = None) -> int:
    """Write the missing facts of the sales of every source (orders paid, refunds processed,
    and the registered sources) in the whole months from ``first`` to ``last`` (Seoul days; a
    missing end: the first or last month with a sale); returns how many facts were new."""
    bounds = rollups.period_bounds(first, last, await source_months(session))
    await end_read(session)
    if bounds is None:
        return 0
    first, last = bounds
    start = rollups.month_start(first)
    end = rollups.month_end(last) + dt.timedelta(days=1)
    written = 0
    for source in sources():
        after = 0
        while True:
            envelopes, after = await source.read(session, after, start, end)
            await end_read(session)
            if not envelopes:
                break
            written += await facts.consume_all(session, envelopes)
    return written

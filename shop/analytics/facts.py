"""Turning events into sales facts, exactly once, and the facts into summary rows.

:func:`consume` is the worker's entry point. Each event becomes zero or more facts, inserted
with ``ON CONFLICT DO NOTHING`` on their identity ``(source, source_id, revision)``; only a
fact that was really inserted is added to the summaries, in the same transaction. So a
redelivered event, or the same fact reached twice, changes nothing (the natural key does what
a ``processed_events`` claim would, and also across events).

What each event gives (counting rules: ``docs/decisions.md`` entry 36):

- ``order.placed``: one fact per order line at the payment time (the order's ``placed_at``,
  written when the payment succeeded); a snack-box component line counts in the
  ``snack_box`` channel for its own product and vendor. The event names the vendor orders;
  the lines are read from ``shop.orders`` as the settlement ledger does (same domain).
- ``vendor_order.refunded``: one negative fact per refunded line at the time the refund was
  processed (a cancellation before shipment is such a refund, marked ``cancels``, and counts
  as a ``cancellation``); a refund without lines counts against the vendor with no product.
  Delivery fees refunded are left out, as they are left out of sales.
- ``booth_sales.reported``: one fact per revision on its market day; the latest revision is
  the current one whatever order they arrive in.
- ``procurement.order_paid``: one ``institutional`` fact per line when the payment is recorded
  (see :func:`_institutional` for the payload it reads).

Vendor dimensions (enterprise type, district) are read from ``shop.vendors`` when the fact is
written and kept on it: a fact says what was true when it happened. Purchases keep who bought
(``buyer_key``) and, for mutual trade, the buyer's enterprise (decision 41). Market-day events
(check-ins, a day held) write attendance rows instead (``shop.analytics.market_days``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import SEOUL, as_utc
from infra.db import dialect_name, transaction
from infra.events import EventEnvelope
from shop.analytics import market_days, rollups
from shop.analytics.models import Channel, FactKind, SalesFact
from shop.orders.events import OrderPlaced, VendorOrderRefunded
from shop.orders.models import Order, OrderLine
from shop.settlement.rules import proportional
from shop.vendors.models import Vendor, VendorMember, VendorStatus

#: The name of ``markets.days.events.BoothSalesReported`` (analytics imports nothing from
#: markets; a test checks the two agree).
BOOTH_SALES_REPORTED = market_days.BOOTH_SALES_REPORTED
#: The public-buying feature's event for a paid institutional order (shape: :func:`_institutional`).
PROCUREMENT_ORDER_PAID = "procurement.order_paid"
#: Advisory-lock namespace for the revisions of one correctable source (PostgreSQL).
SOURCE_LOCK = 7_012


class FactSourceMissing(Exception):
    """An event names a row that is not there (yet): the worker retries it."""


def business_date(at: dt.datetime) -> dt.date:
    """The Seoul calendar day ``at`` counts on."""
    return as_utc(at).astimezone(SEOUL).date()


def _at(value: str) -> dt.datetime:
    return as_utc(dt.datetime.fromisoformat(value))


def _fact(
    *, source: str, source_id: str, kind: FactKind, channel: Channel, event_id: str,
    occurred_at: dt.datetime, vendor: tuple[int, str, str], net_amount: int,
    revision: int = 0, day: dt.date | None = None, product_id: int | None = None,
    category: str = "", quantity: int = 0, receipts: int = 0,
    buyer_vendor_id: int | None = None, order_ref: str = "", institution: str = "",
    department: str = "", counted_as: str | None = None, market_id: int | None = None,
    buyer_key: str | None = None, opens_order: int = 0,
) -> SalesFact:
    day = day or business_date(occurred_at)
    vendor_id, enterprise_type, district = vendor
    return SalesFact(
        source=source, source_id=source_id, revision=revision, current=True, kind=kind,
        channel=channel, event_id=event_id, occurred_at=as_utc(occurred_at),
        business_date=day, business_month=day.replace(day=1), vendor_id=vendor_id,
        product_id=product_id, category=category, enterprise_type=enterprise_type,
        district=district, quantity=quantity, receipts=receipts, net_amount=net_amount,
        buyer_vendor_id=buyer_vendor_id, order_ref=order_ref, institution=institution,
        department=department, counted_as=counted_as, market_id=market_id,
        buyer_key=buyer_key, opens_order=opens_order,
    )


class _Vendors:
    """Enterprise type and district per vendor id, read once per event."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.known: dict[int, tuple[int, str, str]] = {}

    async def load(self, vendor_ids: set[int]) -> None:
        wanted = sorted(vendor_ids - set(self.known))
        for vendor_id in wanted:
            self.known[vendor_id] = (vendor_id, "", "")
        for vendor_id, kind, district in (await self.session.execute(
            select(Vendor.id, Vendor.enterprise_type, Vendor.district)
            .where(Vendor.id.in_(wanted or [0])))).all():
            self.known[vendor_id] = (vendor_id, kind.value, district.value)

    async def __call__(self, vendor_id: int) -> tuple[int, str, str]:
        if vendor_id not in self.known:
            await self.load({vendor_id})
        return self.known[vendor_id]


def _buyer_key(order: Order) -> str:
    """Who bought, without keeping a guest's e-mail address in analytics."""
    if order.user_id is not None:
        return f"u{order.user_id}"
    return "e" + hashlib.sha256(order.email.strip().lower().encode()).hexdigest()[:40]


async def _buyer_enterprises(session: AsyncSession, user_ids: set[int]) -> dict[int, list[int]]:
    """Per buyer account: the approved enterprises it is a member of."""
    found: dict[int, list[int]] = {}
    if not user_ids:
        return found
    rows = await session.execute(
        select(VendorMember.user_id, VendorMember.vendor_id)
        .join(Vendor, Vendor.id == VendorMember.vendor_id)
        .where(VendorMember.user_id.in_(sorted(user_ids)), Vendor.status == VendorStatus.APPROVED)
        .order_by(VendorMember.user_id, VendorMember.vendor_id)
    )
    for user_id, vendor_id in rows.all():
        if vendor_id not in found.setdefault(user_id, []):
            found[user_id].append(vendor_id)
    return found


def _channel(line: OrderLine) -> Channel:
    return Channel.SNACK_BOX if line.bundle_label else Channel.ONLINE


# -- from each event -------------------------------------------------------------------------------


async def _orders_paid(
    session: AsyncSession, envelopes: Sequence[EventEnvelope]
) -> list[SalesFact]:
    """``order.placed`` for a batch of events: their orders, lines, vendors and buyers'
    enterprises are read with a few queries for the whole batch."""
    ids = [int(envelope.payload["id"]) for envelope in envelopes]
    orders = {order.id: order for order in (await session.scalars(
        select(Order).where(Order.id.in_(ids)))).all()}
    missing = sorted(set(ids) - set(orders))
    if missing:
        raise FactSourceMissing(f"orders {missing} not found")
    vendors = _Vendors(session)
    await vendors.load({vo.vendor_id for order in orders.values() for vo in order.vendor_orders})
    enterprises = await _buyer_enterprises(
        session, {o.user_id for o in orders.values() if o.user_id is not None})
    facts = []
    for envelope in envelopes:
        order = orders[int(envelope.payload["id"])]
        named = {int(i) for i in envelope.payload["vendor_order_ids"]}
        buyer_key = _buyer_key(order)
        # The order is counted once, on its first line (of every vendor order, named or not:
        # the same line whichever event writes it).
        first_line = min((ln.id for vo in order.vendor_orders for ln in vo.lines), default=None)
        for vendor_order in order.vendor_orders:
            if vendor_order.id not in named:
                continue
            others = [v for v in enterprises.get(order.user_id or 0, [])
                      if v != vendor_order.vendor_id]
            vendor = await vendors(vendor_order.vendor_id)
            for line in vendor_order.lines:
                facts.append(_fact(
                    source="order_line", source_id=str(line.id), kind=FactKind.SALE,
                    channel=_channel(line), event_id=envelope.event_id,
                    occurred_at=order.placed_at, vendor=vendor, product_id=line.product_id,
                    category=line.category, quantity=line.quantity,
                    net_amount=line.line_total, order_ref=str(order.id), buyer_key=buyer_key,
                    # Mutual trade: the buyer's account belongs to exactly one other approved
                    # enterprise (decision 41; checkout does not ask whom one buys for).
                    buyer_vendor_id=others[0] if len(others) == 1 else None,
                    opens_order=int(line.id == first_line),
                ))
    return facts


async def _lines_refunded(session: AsyncSession, envelope: EventEnvelope) -> list[SalesFact]:
    payload = envelope.payload
    refund_id = int(payload["refund_id"])
    kind = FactKind.CANCELLATION if payload.get("cancels") else FactKind.REFUND
    vendor = await _Vendors(session)(int(payload["vendor_id"]))
    at = _at(envelope.occurred_at)
    refunded = [(int(ln["order_line_id"]), int(ln["quantity"]), int(ln["amount"]))
                for ln in payload.get("lines") or ()]
    common: dict[str, Any] = {
        "kind": kind, "event_id": envelope.event_id, "occurred_at": at, "vendor": vendor,
        "order_ref": str(payload.get("order_id") or ""),
    }
    if not refunded:
        # Money given back without lines (a goodwill refund): the vendor's, no product.
        items = int(payload["amount"]) - int(payload.get("delivery_fee_refunded") or 0)
        if items <= 0:
            return []
        lines = (await session.scalars(
            select(OrderLine).where(OrderLine.vendor_order_id == int(payload["id"]))
        )).all()
        channel = (Channel.SNACK_BOX if lines and all(ln.bundle_label for ln in lines)
                   else Channel.ONLINE)
        return [_fact(source="refund", source_id=str(refund_id), channel=channel,
                      net_amount=-items, **common)]
    by_id = {line.id: line for line in (await session.scalars(
        select(OrderLine).where(OrderLine.id.in_([i for i, _q, _a in refunded]))
    )).all()}
    facts = []
    for line_id, quantity, amount in refunded:
        line = by_id.get(line_id)
        if line is None:
            raise FactSourceMissing(f"order line {line_id} not found")
        facts.append(_fact(
            source="refund_line", source_id=f"{refund_id}:{line_id}", channel=_channel(line),
            product_id=line.product_id, category=line.category, quantity=-quantity,
            net_amount=-amount, **common,
        ))
    return facts


async def _booth_report(session: AsyncSession, envelope: EventEnvelope) -> list[SalesFact]:
    """``booth_sales.reported``: ``id`` (the report), ``market_day_id``, ``day`` (ISO, Seoul),
    ``vendor_id``, ``amount``, ``sales_count`` (receipts), ``revision``."""
    payload = envelope.payload
    return [_fact(
        source="booth_report", source_id=str(payload["id"]), revision=int(payload["revision"]),
        kind=FactKind.BOOTH_REPORT, channel=Channel.BOOTH_MARKET, event_id=envelope.event_id,
        occurred_at=_at(envelope.occurred_at), day=dt.date.fromisoformat(str(payload["day"])),
        vendor=await _Vendors(session)(int(payload["vendor_id"])),
        net_amount=int(payload["amount"]), receipts=int(payload["sales_count"]),
        order_ref=str(payload.get("market_day_id") or ""),
        market_id=int(payload["market_id"]) if payload.get("market_id") is not None else None,
    )]


def _line_amount(line: Mapping[str, Any]) -> int:
    """What the institution paid for a line: ``amount`` (VAT included), else supply + VAT,
    else unit price × quantity."""
    if line.get("amount") is not None:
        return int(line["amount"])
    if line.get("supply_amount") is not None:
        return int(line["supply_amount"]) + int(line.get("vat") or 0)
    return int(line["unit_price"]) * int(line["quantity"])


def _name(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("id") or ""
    return str(value or "")[:200]


async def _institutional(session: AsyncSession, envelope: EventEnvelope) -> list[SalesFact]:
    """``procurement.order_paid`` (``shop.procurement.events.OrderPaid``): the payment of a
    purchase order, booked as institutional sales on the Seoul date it was paid (``paid_on``).

    What counts is what the institution paid (``amount``, VAT included, as shop prices are),
    split over the order's lines in proportion to their supply value so the lines add up to
    the payment exactly; ``counted_as`` is kept for the public-body reports. Older payloads
    with per-line ``amount`` and ``institution``/``department`` keys are still read.
    """
    payload = envelope.payload
    order_id = str(payload["id"])
    paid_on = payload.get("paid_on")
    day = dt.date.fromisoformat(str(paid_on)) if paid_on else None
    at = _at(str(payload.get("paid_at") or envelope.occurred_at))
    vendor = await _Vendors(session)(int(payload["vendor_id"]))
    counted_as = payload.get("counted_as")
    lines = list(payload.get("lines") or ())
    if payload.get("amount") is not None and lines:
        amounts = proportional(int(payload["amount"]), [_line_amount(line) for line in lines])
    else:
        amounts = [_line_amount(line) for line in lines]
    institution = payload.get("institution_name") or payload.get("institution")
    department = payload.get("department_name") or payload.get("department")
    facts = []
    for index, (line, amount) in enumerate(zip(lines, amounts, strict=True), start=1):
        product = line.get("product_id")
        facts.append(_fact(
            source="procurement_line", source_id=f"{order_id}:{line.get('id') or index}",
            kind=FactKind.INSTITUTIONAL, channel=Channel.INSTITUTIONAL,
            event_id=envelope.event_id, occurred_at=at, day=day, vendor=vendor,
            product_id=int(product) if product is not None else None,
            category=str(line.get("category") or ""), quantity=int(line["quantity"]),
            net_amount=amount, order_ref=order_id,
            institution=_name(institution), department=_name(department),
            counted_as=str(counted_as) if counted_as else None,
            buyer_key=f"i{payload['institution_id']}" if payload.get("institution_id") else None,
        ))
    return facts


Builder = Callable[[AsyncSession, EventEnvelope], Awaitable[list[SalesFact]]]
#: Builds the facts of several events of one name at once.
BatchBuilder = Callable[[AsyncSession, Sequence[EventEnvelope]], Awaitable[list[SalesFact]]]


def _one_by_one(build: Builder) -> BatchBuilder:
    async def each(session: AsyncSession, envelopes: Sequence[EventEnvelope]) -> list[SalesFact]:
        return [fact for envelope in envelopes for fact in await build(session, envelope)]
    return each


BUILDERS: Mapping[str, BatchBuilder] = {
    OrderPlaced.name: _orders_paid,
    VendorOrderRefunded.name: _one_by_one(_lines_refunded),
    BOOTH_SALES_REPORTED: _one_by_one(_booth_report),
    PROCUREMENT_ORDER_PAID: _one_by_one(_institutional),
}
#: Market-day events that change attendance rows (``shop.analytics.market_days``).
ATTENDANCE: Mapping[str, Callable[[AsyncSession, EventEnvelope], Awaitable[int]]] = {
    market_days.CHECK_IN_RECORDED: market_days.record_check_in,
    market_days.MARKET_DAY_HELD: market_days.record_held,
}
#: The events the sales-facts consumer reads (``workers.routing`` subscribes it to these).
SALES_EVENTS = frozenset(BUILDERS) | frozenset(ATTENDANCE)


# -- writing ---------------------------------------------------------------------------------------

_COLUMNS = tuple(c.key for c in SalesFact.__table__.columns if c.key != "id")


async def _lock_source(session: AsyncSession, fact: SalesFact) -> None:
    """PostgreSQL: revisions of one source are written one transaction at a time, so two
    racing revisions cannot both think they are the latest."""
    if dialect_name(session) == "postgresql":
        key = zlib.crc32(f"{fact.source}:{fact.source_id}".encode()) - 2**31
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": SOURCE_LOCK, "key": key}
        )


def _key(fact: SalesFact) -> tuple[str, str, int]:
    return (fact.source, fact.source_id, fact.revision)


async def _insert_new(session: AsyncSession, facts: Sequence[SalesFact]) -> list[SalesFact]:
    """Insert the facts not there yet (in key order); returns those inserted.

    One statement with the rows as parameters (SQLAlchemy's "insert many values": the
    statement is compiled once and cached, the rows are rendered into multi-row pages by the
    driver layer), not ``.values([...])``, which built and compiled a new 25-column construct
    per row for every batch: that compilation was most of a batch's CPU (decision 79)."""
    unique = sorted({_key(fact): fact for fact in facts}.items())
    if not unique:
        return []
    upsert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    table = cast(Table, SalesFact.__table__)
    stmt = (upsert(table).on_conflict_do_nothing(index_elements=["source", "source_id", "revision"])
            .returning(table.c.source, table.c.source_id, table.c.revision))
    rows = await session.execute(
        stmt, [{key: getattr(fact, key) for key in _COLUMNS} for _k, fact in unique])
    inserted = {(source, source_id, int(revision)) for source, source_id, revision in rows}
    return [fact for key, fact in unique if key in inserted]


async def write_all(session: AsyncSession, facts: Sequence[SalesFact]) -> int:
    """Insert the facts that are not there yet and add only those to the summaries, in the
    caller's transaction; returns how many were new. Facts without revisions go in
    together (one insert, one upsert per summary); a correctable source's revisions one at a
    time (:func:`write`)."""
    plain = [fact for fact in facts if not fact.revision]
    written = 0
    if plain:
        for month in sorted({fact.business_month for fact in plain}):
            await rollups.lock_month(session, month, exclusive=False)
        new = await _insert_new(session, plain)
        await rollups.add_all(session, new)
        written += len(new)
    for fact in sorted((fact for fact in facts if fact.revision), key=_key):
        written += await write(session, fact)
    return written


async def write(session: AsyncSession, fact: SalesFact) -> bool:
    """Insert ``fact`` unless it exists, and only then change the summaries, in the caller's
    transaction. A new revision replaces the current one (its amounts are taken out); an
    older revision arriving late is kept, not current, and changes nothing."""
    await rollups.lock_month(session, fact.business_month, exclusive=False)
    if fact.revision:
        await _lock_source(session, fact)
    if not await _insert_new(session, [fact]):
        return False
    if fact.revision:
        others = (await session.scalars(
            select(SalesFact).where(
                SalesFact.source == fact.source, SalesFact.source_id == fact.source_id,
                SalesFact.revision != fact.revision,
            )
        )).all()
        if any(other.revision > fact.revision for other in others):
            await session.execute(
                update(SalesFact).where(SalesFact.source == fact.source,
                                        SalesFact.source_id == fact.source_id,
                                        SalesFact.revision == fact.revision)
                .values(current=False)
            )
            return True
        for replaced in (other for other in others if other.current):
            await rollups.add(session, replaced, sign=-1)
            await session.execute(
                update(SalesFact).where(SalesFact.id == replaced.id).values(current=False)
            )
    await rollups.add(session, fact)
    return True


async def consume(session: AsyncSession, envelope: EventEnvelope) -> int:
    """Write the facts of one event and their summary rows in one transaction; returns how
    many facts were new (0 for a redelivery or an event analytics does not read)."""
    return await consume_all(session, [envelope])


async def consume_all(session: AsyncSession, envelopes: Sequence[EventEnvelope]) -> int:
    """Write the facts of a batch of events and their summary rows in one transaction (the
    worker's path: a relay batch at a time). Still exactly once per fact: a fact is added to
    the summaries only when its insert found its ``(source, source id, revision)`` free, so a
    redelivered batch, an event twice in one batch or a batch overlapping another adds
    nothing twice. Returns how many facts (and attendance changes) were new."""
    written = 0
    by_name: dict[str, list[EventEnvelope]] = {}
    async with transaction(session):
        # Every lock a batch may wait for in a fixed order: market days first (ids sorted),
        # then summary rows in key order (rollups.add_all), revisions in key order.
        await market_days.lock_days(session, {
            day for day in map(market_days.day_of, envelopes) if day is not None})
        for envelope in envelopes:
            attendance = ATTENDANCE.get(envelope.name)
            if attendance is not None:
                await rollups.lock_month(session, _event_month(envelope), exclusive=False)
                written += await attendance(session, envelope)
            elif envelope.name in BUILDERS:
                by_name.setdefault(envelope.name, []).append(envelope)
        facts = [fact for name, batch in by_name.items()
                 for fact in await BUILDERS[name](session, batch)]
        written += await write_all(session, facts)
    return written


def _event_month(envelope: EventEnvelope) -> dt.date:
    """The month of a market-day event's day (its rows' month, for the rebuild lock)."""
    day = envelope.payload.get("day")
    date = dt.date.fromisoformat(str(day)) if day else business_date(_at(envelope.occurred_at))
    return date.replace(day=1)


async def facts_of(session: AsyncSession, *sources: str) -> Sequence[SalesFact]:
    """The facts of ``sources`` (all when none), oldest first (tests and support)."""
    stmt = select(SalesFact).order_by(SalesFact.id)
    if sources:
        stmt = stmt.where(SalesFact.source.in_(sources))
    return (await session.scalars(stmt)).all()

"""Writing the ledger, and checking it.

Sales and refunds are written from the order events by a worker (:func:`consume`), and so
are public bodies' payments of purchase orders (``procurement.order_paid``,
:func:`record_institutional_sale`, decision 43): the event
id is claimed (``processed_events``) in the same transaction as the ledger rows, so a
redelivered event writes nothing, and a crash writes all or nothing. Each transaction also
has a natural ``key`` (unique), so even a sale reached twice by different events (the
refund's consumer writes a missing sale first) is written once. Payouts are written by the
payout service when money leaves (:func:`record_payout`).

Every transaction is written unposted, its entries added, then posted: the database refuses to
post one whose entries do not sum to zero (see :mod:`shop.settlement.models`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import outbox
from infra.clock import as_utc
from infra.db import dialect_name, transaction
from infra.events import EventEnvelope
from shop.orders.events import OrderPlaced, VendorOrderRefunded
from shop.orders.models import Order, OrderLine, VendorOrder
from shop.procurement.events import OrderPaid
from shop.settlement import rules
from shop.settlement.models import (
    Account,
    CommissionCategoryRate,
    CommissionVendorRate,
    LedgerEntry,
    LedgerTransaction,
    PayoutItem,
    TransactionKind,
)

CONSUMER = "settlement.ledger"
#: The events the ledger is written from. ``vendor_order.cancelled`` always comes with a
#: ``vendor_order.refunded`` for the money, so the refund is what the ledger reads.
#: ``procurement.order_paid`` is a public body's bank transfer for a purchase order.
LEDGER_EVENTS = frozenset({OrderPlaced.name, VendorOrderRefunded.name, OrderPaid.name})


class SaleMissing(Exception):
    """A refund names a vendor order that does not exist (yet): retried by the worker."""


# -- posting --------------------------------------------------------------------------------------


async def _post(
    session: AsyncSession, transaction: LedgerTransaction, entries: list[LedgerEntry]
) -> LedgerTransaction:
    if sum(e.amount for e in entries) != 0:
        raise AssertionError(f"unbalanced ledger transaction {transaction.key}")
    transaction.posted = False
    transaction.entries = entries
    session.add(transaction)
    await session.flush()
    transaction.posted = True  # the database checks the balance here (migration triggers)
    await session.flush()
    return transaction


async def _by_key(
    session: AsyncSession, key: str, *, lock: bool = False
) -> LedgerTransaction | None:
    stmt = select(LedgerTransaction).where(LedgerTransaction.key == key)
    if lock and dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


def sale_key(vendor_order_id: int) -> str:
    return f"sale:vendor_order:{vendor_order_id}"


async def rate_resolver(session: AsyncSession, vendor_id: int) -> Any:
    """``category → rate_bp`` as of now for ``vendor_id`` (its own rate, else the category's)."""
    vendor_rate = await session.scalar(
        select(CommissionVendorRate.rate_bp).where(CommissionVendorRate.vendor_id == vendor_id)
    )
    category_rates = dict(
        (await session.execute(
            select(CommissionCategoryRate.category, CommissionCategoryRate.rate_bp)
        )).all()
    )

    def rate_for(category: str) -> int:
        return rules.resolve_rate(
            category, vendor_rate_bp=vendor_rate, category_rates_bp=category_rates
        )

    return rate_for


async def record_sale(
    session: AsyncSession, vendor_order_id: int, *, event_id: str | None = None
) -> LedgerTransaction:
    """The sale of one vendor order (idempotent by its key): the shopper's money in clearing,
    the vendor owed it net of commission, the commission earned per category group."""
    existing = await _by_key(session, sale_key(vendor_order_id))
    if existing is not None:
        return existing
    vendor_order = await session.get(VendorOrder, vendor_order_id)
    if vendor_order is None:
        raise SaleMissing(f"vendor order {vendor_order_id} not found")
    order = await session.get(Order, vendor_order.order_id)
    assert order is not None
    rate_for = await rate_resolver(session, vendor_order.vendor_id)
    sale = rules.sale(
        [(line.category, line.line_total) for line in vendor_order.lines],
        vendor_order.delivery_fee, rate_for,
    )
    vendor = vendor_order.vendor_id
    entries = [
        LedgerEntry(account=Account.CLEARING, amount=sale.gross),
        LedgerEntry(account=Account.VENDOR_PAYABLE, vendor_id=vendor, amount=-sale.vendor_net),
        *(
            LedgerEntry(account=Account.COMMISSION_REVENUE, amount=-group.commission,
                        category=group.category, rate_bp=group.rate_bp, base_amount=group.base)
            for group in sale.groups
        ),
    ]
    return await _post(session, LedgerTransaction(
        key=sale_key(vendor_order_id), kind=TransactionKind.SALE, vendor_id=vendor,
        vendor_order_id=vendor_order.id, order_number=order.number, event_id=event_id,
        occurred_at=as_utc(order.placed_at), gross=sale.gross, delivery=sale.delivery_fee,
        description=_sale_description(vendor_order),
    ), entries)


def institutional_sale_key(purchase_order_id: int) -> str:
    return f"sale:purchase_order:{purchase_order_id}"


async def record_institutional_sale(
    session: AsyncSession, payload: Mapping[str, Any], *, occurred_at: dt.datetime,
    event_id: str | None = None,
) -> LedgerTransaction:
    """A public body's payment of a purchase order (``OrderPaid``'s payload), once per order.

    No card and no Stripe: the institution's bank transfer comes in to
    ``institutional_receipts``; the vendor is owed it net of the same commission an online
    sale of those categories pays. What was paid (VAT included; after a partial inspection
    less than the order) is split over the order's lines by their supply value
    (:func:`rules.proportional`), so the commission bases add up to the payment exactly.
    """
    order_id = int(payload["id"])
    key = institutional_sale_key(order_id)
    existing = await _by_key(session, key)
    if existing is not None:
        return existing
    amount = int(payload["amount"])
    lines = list(payload.get("lines") or ())
    categories = [str(line.get("category") or "") for line in lines]
    values = [int(line["unit_price"]) * int(line["quantity"]) for line in lines]
    if not sum(values):  # no priced line: the whole payment in one uncategorised group
        categories, values = [""], [1]
    parts = rules.proportional(amount, values)
    vendor = int(payload["vendor_id"])
    rate_for = await rate_resolver(session, vendor)
    sale = rules.sale(zip(categories, parts, strict=True), 0, rate_for)
    entries = [
        LedgerEntry(account=Account.INSTITUTIONAL_RECEIPTS, amount=sale.gross),
        LedgerEntry(account=Account.VENDOR_PAYABLE, vendor_id=vendor, amount=-sale.vendor_net),
        *(
            LedgerEntry(account=Account.COMMISSION_REVENUE, amount=-group.commission,
                        category=group.category, rate_bp=group.rate_bp, base_amount=group.base)
            for group in sale.groups
        ),
    ]
    institution = str(payload.get("institution_name") or "")
    description = f"공공구매 {institution} (지급일 {payload.get('paid_on') or ''}, " \
                  f"이체 {payload.get('bank_reference') or ''})"
    return await _post(session, LedgerTransaction(
        key=key, kind=TransactionKind.INSTITUTIONAL_SALE, vendor_id=vendor,
        order_number=str(payload.get("number") or "")[:24], event_id=event_id,
        occurred_at=occurred_at, gross=sale.gross, delivery=0, description=description[:200],
    ), entries)


def _sale_description(vendor_order: VendorOrder) -> str:
    lines = vendor_order.lines
    if not lines:
        return "판매"
    first = lines[0].product_name
    more = len(lines) - 1
    return (f"{first} 외 {more}건" if more else first)[:200]


async def _groups_so_far(
    session: AsyncSession, sale: LedgerTransaction
) -> tuple[list[rules.GroupSoFar], int]:
    """The sale's commission groups with what earlier refunds took, and the delivery fee
    refunded so far."""
    charged = [e for e in sale.entries if e.account is Account.COMMISSION_REVENUE]
    earlier = list((await session.scalars(
        select(LedgerTransaction).where(
            LedgerTransaction.vendor_order_id == sale.vendor_order_id,
            LedgerTransaction.kind == TransactionKind.REFUND,
        )
    )).all())
    groups = []
    for entry in charged:
        reversals = [
            e for t in earlier for e in t.entries
            if e.account is Account.COMMISSION_REVENUE and e.category == entry.category
        ]
        groups.append(rules.GroupSoFar(
            category=entry.category or "", rate_bp=entry.rate_bp or 0,
            base=entry.base_amount or 0, charged=-entry.amount,
            refunded_base=sum(e.base_amount or 0 for e in reversals),
            reversed=sum(e.amount for e in reversals),
        ))
    return groups, sum(t.delivery for t in earlier)


async def record_refund(
    session: AsyncSession,
    *,
    vendor_order_id: int,
    refund_id: int,
    amount: int,
    delivery_fee_refunded: int,
    lines: list[Mapping[str, Any]],
    occurred_at: dt.datetime,
    event_id: str | None = None,
    reason: str = "",
) -> LedgerTransaction:
    """A refund of (part of) a vendor order, reversing the sale in proportion: the shopper's
    money out through refunds, the vendor's share and the commission on the refunded items
    given back (delivery fees without commission). Idempotent by the refund's key."""
    key = f"refund:{refund_id}"
    existing = await _by_key(session, key)
    if existing is not None:
        return existing
    sale = await _by_key(session, sale_key(vendor_order_id), lock=True)
    if sale is None:
        await record_sale(session, vendor_order_id, event_id=event_id)
        sale = await _by_key(session, sale_key(vendor_order_id), lock=True)
        assert sale is not None
    vendor_order = await session.get(VendorOrder, vendor_order_id)
    assert vendor_order is not None
    groups, delivery_so_far = await _groups_so_far(session, sale)
    by_category: dict[str, int] = {}
    line_ids = [int(line["order_line_id"]) for line in lines]
    if line_ids:
        categories = dict((await session.execute(
            select(OrderLine.id, OrderLine.category).where(OrderLine.id.in_(line_ids))
        )).all())
        for line in lines:
            category = categories.get(int(line["order_line_id"]), "")
            by_category[category] = by_category.get(category, 0) + int(line["amount"])
    refund = rules.refund(
        amount, delivery_fee_refunded=delivery_fee_refunded,
        delivery_fee_remaining=vendor_order.delivery_fee - delivery_so_far,
        groups=groups, by_category=by_category,
    )
    vendor = vendor_order.vendor_id
    entries = [
        LedgerEntry(account=Account.REFUNDS, amount=-refund.amount),
        LedgerEntry(account=Account.VENDOR_PAYABLE, vendor_id=vendor, amount=refund.vendor_net),
        *(
            LedgerEntry(account=Account.COMMISSION_REVENUE, amount=group.reversed,
                        category=group.category, rate_bp=group.rate_bp, base_amount=group.base)
            for group in refund.groups
        ),
    ]
    description = "환불" + (f": {reason}" if reason else "")
    return await _post(session, LedgerTransaction(
        key=key, kind=TransactionKind.REFUND, vendor_id=vendor, vendor_order_id=vendor_order_id,
        order_number=sale.order_number, refund_id=refund_id, event_id=event_id,
        occurred_at=occurred_at, gross=refund.amount, delivery=refund.delivery,
        description=description[:200],
    ), entries)


async def record_payout(
    session: AsyncSession, item: PayoutItem, occurred_at: dt.datetime, description: str
) -> LedgerTransaction:
    """Money sent to the vendor: its payable goes down, the payouts account pays it."""
    key = f"payout:item:{item.id}"
    existing = await _by_key(session, key)
    if existing is not None:
        return existing
    entries = [
        LedgerEntry(account=Account.VENDOR_PAYABLE, vendor_id=item.vendor_id, amount=item.amount),
        LedgerEntry(account=Account.PAYOUTS, amount=-item.amount),
    ]
    return await _post(session, LedgerTransaction(
        key=key, kind=TransactionKind.PAYOUT, vendor_id=item.vendor_id,
        payout_item_id=item.id, occurred_at=occurred_at, gross=item.amount,
        description=description[:200],
    ), entries)


# -- the event consumer --------------------------------------------------------------------------


async def consume(session: AsyncSession, envelope: EventEnvelope) -> bool:
    """Write the ledger for one order event, exactly once per event id.

    Returns False for events the ledger does not read and for events handled before.
    """
    if envelope.name not in LEDGER_EVENTS:
        return False
    async with transaction(session):
        if not await outbox.claim(session, CONSUMER, envelope.event_id):
            return False  # handled before: nothing was written
        payload = envelope.payload
        if envelope.name == OrderPlaced.name:
            for vendor_order_id in payload["vendor_order_ids"]:
                await record_sale(session, int(vendor_order_id), event_id=envelope.event_id)
        elif envelope.name == OrderPaid.name:
            await record_institutional_sale(
                session, payload, event_id=envelope.event_id,
                occurred_at=as_utc(dt.datetime.fromisoformat(envelope.occurred_at)))
        else:
            await record_refund(
                session, vendor_order_id=int(payload["id"]),
                refund_id=int(payload["refund_id"]), amount=int(payload["amount"]),
                delivery_fee_refunded=int(payload.get("delivery_fee_refunded") or 0),
                lines=list(payload.get("lines") or ()),
                occurred_at=as_utc(dt.datetime.fromisoformat(envelope.occurred_at)),
                event_id=envelope.event_id, reason=str(payload.get("reason") or ""),
            )
    return True


# -- reading and checking -------------------------------------------------------------------------


async def vendor_balance(session: AsyncSession, vendor_id: int) -> int:
    """What the platform owes the vendor now (the credit balance of its payable account)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account == Account.VENDOR_PAYABLE, LedgerEntry.vendor_id == vendor_id,
               LedgerTransaction.posted.is_(True))
    )
    return -int(total or 0)


@dataclasses.dataclass(frozen=True)
class AccountTotal:
    account: Account
    vendor_id: int | None
    total: int


@dataclasses.dataclass(frozen=True)
class LedgerCheck:
    """The result of :func:`verify`: balanced transactions, and all accounts summing to 0."""

    accounts: list[AccountTotal]
    grand_total: int
    unbalanced: list[tuple[int, str, int]]  # (transaction id, key, sum of its entries)
    unposted: list[tuple[int, str]]
    transactions: int

    @property
    def ok(self) -> bool:
        return self.grand_total == 0 and not self.unbalanced and not self.unposted


async def verify(session: AsyncSession) -> LedgerCheck:
    """Recompute the ledger's invariants from the rows: every transaction sums to zero, no
    transaction is left unposted, and the trial balance over all accounts is zero."""
    unbalanced = [
        (int(i), str(k), int(s)) for i, k, s in (await session.execute(
            select(LedgerTransaction.id, LedgerTransaction.key,
                   func.coalesce(func.sum(LedgerEntry.amount), 0))
            .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
            .group_by(LedgerTransaction.id, LedgerTransaction.key)
            .having(func.coalesce(func.sum(LedgerEntry.amount), 0) != 0)
        )).all()
    ]
    unposted = [
        (int(i), str(k)) for i, k in (await session.execute(
            select(LedgerTransaction.id, LedgerTransaction.key)
            .where(LedgerTransaction.posted.is_(False))
        )).all()
    ]
    accounts = [
        AccountTotal(Account(a), v, int(t)) for a, v, t in (await session.execute(
            select(LedgerEntry.account, LedgerEntry.vendor_id, func.sum(LedgerEntry.amount))
            .group_by(LedgerEntry.account, LedgerEntry.vendor_id)
            .order_by(LedgerEntry.account, LedgerEntry.vendor_id)
        )).all()
    ]
    count = await session.scalar(select(func.count(LedgerTransaction.id)))
    return LedgerCheck(accounts=accounts, grand_total=sum(a.total for a in accounts),
                       unbalanced=unbalanced, unposted=unposted, transactions=int(count or 0))


async def account_summary(session: AsyncSession) -> dict[Account, int]:
    """Totals per account kind (all vendors' payables together)."""
    rows = (await session.execute(
        select(LedgerEntry.account, func.sum(LedgerEntry.amount)).group_by(LedgerEntry.account)
    )).all()
    totals = {account: 0 for account in Account}
    for account, total in rows:
        totals[Account(account)] = int(total or 0)
    return totals

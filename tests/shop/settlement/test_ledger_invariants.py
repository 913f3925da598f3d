"""For any mix of orders (several vendors and categories), partial refunds, goodwill refunds,
cancellations, redelivered and reordered events, rate changes and payouts: every ledger
transaction sums to zero, all accounts together sum to zero, every statement's opening
balance plus its lines is its closing balance (and the next statement opens with it), every
commission is the documented rounding of the rate stored with it, and a fully refunded vendor
order leaves nothing owed either way.

Hypothesis writes the scenarios; every check is recomputed from the rows, independently of
the code under test.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from infra.errors import Conflict
from infra.outbox import OutboxEvent, ProcessedEvent
from shop.orders.models import VendorOrder
from shop.settlement import ledger, payouts, rules, services
from shop.settlement.models import (
    Account,
    LedgerEntry,
    LedgerTransaction,
    PayoutMethod,
    SettlementStatement,
    SettlementStatementLine,
    TransactionKind,
)
from shop.vendors.models import Vendor
from tests.conftest import delete_rows
from tests.fixtures.outbox import seoul
from tests.shop.settlement.conftest import WEEK1, World, build_world
from tests.shop.settlement.world import Line, Relay, cancel, place_order, refund

Factory = async_sessionmaker[AsyncSession]
CATEGORIES = ["food", "household", "fashion_beauty", "office_it"]
LAST_WEEK = WEEK1 + dt.timedelta(days=14)  # refunds may fall up to three days after week 2
LATER = seoul(LAST_WEEK + dt.timedelta(days=30))
TRADE_TABLES = [
    "settlement_statement_lines", "ledger_entries", "ledger_transactions", "payout_items",
    "payout_batches", "settlement_statements", "settlement_weeks", "payout_accounts",
    "commission_vendor_rates", "commission_category_rates", "order_refund_lines",
    "order_refunds", "payment_refunds", "order_lines", "vendor_order_status_changes",
    "vendor_orders", "orders", "checkouts", "payments", "stock_reservations", "outbox_events",
    "processed_events",
]

line = st.tuples(st.integers(0, 2), st.sampled_from(CATEGORIES), st.integers(1, 60_000),
                 st.integers(1, 3))
action = st.one_of(
    st.tuples(st.just("lines"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 3),
              st.booleans()),
    st.tuples(st.just("amount"), st.integers(0, 3), st.integers(1, 40_000)),
    st.tuples(st.just("cancel"), st.integers(0, 3)),
    st.tuples(st.just("delivery"), st.integers(0, 3)),
)
order = st.tuples(
    st.integers(0, 13),  # day from WEEK1
    st.integers(0, 23),  # hour (Seoul)
    st.lists(line, min_size=1, max_size=4),
    st.lists(action, max_size=3),
    st.integers(0, 3),  # days from the order to its refunds
)
scenario = st.fixed_dictionaries({
    "orders": st.lists(order, min_size=1, max_size=6),
    "fees": st.lists(st.sampled_from([0, 2_500, 3_000]), min_size=3, max_size=3),
    "vendor_rate": st.none() | st.integers(0, 3_000),
    "food_rate": st.none() | st.integers(0, 3_000),
    "again": st.booleans(),
    "reverse": st.booleans(),
    "pay": st.booleans(),
})


async def clear_trade(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await delete_rows(conn, TRADE_TABLES)  # the ledger refuses DELETE


async def _play(factory: Factory, world: World, case: dict[str, Any]) -> dict[int, int]:
    """Write the scenario's orders and refunds; returns the rate expected per vendor order
    group as {vendor index: vendor rate or -1}."""
    fees = {v.id: fee for v, fee in zip(world.vendors, case["fees"], strict=True)}
    async with factory() as session:
        for day, hour, lines, actions, delay in case["orders"]:
            placed = seoul(WEEK1 + dt.timedelta(days=day), hour)
            made = await place_order(
                session,
                [Line(world.vendors[v], world.variants[v], c, price, q)
                 for v, c, price, q in lines],
                placed_at=placed, delivery_fees=fees,
            )
            vendor_orders = made.vendor_orders
            for i, act in enumerate(actions):
                at = placed + dt.timedelta(days=delay, minutes=10 * (i + 1))
                vendor_order = vendor_orders[act[1] % len(vendor_orders)]
                if act[0] == "lines":
                    chosen = vendor_order.lines[act[2] % len(vendor_order.lines)]
                    await refund(session, vendor_order, at=at, lines=[(chosen, act[3])],
                                 delivery=vendor_order.delivery_fee if act[4] else 0)
                elif act[0] == "amount":
                    await refund(session, vendor_order, at=at, amount=act[2])
                elif act[0] == "delivery":
                    await refund(session, vendor_order, at=at, delivery=vendor_order.delivery_fee)
                elif vendor_order.refunded_amount < vendor_order.total:
                    await cancel(session, vendor_order, at=at)
        await session.commit()
    return fees


async def _check_transactions(session: AsyncSession) -> None:
    sums = (await session.execute(
        select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount), func.count())
        .group_by(LedgerEntry.transaction_id)
    )).all()
    assert sums, "no ledger transactions written"
    assert all(total == 0 and count >= 2 for _, total, count in sums), sums
    assert await session.scalar(select(func.sum(LedgerEntry.amount))) == 0
    assert await session.scalar(select(func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.posted.is_(False))) == 0
    check = await ledger.verify(session)
    assert check.ok and check.grand_total == 0


async def _check_statements(session: AsyncSession, world: World) -> None:
    statements = (await session.scalars(
        select(SettlementStatement).order_by(SettlementStatement.vendor_id,
                                             SettlementStatement.week_start))).all()
    previous: dict[int, int] = {}
    for s in statements:
        lines = (await session.scalars(select(SettlementStatementLine).where(
            SettlementStatementLine.statement_id == s.id))).all()
        assert s.opening_balance == previous.get(s.vendor_id, 0)
        assert s.opening_balance + sum(ln.amount for ln in lines) == s.closing_balance
        for name in ("sales", "commission", "refunds", "commission_refunded", "payouts"):
            assert getattr(s, name) == sum(getattr(ln, name) for ln in lines), name
        for ln in lines:
            entry = await session.get(LedgerEntry, ln.entry_id)
            assert entry is not None and entry.account is Account.VENDOR_PAYABLE
            assert entry.vendor_id == s.vendor_id and ln.amount == -entry.amount
        previous[s.vendor_id] = s.closing_balance
    unstated = (await session.execute(
        select(LedgerEntry.vendor_id, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.account == Account.VENDOR_PAYABLE,
               ~select(SettlementStatementLine.id)
               .where(SettlementStatementLine.entry_id == LedgerEntry.id).exists())
        .group_by(LedgerEntry.vendor_id)
    )).all()
    late = {v: -int(t) for v, t in unstated}
    for vendor in world.vendors:
        balance = await ledger.vendor_balance(session, vendor.id)
        assert previous.get(vendor.id, 0) + late.get(vendor.id, 0) == balance


async def _check_vendor_orders(session: AsyncSession, world: World, case: dict[str, Any]) -> None:
    per_order: dict[int, dict[Account, int]] = defaultdict(lambda: defaultdict(int))
    rows = (await session.execute(
        select(LedgerTransaction.vendor_order_id, LedgerTransaction.kind, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.vendor_order_id.is_not(None))
    )).all()
    for vendor_order_id, kind, entry in rows:
        assert vendor_order_id is not None
        per_order[vendor_order_id][entry.account] += entry.amount
        if kind is TransactionKind.SALE and entry.account is Account.COMMISSION_REVENUE:
            base, rate = entry.base_amount or 0, entry.rate_bp
            vendor_order = await session.get(VendorOrder, vendor_order_id)
            assert vendor_order is not None
            assert base == sum(ln.line_total for ln in vendor_order.lines
                               if ln.category == entry.category)
            if case["vendor_rate"] is not None and vendor_order.vendor_id == world.vendors[2].id:
                expected = case["vendor_rate"]
            elif entry.category == "food" and case["food_rate"] is not None:
                expected = case["food_rate"]
            else:
                expected = rules.DEFAULT_CATEGORY_RATES_BP[entry.category or ""]
            assert rate == expected
            q, r = divmod(base * expected, 10_000)  # half down, recomputed here
            assert -entry.amount == q + (1 if 2 * r > 10_000 else 0)
    for vendor_order in (await session.scalars(select(VendorOrder))).all():
        sums = per_order[vendor_order.id]
        commission_kept = -sums[Account.COMMISSION_REVENUE]
        assert commission_kept >= 0
        owed = -sums[Account.VENDOR_PAYABLE]
        assert owed == vendor_order.total - vendor_order.refunded_amount - commission_kept
        assert sums[Account.CLEARING] == vendor_order.total
        assert -sums[Account.REFUNDS] == vendor_order.refunded_amount
        if vendor_order.refunded_amount == vendor_order.total:
            assert owed == 0 and commission_kept == 0


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=scenario)
async def test_every_transaction_balances_and_statements_add_up(
    engine: AsyncEngine, session_factory: Factory, case: dict[str, Any],
) -> None:
    await clear_trade(engine)
    async with session_factory() as session:
        world = await _world(session)
        if case["vendor_rate"] is not None:
            await services.set_vendor_rate(session, world.vendors[2].id, case["vendor_rate"],
                                           world.admin)
        if case["food_rate"] is not None:
            await services.set_category_rate(session, "food", case["food_rate"], world.admin)
    await _play(session_factory, world, case)
    relay = Relay(session_factory)
    await relay.deliver(again=case["again"], reverse=case["reverse"])

    async with session_factory() as session:
        await services.close_week(session, WEEK1, now=LATER)
    if case["pay"]:
        async with session_factory() as session:
            for i, vendor in enumerate(world.vendors):
                await payouts.save_payout_account(session, vendor.id, world.owners[i],
                                                  payouts.AccountForm(
                                                      method="bank_transfer", bank_code="004",
                                                      account_number=f"1234567890{i}",
                                                      holder_name=vendor.name))
            try:
                batch = await payouts.create_batch(session, PayoutMethod.BANK_TRANSFER,
                                                   world.admin)
            except Conflict:
                batch = None
            if batch is not None:
                await payouts.send_batch(session, batch.id, payouts.BankTransferProvider(),
                                         world.admin, now=seoul(WEEK1 + dt.timedelta(days=8)))
    async with session_factory() as session:
        await services.close_week(session, LAST_WEEK, now=LATER)

    async with session_factory() as session:
        events = await session.scalar(select(func.count(OutboxEvent.id)).where(
            OutboxEvent.name.in_(ledger.LEDGER_EVENTS)))
        claimed = await session.scalar(select(func.count(ProcessedEvent.id)).where(
            ProcessedEvent.consumer == ledger.CONSUMER))
        assert claimed == events  # each event taken once, however often it came
        await _check_transactions(session)
        await _check_statements(session, world)
        await _check_vendor_orders(session, world, case)


_WORLD: dict[str, World] = {}


async def _world(session: AsyncSession) -> World:
    """The vendors and people survive between examples (only trade is cleared): building them
    hashes passwords, which is slow. The cache is keyed by the vendors still being there."""
    cached = _WORLD.get("world")
    if cached is not None and await session.get(Vendor, cached.vendors[0].id) is not None:
        return cached
    _WORLD["world"] = await build_world(session)
    return _WORLD["world"]

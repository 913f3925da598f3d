"""The ledger consumer: each order event is written once (claimed with the ledger rows), sales
and refunds post the entries the rules say, rates stay as they were at sale time, and the
database refuses an unbalanced or altered transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent, ProcessedEvent
from shop.orders.models import VendorOrder
from shop.settlement import ledger, services
from shop.settlement.models import Account, LedgerEntry, LedgerTransaction, TransactionKind
from tests.fixtures.outbox import seoul
from tests.shop.settlement.conftest import WEEK1, World
from tests.shop.settlement.world import Line, Relay, cancel, place_order, refund

Factory = async_sessionmaker[AsyncSession]


async def _count(session: AsyncSession, column: object) -> int:
    return int(await session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


async def _payable(session: AsyncSession, vendor_order_id: int) -> int:
    """What the vendor is owed for one vendor order (credit balance of its payable)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerTransaction.vendor_order_id == vendor_order_id,
               LedgerEntry.account == Account.VENDOR_PAYABLE)
    )
    return -int(total or 0)


async def test_the_same_event_twice_writes_one_transaction(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        await place_order(session, [Line(world.vendors[0], world.variants[0], "food", 10_000, 2)],
                          placed_at=seoul(WEEK1), delivery_fees={world.vendors[0].id: 3_000})
        await session.commit()
        envelope = (await session.scalar(select(OutboxEvent))).envelope()  # type: ignore[union-attr]
    async with session_factory() as session:
        assert await ledger.consume(session, envelope) is True
    async with session_factory() as session:
        assert await ledger.consume(session, envelope) is False
    async with session_factory() as session:
        assert await _count(session, LedgerTransaction.id) == 1
        assert await session.scalar(select(func.count(ProcessedEvent.id)).where(
            ProcessedEvent.consumer == ledger.CONSUMER)) == 1
        sale = await session.scalar(select(LedgerTransaction))
        assert sale is not None and sale.posted and sale.kind is TransactionKind.SALE
        entries = {(e.account, e.category): e.amount for e in sale.entries}
        # 23,000 in; 5% of the 20,000 of goods (not of the delivery fee) is 1,000.
        assert entries == {
            (Account.CLEARING, None): 23_000,
            (Account.VENDOR_PAYABLE, None): -22_000,
            (Account.COMMISSION_REVENUE, "food"): -1_000,
        }
        commission = next(e for e in sale.entries if e.account is Account.COMMISSION_REVENUE)
        assert (commission.rate_bp, commission.base_amount) == (500, 20_000)
        assert await ledger.vendor_balance(session, world.vendors[0].id) == 22_000


async def test_a_refund_arriving_before_its_sale_writes_the_sale_first(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        order = await place_order(session, [
            Line(world.vendors[0], world.variants[0], "food", 10_000, 1),
            Line(world.vendors[1], world.variants[1], "household", 8_000, 2),
        ], placed_at=seoul(WEEK1), delivery_fees={world.vendors[1].id: 2_500})
        tea = next(v for v in order.vendor_orders if v.vendor_id == world.vendors[1].id)
        await refund(session, tea, at=seoul(WEEK1, 18), lines=[(tea.lines[0], 1)])
        await session.commit()
    relay = Relay(session_factory)
    assert await relay.deliver(reverse=True) == 2  # refund first, then order.placed
    async with session_factory() as session:
        kinds = (await session.scalars(
            select(LedgerTransaction.kind).order_by(LedgerTransaction.id))).all()
        assert list(kinds) == [TransactionKind.SALE, TransactionKind.REFUND, TransactionKind.SALE]
        # 18,500 sold, 8% of 16,000 = 1,280; refund 8,000 gives back 640 of it.
        assert await _payable(session, tea.id) == (18_500 - 1_280) - (8_000 - 640)
        assert (await ledger.verify(session)).ok


async def test_cancelling_brings_the_vendor_order_back_to_zero_and_is_read_once(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        order = await place_order(session, [
            Line(world.vendors[0], world.variants[0], "food", 3_333, 3),
            Line(world.vendors[0], world.variants[0], "fashion_beauty", 12_345, 1),
        ], placed_at=seoul(WEEK1), delivery_fees={world.vendors[0].id: 3_000})
        (vendor_order,) = order.vendor_orders
        await refund(session, vendor_order, at=seoul(WEEK1, 13),
                     lines=[(vendor_order.lines[0], 1)])
        await refund(session, vendor_order, at=seoul(WEEK1, 14), amount=777)  # goodwill
        await cancel(session, vendor_order, at=seoul(WEEK1, 15))
        await session.commit()
        names = (await session.scalars(select(OutboxEvent.name).order_by(OutboxEvent.id))).all()
    assert names[-1] == "vendor_order.cancelled"
    relay = Relay(session_factory)
    assert await relay.deliver(again=True) == 4  # sale and three refunds; nothing twice
    async with session_factory() as session:
        row = await session.get(VendorOrder, vendor_order.id)
        assert row is not None and row.refunded_amount == row.total
        assert await _payable(session, vendor_order.id) == 0
        commission = await session.scalar(
            select(func.sum(LedgerEntry.amount))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.vendor_order_id == vendor_order.id,
                   LedgerEntry.account == Account.COMMISSION_REVENUE)
        )
        assert commission == 0
        assert (await ledger.verify(session)).ok


async def test_a_rate_change_applies_to_later_sales_only(
    world: World, session_factory: Factory
) -> None:
    relay = Relay(session_factory)
    async with session_factory() as session:
        first = await place_order(session, [Line(world.vendors[0], world.variants[0], "food",
                                                 10_000, 1)], placed_at=seoul(WEEK1))
        await session.commit()
    await relay.deliver()
    async with session_factory() as session:
        await services.set_category_rate(session, "food", 1_000, world.admin, note="테스트")
        await services.set_vendor_rate(session, world.vendors[1].id, 200, world.admin,
                                       reason="창업 지원")
    async with session_factory() as session:
        second = await place_order(session, [
            Line(world.vendors[0], world.variants[0], "food", 10_000, 1),
            Line(world.vendors[1], world.variants[1], "food", 10_000, 1),
        ], placed_at=seoul(WEEK1, 15))
        (old,) = (await session.scalars(select(VendorOrder).where(
            VendorOrder.order_id == first.id))).all()
        await refund(session, old, at=seoul(WEEK1, 16), lines=[(old.lines[0], 1)])
        await session.commit()
    await relay.deliver()
    async with session_factory() as session:
        rows = (await session.execute(
            select(LedgerTransaction.vendor_order_id, LedgerTransaction.kind, LedgerEntry.rate_bp,
                   LedgerEntry.amount)
            .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
            .where(LedgerEntry.account == Account.COMMISSION_REVENUE)
            .order_by(LedgerTransaction.id)
        )).all()
        new = {v.vendor_id: v.id for v in second.vendor_orders}
    assert rows == [
        (old.id, TransactionKind.SALE, 500, -500),  # charged at 5%, kept at 5%
        (new[world.vendors[0].id], TransactionKind.SALE, 1_000, -1_000),
        (new[world.vendors[1].id], TransactionKind.SALE, 200, -200),  # the vendor's own rate
        (old.id, TransactionKind.REFUND, 500, 500),  # reversed at the rate charged
    ]


async def test_the_database_refuses_to_post_an_unbalanced_transaction(
    world: World, session_factory: Factory
) -> None:
    vendor = world.vendors[0].id
    async with session_factory() as session:
        txn = LedgerTransaction(key="test:unbalanced", kind=TransactionKind.PAYOUT,
                                vendor_id=vendor, occurred_at=seoul(WEEK1), gross=100,
                                posted=False, entries=[
                                    LedgerEntry(account=Account.VENDOR_PAYABLE, vendor_id=vendor,
                                                amount=100),
                                    LedgerEntry(account=Account.PAYOUTS, amount=-99),
                                ])
        session.add(txn)
        await session.flush()
        txn.posted = True
        with pytest.raises((IntegrityError, DBAPIError)):
            await session.flush()
        await session.rollback()


async def test_posted_entries_cannot_change_and_verify_finds_what_slipped_past(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        await place_order(session, [Line(world.vendors[0], world.variants[0], "food", 10_000, 1)],
                          placed_at=seoul(WEEK1))
        await session.commit()
    await Relay(session_factory).deliver()
    async with session_factory() as session:
        with pytest.raises((IntegrityError, DBAPIError)):
            await session.execute(text("UPDATE ledger_entries SET amount = amount + 1"))
        await session.rollback()
        with pytest.raises((IntegrityError, DBAPIError)):
            await session.execute(text(
                "INSERT INTO ledger_entries (transaction_id, account, amount, created_at, "
                "updated_at) SELECT id, 'payouts', 5, created_at, updated_at "
                "FROM ledger_transactions"
            ))
        await session.rollback()
        for statement in ("DELETE FROM ledger_entries", "DELETE FROM ledger_transactions"):
            with pytest.raises((IntegrityError, DBAPIError)):
                await session.execute(text(statement))
            await session.rollback()
        assert await session.scalar(text("SELECT count(*) FROM ledger_entries")) == 3
    # An unposted, unbalanced transaction: PostgreSQL refuses it at commit; SQLite has no
    # deferred triggers, so the verification query is what finds it.
    async with session_factory() as session:
        session.add(LedgerTransaction(
            key="test:left-unposted", kind=TransactionKind.PAYOUT, vendor_id=world.vendors[0].id,
            occurred_at=seoul(WEEK1), gross=1, posted=False,
            entries=[LedgerEntry(account=Account.PAYOUTS, amount=-1)],
        ))
        if session.get_bind().dialect.name == "postgresql":
            with pytest.raises((IntegrityError, DBAPIError)):
                await session.commit()
            await session.rollback()
            assert (await ledger.verify(session)).ok
        else:
            await session.commit()
            check = await ledger.verify(session)
            assert not check.ok
            assert [key for _, key, _ in check.unbalanced] == ["test:left-unposted"]
            assert [key for _, key in check.unposted] == ["test:left-unposted"]
            assert check.grand_total == -1

"""Payouts: a statement is paid once, through the bank bulk-transfer file or Stripe Connect
(at the HTTP boundary, a fake Stripe); paying records the payout in the ledger, and an open
payout is never paid again from a later statement."""

from __future__ import annotations

import datetime as dt

import pytest
import stripe
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict, Forbidden, InvalidInput
from infra.outbox import OutboxEvent
from shop.settlement import bankfile, ledger, payouts, services, statements
from shop.settlement.models import (
    LedgerTransaction,
    PayoutBatchStatus,
    PayoutItemStatus,
    PayoutMethod,
    SettlementStatement,
    TransactionKind,
)
from shop.settlement.payouts import AccountForm, BankTransferProvider, StripeConnectProvider
from tests.fixtures.outbox import seoul
from tests.shop.settlement.conftest import WEEK1, World
from tests.shop.settlement.fake_stripe import FakeStripeServer
from tests.shop.settlement.world import Line, Relay, place_order

Factory = async_sessionmaker[AsyncSession]
WEEK2 = WEEK1 + dt.timedelta(days=7)
WEEK3 = WEEK2 + dt.timedelta(days=7)
LATER = seoul(WEEK3 + dt.timedelta(days=28))
BANK = AccountForm(method="bank_transfer", bank_code="088", account_number="110-123-456789",
                   holder_name="햇살협동조합")


def stripe_client(server: FakeStripeServer) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_fake", base_addresses={"api": server.url},
                               max_network_retries=0)


async def _sell(world: World, factory: Factory, vendor: int, amount: int, day: dt.date) -> None:
    async with factory() as session:
        await place_order(session, [Line(world.vendors[vendor], world.variants[vendor], "food",
                                         amount, 1)], placed_at=seoul(day, 11))
        await session.commit()
    await Relay(factory).deliver()


async def _close(factory: Factory, week: dt.date) -> list[SettlementStatement]:
    async with factory() as session:
        (*_, closed) = await services.close_week(session, week, now=LATER)
    return closed.statements


async def test_payout_accounts_are_checked_field_by_field_and_kept_by_owners(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        with pytest.raises(InvalidInput) as refused:
            await payouts.save_payout_account(session, world.vendors[0].id, world.owners[0],
                                              AccountForm(method="bank_transfer", bank_code="999",
                                                          account_number="12-ab",
                                                          holder_name=""))
        fields = {e["field"] for e in refused.value.extra["errors"]}
        assert fields == {"bank_code", "account_number", "holder_name"}
        with pytest.raises(Forbidden):
            await payouts.save_payout_account(session, world.vendors[0].id, world.staff, BANK)
        account = await payouts.save_payout_account(session, world.vendors[0].id,
                                                    world.owners[0], BANK)
        assert (account.bank_code, account.account_number) == ("088", "110123456789")


async def test_bank_batch_file_then_marked_sent_pays_each_statement_once(
    world: World, session_factory: Factory
) -> None:
    await _sell(world, session_factory, 0, 100_000, WEEK1)  # owed 95,000
    await _sell(world, session_factory, 1, 50_000, WEEK1)  # no payout account: not paid yet
    await _close(session_factory, WEEK1)
    async with session_factory() as session:
        await payouts.save_payout_account(session, world.vendors[0].id, world.owners[0], BANK)
        batch = await payouts.create_batch(session, PayoutMethod.BANK_TRANSFER, world.admin)
        assert (batch.item_count, batch.total) == (1, 95_000)
        (item,) = batch.items
        name, content = await payouts.bank_file(session, batch.id)
    assert name.startswith(f"jangteo-payout-{batch.id}-") and name.endswith(".csv")
    rows = content.decode(bankfile.ENCODING).split("\r\n")
    assert rows[0] == "은행코드,계좌번호,이체금액,예금주,받는분통장표시,보내는분통장표시,메모"
    note = f"장터정산{item.statement_id % 1000:03d}"
    assert rows[1] == (f"088,110123456789,95000,햇살협동조합,{note},"
                       f"햇살협동조합,정산서 #{item.statement_id} {WEEK1.isoformat()}")
    assert rows[2:] == [""]

    async with session_factory() as session:
        with pytest.raises(Conflict) as refused:  # the statement is already in a batch
            await payouts.create_batch(session, PayoutMethod.BANK_TRANSFER, world.admin)
        assert refused.value.code == "nothing_to_pay"
    async with session_factory() as session:
        sent = await payouts.send_batch(session, batch.id, BankTransferProvider(), world.admin,
                                        now=seoul(WEEK2, 10))
        assert sent.status is PayoutBatchStatus.SENT
        assert [i.status for i in sent.items] == [PayoutItemStatus.PAID]
        with pytest.raises(Conflict):
            await payouts.send_batch(session, batch.id, BankTransferProvider(), world.admin)
        assert await ledger.vendor_balance(session, world.vendors[0].id) == 0
        assert await session.scalar(select(func.count(LedgerTransaction.id)).where(
            LedgerTransaction.kind == TransactionKind.PAYOUT)) == 1
        assert "settlement.payout_paid" in (await session.scalars(select(OutboxEvent.name))).all()
        assert (await ledger.verify(session)).ok

    week2 = {s.vendor_id: s for s in await _close(session_factory, WEEK2)}
    paid = week2[world.vendors[0].id]
    assert (paid.opening_balance, paid.payouts, paid.closing_balance) == (95_000, 95_000, 0)
    async with session_factory() as session:
        lines = await statements.lines_of(session, paid.id)
        assert [(ln.kind, ln.payouts, ln.amount) for ln in lines] == [
            (TransactionKind.PAYOUT, 95_000, -95_000)]
        first = await session.scalar(select(SettlementStatement).where(
            SettlementStatement.id == item.statement_id))
        states = await payouts.payout_states(session, [first, paid])  # type: ignore[list-item]
        assert states[item.statement_id].state is payouts.PayoutState.PAID
        assert states[paid.id].state is payouts.PayoutState.NOTHING


async def test_a_payout_still_open_is_not_paid_again_from_the_next_statement(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        await payouts.save_payout_account(session, world.vendors[0].id, world.owners[0], BANK)
    await _sell(world, session_factory, 0, 100_000, WEEK1)
    await _close(session_factory, WEEK1)
    async with session_factory() as session:
        first = await payouts.create_batch(session, PayoutMethod.BANK_TRANSFER, world.admin)
    await _sell(world, session_factory, 0, 20_000, WEEK2)  # owed 19,000 more
    (week2,) = await _close(session_factory, WEEK2)
    assert week2.closing_balance == 95_000 + 19_000  # the open batch has not paid yet
    async with session_factory() as session:
        old = await session.get(SettlementStatement, first.items[0].statement_id)
        states = await payouts.payout_states(session, [old, week2])  # type: ignore[list-item]
        assert states[old.id].state is payouts.PayoutState.IN_BATCH  # type: ignore[union-attr]
        assert (states[week2.id].state, states[week2.id].amount) == (
            payouts.PayoutState.PAYABLE, 19_000)
        second = await payouts.create_batch(session, PayoutMethod.BANK_TRANSFER, world.admin)
        assert second.total == 19_000
    async with session_factory() as session:
        for batch in (second, first):
            await payouts.send_batch(session, batch.id, BankTransferProvider(), world.admin,
                                     now=seoul(WEEK3, 10))
    (week3,) = await _close(session_factory, WEEK3)
    assert (week3.payouts, week3.closing_balance) == (114_000, 0)


async def test_cancelling_a_batch_makes_its_statements_payable_again(
    world: World, session_factory: Factory
) -> None:
    async with session_factory() as session:
        await payouts.save_payout_account(session, world.vendors[0].id, world.owners[0], BANK)
    await _sell(world, session_factory, 0, 10_000, WEEK1)
    await _close(session_factory, WEEK1)
    async with session_factory() as session:
        batch = await payouts.create_batch(session, PayoutMethod.BANK_TRANSFER, world.admin)
        cancelled = await payouts.cancel_batch(session, batch.id, world.admin, "계좌 확인 필요")
        assert cancelled.status is PayoutBatchStatus.CANCELLED and cancelled.items == []
        assert "계좌 확인 필요" in cancelled.note
        again = await payouts.create_batch(session, PayoutMethod.BANK_TRANSFER, world.admin)
        assert again.total == 9_500


async def test_stripe_connect_transfers_once_per_item_and_retries_with_the_same_key(
    world: World, session_factory: Factory, fake_stripe: FakeStripeServer
) -> None:
    async with session_factory() as session:
        for i, acct in enumerate(["acct_1TeaVillage01", "acct_1GreenWorks02"]):
            await payouts.save_payout_account(
                session, world.vendors[i + 1].id, world.owners[i + 1],
                AccountForm(method="stripe_connect", stripe_account_id=acct))
    await _sell(world, session_factory, 1, 40_000, WEEK1)  # 38,000
    await _sell(world, session_factory, 2, 20_000, WEEK1)  # 19,000
    await _close(session_factory, WEEK1)
    provider = StripeConnectProvider(stripe_client(fake_stripe))
    fake_stripe.refuse.add("acct_1GreenWorks02")
    async with session_factory() as session:
        batch = await payouts.create_batch(session, PayoutMethod.STRIPE_CONNECT, world.admin)
        assert batch.total == 57_000
        with pytest.raises(Conflict) as refused:
            await payouts.bank_file(session, batch.id)
        assert refused.value.code == "not_a_bank_transfer_batch"
        with pytest.raises(Conflict):
            await payouts.send_batch(session, batch.id, BankTransferProvider(), world.admin)
        result = await payouts.send_batch(session, batch.id, provider, world.admin)
    by_account = {i.stripe_account_id: i for i in result.items}
    tea, green = by_account["acct_1TeaVillage01"], by_account["acct_1GreenWorks02"]
    assert tea.status is PayoutItemStatus.PAID and tea.transfer_id.startswith("tr_")
    assert green.status is PayoutItemStatus.FAILED and "No such destination" in green.error
    assert result.status is PayoutBatchStatus.CREATED  # not every item is paid yet
    (first, second) = fake_stripe.transfer_requests()
    assert first.form["amount"] == "38000" and first.form["currency"] == "krw"
    assert first.form["destination"] == "acct_1TeaVillage01"
    assert first.form["metadata[statement_id]"] == str(tea.statement_id)
    assert first.headers["idempotency-key"] == f"jangteo-payout-item-{tea.id}"
    assert second.headers["idempotency-key"] == f"jangteo-payout-item-{green.id}"

    fake_stripe.refuse.clear()
    async with session_factory() as session:
        done = await payouts.send_batch(session, batch.id, provider, world.admin)
    assert done.status is PayoutBatchStatus.SENT
    retry = fake_stripe.transfer_requests()[2:]
    # Only the failed item went again, under its own key (Stripe keeps no result for a refused
    # request, so the same key runs again once the destination exists).
    assert [(r.form["destination"], r.headers["idempotency-key"]) for r in retry] == [
        ("acct_1GreenWorks02", f"jangteo-payout-item-{green.id}")]
    assert len(fake_stripe.transfers) == 2
    async with session_factory() as session:
        assert await ledger.vendor_balance(session, world.vendors[1].id) == 0
        assert await ledger.vendor_balance(session, world.vendors[2].id) == 0
        assert (await ledger.verify(session)).ok

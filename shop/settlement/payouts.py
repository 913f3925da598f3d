"""Paying vendors what their statements say, behind one provider interface.

A vendor registers a payout account: a Korean bank account (bank code, account number,
holder) or a Stripe connected account (``acct_…``). The admin creates a *payout batch* for
one method: each vendor's latest closed statement with money to pay becomes a
:class:`PayoutItem` (``statement_id`` is unique: a statement is paid once), with the account
details copied. Then the batch is sent through its provider:

- :class:`BankTransferProvider`: the admin downloads the bulk-transfer file
  (:mod:`shop.settlement.bankfile`), uploads it at the bank, and marks the batch sent; every
  item is then paid.
- :class:`StripeConnectProvider`: one Stripe transfer per item (``destination=acct_…``,
  ``currency=krw``, idempotency key ``jangteo-payout-item-<id>``); an item whose transfer
  fails stays ``failed`` with Stripe's message and is retried by sending the batch again (the
  same key, so Stripe never pays twice).

An item becomes paid in one transaction with its payout ledger entry and a
``settlement.payout_paid`` event.

How much a statement pays: its closing balance, less the vendor's payouts that no statement up
to it shows yet (those in open batches, or sent after it closed). An older statement that a
newer one carried forward is not paid on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from typing import Any, ClassVar, Protocol

import anyio.to_thread
import stripe
from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import as_utc, utcnow
from infra.db import dialect_name, transaction
from infra.errors import Conflict, InvalidInput, NotFound
from infra.outbox import record
from shop.settlement import bankfile, ledger, rules
from shop.settlement.errors import SettlementErrorCode as Code
from shop.settlement.events import PayoutPaid
from shop.settlement.models import (
    LedgerTransaction,
    PayoutAccount,
    PayoutBatch,
    PayoutBatchStatus,
    PayoutItem,
    PayoutItemStatus,
    PayoutMethod,
    SettlementStatement,
    SettlementStatementLine,
)
from shop.settlement.services import serialise
from shop.vendors.access import vendor_for_member

STRIPE_ACCOUNT = re.compile(r"^acct_[A-Za-z0-9]{6,40}$")


class PayoutFailed(Exception):
    """The provider refused one transfer; the message is safe to show the admin."""


# -- payout accounts ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AccountForm:
    method: str
    bank_code: str = ""
    account_number: str = ""
    holder_name: str = ""
    stripe_account_id: str = ""


def _problems(form: AccountForm) -> tuple[PayoutMethod, dict[str, tuple[Code, str]]]:
    problems: dict[str, tuple[Code, str]] = {}
    method = next((m for m in PayoutMethod if m.value == form.method), None)
    if method is None:
        problems["method"] = (Code.INVALID_PAYOUT_METHOD, "지급 방법을 골라 주세요.")
        return PayoutMethod.BANK_TRANSFER, problems
    if method is PayoutMethod.BANK_TRANSFER:
        if form.bank_code not in bankfile.BANK_CODES:
            problems["bank_code"] = (Code.INVALID_BANK_CODE, "은행을 목록에서 골라 주세요.")
        number = bankfile.clean_account_number(form.account_number)
        if (message := bankfile.account_number_problem(number)) is not None:
            problems["account_number"] = (Code.INVALID_ACCOUNT_NUMBER, message)
        if (message := bankfile.holder_problem(form.holder_name.strip())) is not None:
            problems["holder_name"] = (Code.INVALID_HOLDER, message)
    elif not STRIPE_ACCOUNT.match(form.stripe_account_id.strip()):
        problems["stripe_account_id"] = (
            Code.INVALID_STRIPE_ACCOUNT,
            "Stripe 연결 계정 ID는 acct_로 시작합니다 (예: acct_1A2b3C4d5E).",
        )
    return method, problems


async def payout_account(session: AsyncSession, vendor_id: int) -> PayoutAccount | None:
    return await session.scalar(
        select(PayoutAccount).where(PayoutAccount.vendor_id == vendor_id)
    )


async def save_payout_account(
    session: AsyncSession, vendor_id: int, actor: User, form: AccountForm
) -> PayoutAccount:
    """Register or change where the vendor is paid (the vendor's owner, or an admin). Every
    wrong field is reported at once; nothing is saved then."""
    await vendor_for_member(session, actor, vendor_id, owner_only=True)
    method, problems = _problems(form)
    if problems:
        field, (code, message) = next(iter(problems.items()))
        raise InvalidInput(code, message, field=field, extra={"errors": [
            {"field": f, "message": m, "code": c.value} for f, (c, m) in problems.items()
        ]})
    async with transaction(session):
        account = await payout_account(session, vendor_id)
        if account is None:
            account = PayoutAccount(vendor_id=vendor_id, method=method)
            session.add(account)
        account.method = method
        if method is PayoutMethod.BANK_TRANSFER:
            account.bank_code = form.bank_code
            account.account_number = bankfile.clean_account_number(form.account_number)
            account.holder_name = form.holder_name.strip()
            account.stripe_account_id = ""
        else:
            account.stripe_account_id = form.stripe_account_id.strip()
            account.bank_code = account.account_number = account.holder_name = ""
        account.updated_by_user_id = actor.id
    await session.refresh(account)
    return account


# -- providers ------------------------------------------------------------------------------------


class PayoutProvider(Protocol):
    method: ClassVar[PayoutMethod]

    async def pay(self, item: PayoutItem) -> str:
        """Send ``item.amount`` to the item's account; return the provider's reference.
        Raises :class:`PayoutFailed` when the provider refuses."""
        ...


class BankTransferProvider:
    """Korean banks through a bulk-transfer upload: the money moves when the admin runs the
    uploaded file at the bank; sending the batch records that it did."""

    method: ClassVar[PayoutMethod] = PayoutMethod.BANK_TRANSFER

    async def pay(self, item: PayoutItem) -> str:
        return f"bank-file:batch-{item.batch_id}"

    @staticmethod
    def file(batch: PayoutBatch, statements: dict[int, SettlementStatement]) -> bytes:
        return bankfile.render([
            bankfile.Transfer(
                bank_code=item.bank_code, account_number=item.account_number,
                amount=item.amount, holder=item.holder_name, vendor_name=item.vendor_name,
                statement_id=item.statement_id,
                week_start=statements[item.statement_id].week_start,
            )
            for item in batch.items
        ])


class StripeConnectProvider:
    """Stripe Connect transfers from the platform balance to the vendor's connected account."""

    method: ClassVar[PayoutMethod] = PayoutMethod.STRIPE_CONNECT

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @staticmethod
    def idempotency_key(item: PayoutItem) -> str:
        return f"jangteo-payout-item-{item.id}"

    async def pay(self, item: PayoutItem) -> str:
        params: dict[str, Any] = {
            "amount": item.amount,
            "currency": "krw",
            "destination": item.stripe_account_id,
            "transfer_group": f"jangteo-payout-batch-{item.batch_id}",
            "description": f"장터 정산 (정산서 #{item.statement_id})",
            "metadata": {"payout_item_id": str(item.id), "statement_id": str(item.statement_id),
                         "vendor_id": str(item.vendor_id)},
        }
        options: dict[str, Any] = {"idempotency_key": self.idempotency_key(item)}

        def transfer() -> str:
            created = self.client.v1.transfers.create(params=params,  # type: ignore[arg-type]
                                                      options=options)  # type: ignore[arg-type]
            return str(created.id)

        try:
            return await anyio.to_thread.run_sync(transfer)
        except stripe.StripeError as exc:
            message = exc.user_message or str(exc) or "Stripe 송금에 실패했습니다."
            raise PayoutFailed(message) from exc


# -- what a statement pays ------------------------------------------------------------------------


class PayoutState(enum.StrEnum):
    PAID = "paid"  # 지급 완료
    IN_BATCH = "in_batch"  # 지급 진행 중
    PAYABLE = "payable"  # 지급 예정
    CARRIED = "carried"  # 다음 정산서로 이월
    NOTHING = "nothing"  # 지급할 금액 없음

    @property
    def label(self) -> str:
        return {"paid": "지급 완료", "in_batch": "지급 진행 중", "payable": "지급 예정",
                "carried": "다음 정산서로 이월", "nothing": "지급할 금액 없음"}[self.value]


@dataclasses.dataclass(frozen=True)
class StatementPayout:
    state: PayoutState
    amount: int  # paid or being paid (item), or payable now; 0 otherwise
    item: PayoutItem | None = None


async def in_flight(session: AsyncSession, vendor_id: int, week_start: dt.date) -> int:
    """The vendor's payouts (open or done) that no statement up to ``week_start`` shows."""
    shown = (
        exists()
        .where(LedgerTransaction.payout_item_id == PayoutItem.id)
        .where(SettlementStatementLine.transaction_id == LedgerTransaction.id)
        .where(SettlementStatement.id == SettlementStatementLine.statement_id)
        .where(SettlementStatement.week_start <= week_start)
    )
    total = await session.scalar(
        select(func.coalesce(func.sum(PayoutItem.amount), 0))
        .where(PayoutItem.vendor_id == vendor_id, ~shown)
    )
    return int(total or 0)


async def payout_states(
    session: AsyncSession, statements: list[SettlementStatement]
) -> dict[int, StatementPayout]:
    if not statements:
        return {}
    ids = [s.id for s in statements]
    items = {i.statement_id: i for i in (await session.scalars(
        select(PayoutItem).where(PayoutItem.statement_id.in_(ids))
    )).all()}
    vendor_ids = {s.vendor_id for s in statements}
    latest = dict((await session.execute(
        select(SettlementStatement.vendor_id, func.max(SettlementStatement.week_start))
        .where(SettlementStatement.vendor_id.in_(vendor_ids))
        .group_by(SettlementStatement.vendor_id)
    )).all())
    out = {}
    for s in statements:
        item = items.get(s.id)
        if item is not None:
            paid = item.status is PayoutItemStatus.PAID
            state = PayoutState.PAID if paid else PayoutState.IN_BATCH
            out[s.id] = StatementPayout(state, item.amount, item)
        elif latest.get(s.vendor_id) != s.week_start:
            out[s.id] = StatementPayout(PayoutState.CARRIED, 0)
        else:
            amount = s.closing_balance - await in_flight(session, s.vendor_id, s.week_start)
            out[s.id] = (StatementPayout(PayoutState.PAYABLE, amount) if amount > 0
                         else StatementPayout(PayoutState.NOTHING, 0))
    return out


# -- batches --------------------------------------------------------------------------------------


async def batch_or_404(session: AsyncSession, batch_id: int) -> PayoutBatch:
    batch = await session.scalar(
        select(PayoutBatch).where(PayoutBatch.id == batch_id)
        .execution_options(populate_existing=True)
    )
    if batch is None:
        raise NotFound(Code.BATCH_NOT_FOUND, "지급 배치를 찾을 수 없습니다.", field="batch_id")
    return batch


async def batches(session: AsyncSession, limit: int = 50) -> list[PayoutBatch]:
    return list((await session.scalars(
        select(PayoutBatch).order_by(PayoutBatch.id.desc()).limit(limit)
    )).all())


def parse_method(raw: str | None, field: str = "method") -> PayoutMethod:
    method = next((m for m in PayoutMethod if m.value == raw), None)
    if method is None:
        raise InvalidInput(Code.INVALID_PAYOUT_METHOD,
                           "지급 방법은 bank_transfer 또는 stripe_connect입니다.", field=field)
    return method


def _account_usable(account: PayoutAccount) -> bool:
    if account.method is PayoutMethod.BANK_TRANSFER:
        return account.bank_code in bankfile.BANK_CODES and not bankfile.account_number_problem(
            account.account_number)
    return bool(STRIPE_ACCOUNT.match(account.stripe_account_id))


@dataclasses.dataclass(frozen=True)
class Candidate:
    statement: SettlementStatement
    amount: int
    account: PayoutAccount | None


async def candidates(session: AsyncSession) -> list[Candidate]:
    """Every vendor's latest statement that has money to pay and is in no batch yet, with the
    vendor's payout account (None: not registered, so it cannot be paid yet)."""
    latest = (
        select(SettlementStatement.vendor_id, func.max(SettlementStatement.week_start).label("w"))
        .group_by(SettlementStatement.vendor_id).subquery()
    )
    in_batch = exists().where(PayoutItem.statement_id == SettlementStatement.id)
    rows = (await session.execute(
        select(SettlementStatement, PayoutAccount)
        .join(latest, (latest.c.vendor_id == SettlementStatement.vendor_id)
              & (latest.c.w == SettlementStatement.week_start))
        .outerjoin(PayoutAccount, PayoutAccount.vendor_id == SettlementStatement.vendor_id)
        .where(~in_batch, SettlementStatement.closing_balance > 0)
        .order_by(SettlementStatement.vendor_name, SettlementStatement.id)
    )).all()
    out = []
    for statement, account in rows:
        amount = statement.closing_balance - await in_flight(
            session, statement.vendor_id, statement.week_start)
        if amount > 0:
            out.append(Candidate(statement, amount, account))
    return out


async def create_batch(
    session: AsyncSession,
    method: PayoutMethod,
    actor: User,
    *,
    statement_ids: list[int] | None = None,
    note: str = "",
) -> PayoutBatch:
    """A batch of every payable statement whose vendor is paid by ``method`` (or only
    ``statement_ids`` among them). 409 ``nothing_to_pay`` when none qualifies."""
    async with transaction(session):
        await serialise(session)
        chosen = [
            c for c in await candidates(session)
            if c.account is not None and c.account.method is method and _account_usable(c.account)
            and (statement_ids is None or c.statement.id in statement_ids)
        ]
        if statement_ids is not None:
            missing = set(statement_ids) - {c.statement.id for c in chosen}
            if missing:
                raise Conflict(
                    Code.NOTHING_TO_PAY,
                    f"정산서 {', '.join(f'#{i}' for i in sorted(missing))}은(는) 이 방법으로 "
                    "지급할 수 없습니다 (이미 지급 중이거나, 이월되었거나, 지급 계좌가 없습니다).",
                    field="statement_ids", extra={"statement_ids": sorted(missing)},
                )
        if not chosen:
            raise Conflict(Code.NOTHING_TO_PAY, f"{method.label}(으)로 지급할 정산서가 없습니다.",
                           field="method")
        batch = PayoutBatch(method=method, status=PayoutBatchStatus.CREATED,
                            total=sum(c.amount for c in chosen), item_count=len(chosen),
                            note=note.strip()[:500], created_by_user_id=actor.id)
        session.add(batch)
        await session.flush()
        for c in chosen:
            account = c.account
            assert account is not None
            session.add(PayoutItem(
                batch_id=batch.id, statement_id=c.statement.id, vendor_id=c.statement.vendor_id,
                vendor_name=c.statement.vendor_name, amount=c.amount,
                bank_code=account.bank_code, account_number=account.account_number,
                holder_name=account.holder_name, stripe_account_id=account.stripe_account_id,
            ))
    return await batch_or_404(session, batch.id)


async def bank_file(session: AsyncSession, batch_id: int) -> tuple[str, bytes]:
    """The bulk-transfer upload file of a bank batch: (file name, CP949 bytes)."""
    batch = await batch_or_404(session, batch_id)
    if batch.method is not PayoutMethod.BANK_TRANSFER:
        raise Conflict(Code.NOT_A_BANK_BATCH, "계좌 이체 배치만 은행 파일을 받을 수 있습니다.",
                       field="batch_id")
    if batch.status is PayoutBatchStatus.CANCELLED:
        raise Conflict(Code.BATCH_WRONG_STATE, "취소된 배치입니다.", field="batch_id")
    statements = {s.id: s for s in (await session.scalars(
        select(SettlementStatement).where(
            SettlementStatement.id.in_([i.statement_id for i in batch.items]))
    )).all()}
    day = as_utc(batch.created_at).astimezone(rules.SEOUL).date().isoformat()
    return (f"jangteo-payout-{batch.id}-{day}.csv",
            BankTransferProvider.file(batch, statements))


async def _lock_item(session: AsyncSession, item_id: int) -> PayoutItem:
    stmt = select(PayoutItem).where(PayoutItem.id == item_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    else:  # SQLite: take the write lock before reading
        await session.execute(
            update(PayoutItem).where(PayoutItem.id == item_id).values(status=PayoutItem.status)
        )
    item = await session.scalar(stmt.execution_options(populate_existing=True))
    assert item is not None
    return item


async def send_batch(
    session: AsyncSession, batch_id: int, provider: PayoutProvider, actor: User,
    *, now: dt.datetime | None = None,
) -> PayoutBatch:
    """Pay every item of the batch that is not paid yet, through ``provider``; the batch is
    sent once every item is paid. Each item is paid in its own transaction (row locked, so two
    admins sending at once pay it once) together with its ledger entry and event."""
    batch = await batch_or_404(session, batch_id)
    if batch.method is not provider.method:
        code = (Code.NOT_A_STRIPE_BATCH if provider.method is PayoutMethod.STRIPE_CONNECT
                else Code.NOT_A_BANK_BATCH)
        raise Conflict(code, f"이 배치는 {batch.method.label} 배치입니다.", field="batch_id")
    if batch.status is not PayoutBatchStatus.CREATED:
        raise Conflict(Code.BATCH_WRONG_STATE,
                       f"'{batch.status.label}' 상태의 배치는 송금할 수 없습니다.",
                       field="batch_id")
    for item_id in [i.id for i in batch.items]:
        async with transaction(session):  # one item, one transaction (see above)
            item = await _lock_item(session, item_id)
            if item.status is PayoutItemStatus.PAID:
                continue  # paid by another admin meanwhile: nothing is written
            try:
                reference = await provider.pay(item)
            except PayoutFailed as exc:
                item.status, item.error = PayoutItemStatus.FAILED, str(exc)[:1000]
                continue
            paid_at = now or utcnow()
            item.status, item.transfer_id, item.paid_at, item.error = (
                PayoutItemStatus.PAID, reference[:100], paid_at, "")
            await ledger.record_payout(
                session, item, paid_at,
                f"{provider.method.label} (배치 #{item.batch_id}, 정산서 #{item.statement_id})",
            )
            record(session, PayoutPaid(
                id=item.id, batch_id=item.batch_id, vendor_id=item.vendor_id,
                statement_id=item.statement_id, amount=item.amount, method=provider.method.value,
                transfer_id=item.transfer_id,
            ))
    async with transaction(session):
        batch = await batch_or_404(session, batch_id)
        if batch.status is PayoutBatchStatus.CREATED and all(
            i.status is PayoutItemStatus.PAID for i in batch.items
        ):
            batch.status, batch.sent_at, batch.sent_by_user_id = (
                PayoutBatchStatus.SENT, now or utcnow(), actor.id)
    return await batch_or_404(session, batch_id)


async def cancel_batch(
    session: AsyncSession, batch_id: int, actor: User, reason: str = ""
) -> PayoutBatch:
    """Give up a batch before any money left: its statements can go into a new batch."""
    batch = await batch_or_404(session, batch_id)
    if batch.status is not PayoutBatchStatus.CREATED or any(
        i.status is PayoutItemStatus.PAID for i in batch.items
    ):
        raise Conflict(Code.BATCH_WRONG_STATE,
                       "송금이 시작된 배치는 취소할 수 없습니다.", field="batch_id")
    async with transaction(session):
        for item in list(batch.items):
            await session.delete(item)
        batch.status = PayoutBatchStatus.CANCELLED
        why = reason.strip() or "사유 없음"
        batch.note = (batch.note + f"\n취소: {why} (사용자 #{actor.id})").strip()
    return await batch_or_404(session, batch_id)

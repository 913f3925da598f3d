"""Settlement use cases: commission rates (admin), and closing settlement weeks.

Closing a week writes, for every vendor with ledger activity or a balance carried over, one
statement: the opening balance (the previous statement's closing balance), the movements
(every vendor entry not yet on a statement whose transaction happened before the week's end)
and the closing balance, which is the amount payable. An entry that arrives late (an event
delayed past the close) lands on the next statement, never rewrites a closed one. Weeks close
in order; closing a week first closes the earlier weeks that have activity and are not closed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name, transaction
from infra.errors import Conflict, InvalidInput, NotFound
from infra.outbox import record
from shop.catalog.taxonomy import CATEGORY_LABELS, Category
from shop.settlement import rules
from shop.settlement.errors import SettlementErrorCode as Code
from shop.settlement.events import SettlementWeekClosed
from shop.settlement.models import (
    Account,
    CommissionCategoryRate,
    CommissionVendorRate,
    LedgerEntry,
    LedgerTransaction,
    SettlementStatement,
    SettlementStatementLine,
    SettlementWeek,
    TransactionKind,
)
from shop.vendors.models import Vendor

#: The periodic job closes a week this long after it ended, so that events of Sunday night
#: still in flight land in their own week.
CLOSE_GRACE = dt.timedelta(hours=1)
_ADVISORY_LOCK = 7_243_001


async def serialise(session: AsyncSession) -> None:
    """One settlement writer at a time (closing weeks, creating payout batches): an advisory
    lock on PostgreSQL, the write lock on SQLite (a no-op UPDATE takes it)."""
    if dialect_name(session) == "postgresql":
        await session.execute(text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})"))
    else:
        await session.execute(
            update(SettlementWeek).where(SettlementWeek.id == -1)
            .values(closed_by=SettlementWeek.closed_by)
        )


# -- commission rates -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CategoryRateView:
    category: str
    label: str
    rate_bp: int
    is_default: bool
    note: str
    updated_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class VendorRateView:
    vendor_id: int
    vendor_name: str
    rate_bp: int
    reason: str
    updated_at: dt.datetime


async def category_rates(session: AsyncSession) -> list[CategoryRateView]:
    rows = {r.category: r for r in (await session.scalars(select(CommissionCategoryRate))).all()}
    out = []
    for category in Category:
        row = rows.get(category.value)
        out.append(CategoryRateView(
            category=category.value, label=CATEGORY_LABELS[category],
            rate_bp=row.rate_bp if row else rules.DEFAULT_CATEGORY_RATES_BP[category.value],
            is_default=row is None, note=row.note if row else "",
            updated_at=row.updated_at if row else None,
        ))
    return out


async def vendor_rates(session: AsyncSession) -> list[VendorRateView]:
    rows = (await session.execute(
        select(CommissionVendorRate, Vendor.name)
        .join(Vendor, Vendor.id == CommissionVendorRate.vendor_id)
        .order_by(Vendor.name)
    )).all()
    return [VendorRateView(r.vendor_id, name, r.rate_bp, r.reason, r.updated_at)
            for r, name in rows]


_PERCENT = re.compile(r"^\s*(\d{1,2})(?:\.(\d{1,2}))?\s*%?\s*$")


def parse_percent(raw: str, field: str = "rate") -> int:
    """"5", "5.5" or "12.25%" → basis points; two decimals at most."""
    match = _PERCENT.match(raw or "")
    if not match:
        raise InvalidInput(Code.INVALID_RATE, "수수료율은 0~50 사이의 숫자(%)로, 소수점 둘째 "
                           "자리까지 입력해 주세요.", field=field)
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    return check_rate(int(whole) * 100 + int(fraction), field)


def check_rate(rate_bp: object, field: str = "rate_bp") -> int:
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or not (
        0 <= rate_bp <= rules.MAX_RATE_BP
    ):
        raise InvalidInput(
            Code.INVALID_RATE,
            f"수수료율은 0~{rules.MAX_RATE_BP} 베이시스포인트(0~50%) 사이의 정수입니다.",
            field=field,
        )
    return rate_bp


async def set_category_rate(
    session: AsyncSession, category: str, rate_bp: int, actor: User, *, note: str = "",
    field: str = "rate_bp",
) -> CategoryRateView:
    """Set a category's rate. It applies to sales from now on: a sale keeps the rate it was
    charged at, stored on its entries."""
    if category not in {c.value for c in Category}:
        raise NotFound(Code.UNKNOWN_CATEGORY, "없는 카테고리입니다.", field="category")
    rate_bp = check_rate(rate_bp, field)
    async with transaction(session):
        row = await session.scalar(
            select(CommissionCategoryRate).where(CommissionCategoryRate.category == category)
        )
        if row is None:
            row = CommissionCategoryRate(category=category, rate_bp=rate_bp)
            session.add(row)
        row.rate_bp, row.note, row.updated_by_user_id = rate_bp, note.strip()[:500], actor.id
    return next(v for v in await category_rates(session) if v.category == category)


async def set_vendor_rate(
    session: AsyncSession, vendor_id: int, rate_bp: int, actor: User, *, reason: str = "",
    field: str = "rate_bp",
) -> VendorRateView:
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(Code.VENDOR_NOT_FOUND, "입점기업을 찾을 수 없습니다.", field="vendor_id")
    rate_bp = check_rate(rate_bp, field)
    async with transaction(session):
        row = await session.scalar(
            select(CommissionVendorRate).where(CommissionVendorRate.vendor_id == vendor_id)
        )
        if row is None:
            row = CommissionVendorRate(vendor_id=vendor_id, rate_bp=rate_bp)
            session.add(row)
        row.rate_bp, row.reason, row.updated_by_user_id = rate_bp, reason.strip()[:500], actor.id
    await session.refresh(row)
    return VendorRateView(vendor_id, vendor.name, row.rate_bp, row.reason, row.updated_at)


async def clear_vendor_rate(session: AsyncSession, vendor_id: int) -> bool:
    row = await session.scalar(
        select(CommissionVendorRate).where(CommissionVendorRate.vendor_id == vendor_id)
    )
    if row is None:
        return False
    async with transaction(session):
        await session.delete(row)
    return True


# -- closing weeks ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ClosedWeek:
    week: SettlementWeek
    statements: list[SettlementStatement]
    created: bool


def parse_week(raw: str | None, field: str = "week") -> dt.date | None:
    """``YYYY-MM-DD`` (any day of the week) → its Monday; empty → None."""
    if raw is None or not raw.strip():
        return None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(Code.INVALID_WEEK, "주는 YYYY-MM-DD 형식의 날짜로 입력해 주세요.",
                           field=field) from None
    return rules.week_start(day)


async def _statements_of(session: AsyncSession, week_id: int) -> list[SettlementStatement]:
    return list((await session.scalars(
        select(SettlementStatement).where(SettlementStatement.week_id == week_id)
        .order_by(SettlementStatement.vendor_name, SettlementStatement.id)
    )).all())


async def close_week(
    session: AsyncSession,
    monday: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
    closed_by: str = "system",
    grace: dt.timedelta = dt.timedelta(0),
) -> list[ClosedWeek]:
    """Close the week of ``monday`` (default: the last week that ended ``grace`` ago), and
    before it every earlier week with activity that is not closed yet. Closing a closed week
    returns it unchanged (``created=False``). Raises 409 ``week_not_ended`` for a week still
    running and ``later_week_closed`` for a week before the latest closed one."""
    now = now or utcnow()
    target = rules.week_start(monday) if monday else rules.last_ended_week(now - grace)
    _, end = rules.week_bounds(target)
    if end + grace > now:
        raise Conflict(Code.WEEK_NOT_ENDED,
                       f"{rules.week_label(target)} 주는 아직 끝나지 않았습니다.", field="week")
    async with transaction(session):
        await serialise(session)
        existing = await session.scalar(
            select(SettlementWeek).where(SettlementWeek.week_start == target)
        )
        if existing is not None:
            # Leaving the block ends the transaction (and the lock); nothing was written.
            return [ClosedWeek(existing, await _statements_of(session, existing.id), False)]
        latest = await session.scalar(select(func.max(SettlementWeek.week_start)))
        if latest is not None and target < latest:
            raise Conflict(
                Code.LATER_WEEK_CLOSED,
                f"{rules.week_label(latest)} 주가 이미 마감되어 그 전 주는 마감할 수 없습니다. "
                "늦게 들어온 거래는 다음 정산서에 실립니다.", field="week",
            )
        if latest is not None:
            first = latest + dt.timedelta(days=7)
        else:
            earliest = await session.scalar(
                select(func.min(LedgerTransaction.occurred_at))
                .where(LedgerTransaction.posted.is_(True))
            )
            first = min(rules.week_of(_aware(earliest)), target) if earliest else target
        closed = []
        week = first
        while week <= target:
            closed.append(await _close_one(session, week, now, closed_by))
            week += dt.timedelta(days=7)
    return closed


async def close_due_weeks(
    session: AsyncSession, now: dt.datetime | None = None
) -> list[ClosedWeek]:
    """The periodic job: close every week that ended at least :data:`CLOSE_GRACE` ago."""
    closed = await close_week(session, now=now, closed_by="system (주기 작업)", grace=CLOSE_GRACE)
    return [c for c in closed if c.created]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def line_movements(transaction: LedgerTransaction) -> rules.Movements:
    """What one ledger transaction did to its vendor's payable, as a statement shows it."""
    commission = sum(
        e.amount for e in transaction.entries if e.account is Account.COMMISSION_REVENUE
    )
    if transaction.kind in (TransactionKind.SALE, TransactionKind.INSTITUTIONAL_SALE):
        return rules.Movements(sales=transaction.gross, commission=-commission)
    if transaction.kind is TransactionKind.REFUND:
        return rules.Movements(refunds=transaction.gross, commission_refunded=commission)
    return rules.Movements(payouts=transaction.gross)


async def _close_one(
    session: AsyncSession, monday: dt.date, now: dt.datetime, closed_by: str
) -> ClosedWeek:
    period_start, period_end = rules.week_bounds(monday)
    week = SettlementWeek(week_start=monday, period_start=period_start, period_end=period_end,
                          closed_at=now, closed_by=closed_by[:100])
    session.add(week)
    await session.flush()
    stated = exists().where(SettlementStatementLine.entry_id == LedgerEntry.id)
    rows = (await session.execute(
        select(LedgerEntry, LedgerTransaction)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account == Account.VENDOR_PAYABLE, LedgerTransaction.posted.is_(True),
               LedgerTransaction.occurred_at < period_end, ~stated)
        .order_by(LedgerTransaction.occurred_at, LedgerTransaction.id)
    )).all()
    by_vendor: dict[int, list[tuple[LedgerEntry, LedgerTransaction]]] = {}
    for entry, tx in rows:
        assert entry.vendor_id is not None
        by_vendor.setdefault(entry.vendor_id, []).append((entry, tx))
    latest = (
        select(SettlementStatement.vendor_id, func.max(SettlementStatement.week_start).label("w"))
        .where(SettlementStatement.week_start < monday)
        .group_by(SettlementStatement.vendor_id).subquery()
    )
    previous = dict((await session.execute(
        select(SettlementStatement.vendor_id, SettlementStatement.closing_balance)
        .join(latest, (latest.c.vendor_id == SettlementStatement.vendor_id)
              & (latest.c.w == SettlementStatement.week_start))
    )).all())
    vendor_ids = set(by_vendor) | {v for v, closing in previous.items() if closing != 0}
    names = dict((await session.execute(
        select(Vendor.id, Vendor.name).where(Vendor.id.in_(vendor_ids))
    )).all()) if vendor_ids else {}
    statements = []
    for vendor_id in sorted(vendor_ids, key=lambda v: (names.get(v, ""), v)):
        lines = []
        moved = rules.Movements()
        for entry, tx in by_vendor.get(vendor_id, []):
            movements = line_movements(tx)
            if movements.net != -entry.amount:
                raise AssertionError(f"statement line of {tx.key} does not add up")
            moved = moved + movements
            lines.append(SettlementStatementLine(
                entry_id=entry.id, transaction_id=tx.id, kind=tx.kind,
                occurred_at=tx.occurred_at, order_number=tx.order_number,
                description=tx.description, delivery=tx.delivery,
                sales=movements.sales, commission=movements.commission,
                refunds=movements.refunds, commission_refunded=movements.commission_refunded,
                payouts=movements.payouts, amount=movements.net,
            ))
        opening = previous.get(vendor_id, 0)
        statement = SettlementStatement(
            week_id=week.id, vendor_id=vendor_id, vendor_name=names.get(vendor_id, ""),
            week_start=monday, opening_balance=opening, sales=moved.sales,
            commission=moved.commission, refunds=moved.refunds,
            commission_refunded=moved.commission_refunded, payouts=moved.payouts,
            closing_balance=rules.closing_balance(opening, moved),
        )
        session.add(statement)
        await session.flush()
        for line in lines:
            line.statement_id = statement.id
        session.add_all(lines)
        statements.append(statement)
    await session.flush()
    record(session, SettlementWeekClosed(
        id=week.id, week_start=monday.isoformat(),
        statement_ids=tuple(s.id for s in statements),
    ))
    return ClosedWeek(week, statements, True)

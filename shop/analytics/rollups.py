"""The summary tables: what each one sums, adding a fact to them, and rebuilding or checking
them from the facts.

Every summary is described once (:data:`ROLLUPS`: its table, its period column, its keys), and
both paths use that description: :func:`add` (the worker, in the transaction that inserted a
fact) and :func:`fresh_aggregate` (rebuild and check, one ``GROUP BY`` over the current facts).
A fact is in a summary when none of the summary's keys is missing from it (a booth report
names no product, so it is in no product summary).

Rebuilding while the workers run: on PostgreSQL the worker takes a shared advisory lock on the
month of each fact it writes, the rebuild an exclusive one on the month it refills, so a month
is either refilled before a new fact lands in it or after. SQLite has one writer at a time
(the rebuild takes it first thing in each month's transaction, ``refill.hold_writer``).

A month is refilled daily summaries first, from the month's facts copied once into a narrow
temporary table (decision 90); each monthly twin is then summed from its daily rows (decision
78), and only rows that differ are written (``refill``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import typing
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.db import dialect_name, end_read, transaction
from shop.analytics import buyers, compare, market_days, refill
from shop.analytics.models import (
    RETURN_KINDS,
    DailyPlatformSales,
    DailyProductSales,
    DailyVendorBuyers,
    DailyVendorSales,
    MarketDayAttendance,
    MarketDaySummary,
    MonthlyMutualTrade,
    MonthlyPlatformSales,
    MonthlyProductSales,
    MonthlyVendorSales,
    SalesFact,
)

MEASURES = ("sales_amount", "refund_amount", "net_amount", "quantity", "receipts")
#: The platform summaries also count orders (the facts' ``opens_order``), so the admin
#: dashboard sums them instead of counting distinct orders over the facts.
PLATFORM_MEASURES = (*MEASURES, "orders")
#: Advisory-lock namespace of the month locks (PostgreSQL).
MONTH_LOCK = 7_011
_names = itertools.count()


@dataclasses.dataclass(frozen=True)
class Rollup:
    """One summary table: sums of the current facts per ``period`` and ``keys``."""

    model: type[Any]
    #: ``day`` (the fact's business date) or ``month`` (its business month).
    period: str
    keys: tuple[str, ...]
    measures: tuple[str, ...] = MEASURES
    #: A monthly summary refilled from this daily one's rows (same keys), not from the facts.
    daily: type[Any] | None = None

    @property
    def name(self) -> str:
        return str(self.model.__tablename__)

    @property
    def fact_period(self) -> str:
        return "business_date" if self.period == "day" else "business_month"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.period, *self.keys)


_PLATFORM = ("channel", "enterprise_type", "district")
#: Daily summaries before their monthly twins: the rebuild sums a month from its days.
ROLLUPS: tuple[Rollup, ...] = (
    Rollup(DailyVendorSales, "day", ("vendor_id", "channel")),
    Rollup(DailyProductSales, "day", ("product_id", "vendor_id")),
    Rollup(DailyPlatformSales, "day", _PLATFORM, PLATFORM_MEASURES),
    Rollup(MonthlyVendorSales, "month", ("vendor_id", "channel"), daily=DailyVendorSales),
    Rollup(MonthlyProductSales, "month", ("product_id", "vendor_id"), daily=DailyProductSales),
    Rollup(MonthlyPlatformSales, "month", _PLATFORM, PLATFORM_MEASURES,
           daily=DailyPlatformSales),
    # Only facts naming the buyer's enterprise (mutual trade) or the buyer (purchases).
    Rollup(MonthlyMutualTrade, "month", ("vendor_id", "buyer_vendor_id", "channel")),
    Rollup(DailyVendorBuyers, "day", ("vendor_id", "buyer_key")),
)


def measures(fact: SalesFact) -> dict[str, int]:
    """What one fact adds to every summary it is in."""
    returned = fact.kind in RETURN_KINDS
    return {
        "sales_amount": 0 if returned else fact.net_amount,
        "refund_amount": fact.net_amount if returned else 0,
        "net_amount": fact.net_amount,
        "quantity": fact.quantity,
        "receipts": fact.receipts,
        "orders": fact.opens_order or 0,
    }


def _value(fact: SalesFact, key: str) -> Any:
    value = getattr(fact, key)
    return value.value if hasattr(value, "value") else value


async def add(session: AsyncSession, fact: SalesFact, *, sign: int = 1) -> None:
    """Add ``fact`` (``sign=-1``: take it away) to every summary it belongs in."""
    await add_all(session, [fact], sign=sign)


async def add_all(session: AsyncSession, facts: Sequence[SalesFact], *, sign: int = 1) -> None:
    """Add ``facts`` (``sign=-1``: take them away) to every summary they belong in, in the
    caller's transaction: their amounts are summed per summary row first, then each summary
    gets one multi-row upsert, its rows in key order (two batches touching the same rows
    lock them in the same order, so they wait for each other instead of deadlocking)."""
    if not facts:
        return
    upsert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    amounts = [measures(fact) for fact in facts]
    for rollup in ROLLUPS:
        sums: dict[tuple[Any, ...], list[int]] = {}
        for fact, amount in zip(facts, amounts, strict=True):
            keys = tuple(_value(fact, key) for key in rollup.keys)
            if any(value is None for value in keys):
                continue
            row = sums.setdefault((getattr(fact, rollup.fact_period), *keys),
                                  [0] * len(rollup.measures))
            for n, name in enumerate(rollup.measures):
                row[n] += sign * amount[name]
        if not sums:
            continue
        values = [dict(zip((*rollup.columns, *rollup.measures), (*key, *row), strict=True))
                  for key, row in sorted(sums.items(), key=lambda item: repr(item[0]))]
        # The rows as executemany parameters of one cached statement (see facts._insert_new).
        table = rollup.model.__table__
        stmt = upsert(table)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=list(rollup.columns),
            set_={name: table.c[name] + stmt.excluded[name] for name in rollup.measures},
        ), values)
    for fact in facts:
        await market_days.add_report(session, fact, sign=sign)
    if sign > 0:
        await buyers.add_first(session, facts)


async def lock_month(session: AsyncSession, month: dt.date, *, exclusive: bool) -> None:
    """PostgreSQL: hold the month (shared for a worker adding facts, exclusive for a rebuild)
    until the transaction ends. SQLite serialises writers by itself."""
    if dialect_name(session) != "postgresql":
        return
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    await session.execute(
        text(f"SELECT {fn}(:ns, :key)"), {"ns": MONTH_LOCK, "key": month.year * 100 + month.month}
    )


# -- the facts' own sums ---------------------------------------------------------------------------

Row = tuple[Any, ...]


def _fact_measures() -> dict[str, Any]:
    """What one fact adds to each measure, as SQL over the facts (see :func:`measures`)."""
    returned = SalesFact.kind.in_(sorted(RETURN_KINDS))
    return {
        "sales_amount": case((returned, 0), else_=SalesFact.net_amount),
        "refund_amount": case((returned, SalesFact.net_amount), else_=0),
        "net_amount": SalesFact.net_amount,
        "quantity": SalesFact.quantity,
        "receipts": SalesFact.receipts,
        "orders": SalesFact.opens_order,
    }


def _aggregate_query(rollup: Rollup, first: dt.date | None, last: dt.date | None) -> Any:
    period = getattr(SalesFact, rollup.fact_period)
    keys = [getattr(SalesFact, key) for key in rollup.keys]
    every = _fact_measures()
    sums = [func.sum(every[name]) for name in rollup.measures]
    where = [SalesFact.current.is_(True), *(key.is_not(None) for key in keys)]
    if first is not None:
        where.append(SalesFact.business_month >= first)
    if last is not None:
        where.append(SalesFact.business_month <= last)
    return select(period, *keys, *sums).where(and_(*where)).group_by(period, *keys)


#: The columns of a month's facts the summaries group by (:func:`_month_facts`).
_GROUPED = ("business_date", "vendor_id", "channel", "product_id", "enterprise_type",
            "district", "buyer_vendor_id", "buyer_key")


#: Measures that are 32-bit in the facts themselves: always narrow in a month's facts table.
_NARROW = ("quantity", "receipts", "orders")


async def _month_facts(session: AsyncSession, month: dt.date) -> Table:
    """A temporary table of ``month``'s current facts, narrowed to the columns the summaries
    group by and the measures already split (sales, refunds, …): the facts' heap is read once
    per month instead of once per summary (decision 90). Dropped at commit.

    Its measures are 32-bit integers whenever the month's amounts fit (decision 98): the sum
    of an ``integer`` is a ``bigint`` kept in a machine word, while PostgreSQL sums a
    ``bigint`` into a 128-bit state and hands back a ``numeric`` that every summary row casts
    back — a third of the daily summaries' aggregation time. A month with an amount beyond
    ±2,147,483,647 won (the copy raises; a savepoint takes it back) is copied again with
    64-bit amounts. SQLite's integers are all 64-bit: nothing to choose there."""
    if dialect_name(session) != "postgresql":
        return await _copy_month_facts(session, month, narrow=False)
    try:
        async with session.begin_nested():
            return await _copy_month_facts(session, month, narrow=True)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != _OUT_OF_RANGE:
            raise
    return await _copy_month_facts(session, month, narrow=False)


#: PostgreSQL's "numeric value out of range" (a cast to ``integer`` that does not fit).
_OUT_OF_RANGE = "22003"


async def _copy_month_facts(session: AsyncSession, month: dt.date, *, narrow: bool) -> Table:
    facts = typing.cast(Table, SalesFact.__table__)
    types = {name: Integer if narrow or name in _NARROW else BigInteger
             for name in PLATFORM_MEASURES}
    pg = dialect_name(session) == "postgresql"
    temp = Table(f"analytics_month_facts_{next(_names)}", MetaData(),
                 *(Column(name, facts.c[name].type) for name in _GROUPED),
                 *(Column(name, types[name]) for name in PLATFORM_MEASURES),
                 prefixes=["TEMPORARY"],
                 postgresql_on_commit="DROP")
    connection = await session.connection()
    await connection.run_sync(temp.create)
    every = _fact_measures()
    await session.execute(insert(temp).from_select(
        [*_GROUPED, *PLATFORM_MEASURES],
        select(*(facts.c[name] for name in _GROUPED),
               *(cast(every[name], types[name]) if pg else every[name]
                 for name in PLATFORM_MEASURES))
        .where(SalesFact.current.is_(True), SalesFact.business_month == month)))
    return temp


def _month_query(rollup: Rollup, month_facts: Table, month: dt.date) -> Any:
    """``rollup``'s fresh rows for ``month``, summed from the month's facts table."""
    keys = [month_facts.c[key] for key in rollup.keys]
    period = (month_facts.c.business_date if rollup.period == "day"
              else literal(month, Date))
    groups = [month_facts.c.business_date, *keys] if rollup.period == "day" else keys
    return (select(period, *keys, *(func.sum(month_facts.c[name]) for name in rollup.measures))
            .where(*(key.is_not(None) for key in keys)).group_by(*groups))


def _normal(rows: Sequence[Row], width: int) -> dict[Row, Row]:
    """``{(period, *keys): measures}`` without rows whose measures are all zero (a summary row
    whose facts cancelled out, or was never written, means the same)."""
    out = {}
    for row in rows:
        head, tail = tuple(row[:-width]), tuple(int(v or 0) for v in row[-width:])
        if any(tail):
            out[(_as_date(head[0]), *head[1:])] = tail
    return out


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    assert isinstance(value, dt.date)
    return value


async def fresh_aggregate(
    session: AsyncSession, rollup: Rollup, first: dt.date | None = None,
    last: dt.date | None = None,
) -> dict[Row, Row]:
    """What ``rollup`` should hold, summed afresh from the current facts (months
    ``first``..``last``, first days of months, both included)."""
    return _normal((await session.execute(_aggregate_query(rollup, first, last))).all(),
                   len(rollup.measures))


def _stored_query(rollup: Rollup, first: dt.date | None, last: dt.date | None) -> Any:
    model = rollup.model
    period = getattr(model, rollup.period)
    stmt = select(period, *(getattr(model, k) for k in rollup.keys),
                  *(getattr(model, m) for m in rollup.measures))
    if first is not None:
        stmt = stmt.where(period >= first)
    if last is not None:
        stmt = stmt.where(period <= month_end(last))
    return stmt


async def stored(
    session: AsyncSession, rollup: Rollup, first: dt.date | None = None,
    last: dt.date | None = None,
) -> dict[Row, Row]:
    """What ``rollup`` holds now (same shape as :func:`fresh_aggregate`)."""
    return _normal((await session.execute(_stored_query(rollup, first, last))).all(),
                   len(rollup.measures))


@dataclasses.dataclass(frozen=True)
class Difference:
    table: str
    key: Row
    stored: Row | None
    expected: Row | None


async def check(
    session: AsyncSession, first: dt.date | None = None, last: dt.date | None = None
) -> list[Difference]:
    """Every summary row that differs from a fresh aggregate of the facts (empty: all agree).
    The database compares each table with its aggregate (``shop.analytics.compare``): only
    the differing rows come back."""
    differences = []
    for rollup in ROLLUPS:
        for found in await compare.mismatches(
            session,
            compare.without_zero_rows(_stored_query(rollup, first, last), len(rollup.measures)),
            compare.without_zero_rows(_aggregate_query(rollup, first, last),
                                      len(rollup.measures)),
            key_length=len(rollup.columns),
        ):
            differences.append(Difference(rollup.name, *dataclasses.astuple(found)))
    for found in await market_days.check(session, first, last):
        differences.append(Difference(MarketDaySummary.__tablename__, *dataclasses.astuple(found)))
    # First purchases have no period: the whole table is checked whatever the range.
    for found in await buyers.check(session):
        differences.append(Difference("analytics_first_purchases", *dataclasses.astuple(found)))
    return differences


# -- rebuilding ------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return _next_month(month_start(month)) - dt.timedelta(days=1)


async def known_months(session: AsyncSession) -> tuple[dt.date, dt.date] | None:
    """The first and last month holding a fact or a summary row, if any."""
    found = []
    for column in (SalesFact.business_month, MonthlyVendorSales.month,
                   MonthlyProductSales.month, MonthlyPlatformSales.month,
                   MonthlyMutualTrade.month, MarketDayAttendance.day, MarketDaySummary.day):
        low, high = (await session.execute(select(func.min(column), func.max(column)))).one()
        if low is not None:
            found += [month_start(_as_date(low)), month_start(_as_date(high))]
    return (min(found), max(found)) if found else None


def _from_days(rollup: Rollup, month: dt.date) -> Any:
    """A monthly summary's rows for ``month`` summed from its daily twin's (just refilled in
    the same transaction): a few rows per key instead of every fact again."""
    daily = rollup.daily
    keys = [getattr(daily, key) for key in rollup.keys]
    return (select(literal(month, Date), *keys,
                   *(func.sum(getattr(daily, name)) for name in rollup.measures))
            .where(daily.day >= month, daily.day <= month_end(month))  # type: ignore[union-attr]
            .group_by(*keys))


async def rebuild_month(session: AsyncSession, month: dt.date) -> int:
    """Refill every summary's rows of ``month`` from the current facts, in one transaction
    (the caller's session is committed), writing only the rows that differ
    (``shop.analytics.refill``). Returns the number of summary rows written or deleted."""
    month = month_start(month)
    written = 0
    async with transaction(session):
        await lock_month(session, month, exclusive=True)
        await refill.hold_writer(session, DailyVendorSales)
        await refill.sort_in_memory(session)
        month_facts = await _month_facts(session, month)
        for rollup in ROLLUPS:
            period = getattr(rollup.model, rollup.period)
            # One INSERT … SELECT … GROUP BY: the sums never leave the database.
            fresh = (_from_days(rollup, month) if rollup.daily is not None
                     else _month_query(rollup, month_facts, month))
            written += await refill.replace_rows(
                session, rollup.model, fresh, keys=rollup.columns, measures=rollup.measures,
                scope=[period >= month, period <= month_end(month)])
        written += await market_days.refill_month(session, month)
        if dialect_name(session) != "postgresql":
            await (await session.connection()).run_sync(month_facts.drop)
    return written


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month)
        month = _next_month(month)
    return months


def period_bounds(
    first: dt.date | None, last: dt.date | None, known: tuple[dt.date, dt.date] | None
) -> tuple[dt.date, dt.date] | None:
    """The whole months a ``--from``/``--to`` range covers; a missing end is the facts' first
    or last month (None: nothing to do)."""
    low = month_start(first) if first else (known[0] if known else None)
    high = month_start(last) if last else (known[1] if known else None)
    low, high = low or high, high or low
    if low is None or high is None or low > high:
        return None
    return low, high


#: Sessions refilling at once on PostgreSQL by default (months are independent transactions,
#: each under its own exclusive month lock; the first-purchase table is one more job beside
#: them). Two: the rebuild is CPU-bound in the database's backends, one per session, and the
#: machines it runs on have two cores (decision 103); ``jangteo analytics rebuild
#: --sessions`` says otherwise.
PARALLEL = 2
#: At most this many (each session holds a connection of the engine's pool).
MAX_PARALLEL = 8


async def rebuild(
    session: AsyncSession, first: dt.date | None = None, last: dt.date | None = None,
    *, sessions: int = PARALLEL,
) -> list[tuple[dt.date, int]]:
    """Refill the summaries month by month (each month one transaction) for the whole months
    from ``first`` to ``last`` (default: every month with facts or summary rows), and the
    first purchases. Returns ``(month, rows written)`` per month.

    On PostgreSQL ``sessions`` sessions of the same engine (1 to :data:`MAX_PARALLEL`) take
    the jobs (first purchases, the longest, then the months) one after another: each job
    holds only its own lock, so none waits for another and the worker's shared locks order
    them as before. SQLite has one writer: one session whatever ``sessions`` says."""
    if not 1 <= sessions <= MAX_PARALLEL:
        raise ValueError(f"sessions must be 1 to {MAX_PARALLEL}, not {sessions}")
    bounds = period_bounds(first, last, await known_months(session))
    await end_read(session)  # each month is a transaction of its own
    if bounds is None:
        return []
    months = months_between(*bounds)
    if dialect_name(session) != "postgresql":
        done = [(month, await rebuild_month(session, month)) for month in months]
        await buyers.refill(session)
        return done
    jobs: list[dt.date | None] = [None, *months]  # None: the first purchases
    written: dict[dt.date, int] = {}
    factory = async_sessionmaker(session.bind, expire_on_commit=False)

    async def take_jobs() -> None:
        async with factory() as own:
            while jobs:
                job = jobs.pop(0)
                if job is None:
                    await buyers.refill(own)
                else:
                    written[job] = await rebuild_month(own, job)

    await asyncio.gather(*(take_jobs() for _ in range(sessions)))
    return sorted(written.items())


async def check_range(
    session: AsyncSession, first: dt.date | None = None, last: dt.date | None = None
) -> list[Difference]:
    """:func:`check` over the whole months from ``first`` to ``last`` (default: all)."""
    return await check(session, month_start(first) if first else None,
                       month_start(last) if last else None)

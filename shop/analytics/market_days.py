"""How a market day went (organizer dashboard): booked, present, late, absent, no-show and
the booth sales reported, one summary row per market day (decision 41).

Everything comes from events, never from ``markets`` (``shop`` does not import it):

- ``market_day.check_in_recorded`` (the organizer's 출석 확인, corrections included) writes the
  vendor's :class:`MarketDayAttendance` row: booked, and its status. The event's time orders
  corrections: a check-in event older than the status in force changes nothing, so they may
  arrive in any order, and a redelivered one is not newer than itself.
- ``market_day.held`` (the day closed) names the vendors booked at that moment; each one not
  seen yet becomes a booked row without a status (미기록). A no-show gave its place up, so it
  may be missing from that list: it is booked through its check-in row.
- Booth sales reports are sales facts (``shop.analytics.facts``); the current revision of each
  is in its day's row (:func:`add_report`, called by ``rollups.add``).

The summary row is changed only in the transaction that changed an attendance row or
inserted a booth fact, and :func:`fresh_aggregate` recomputes it for the check and rebuild.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Integer,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import as_utc, seoul_date
from infra.db import dialect_name
from infra.events import EventEnvelope
from shop.analytics import compare
from shop.analytics.models import (
    CheckInStatus,
    FactKind,
    MarketDayAttendance,
    MarketDaySummary,
    SalesFact,
)

#: ``markets.days.events`` names (analytics imports nothing from markets; a test checks them).
CHECK_IN_RECORDED = "market_day.check_in_recorded"
MARKET_DAY_HELD = "market_day.held"
MARKET_DAY_EVENTS = frozenset({CHECK_IN_RECORDED, MARKET_DAY_HELD})
#: ``markets.days.events.BoothSalesReported``'s name (its facts are ``shop.analytics.facts``').
BOOTH_SALES_REPORTED = "booth_sales.reported"

#: The summary's counted columns, in the order the check and the rebuild compare them.
MEASURES = ("booked", "present", "late", "absent", "no_show", "reports", "reported_sales",
            "receipts")
_STATUS_COLUMN = {status.value: status.value for status in CheckInStatus}


#: Advisory-lock namespace of one market day's rows (PostgreSQL).
DAY_LOCK = 7_013


def day_of(envelope: EventEnvelope) -> int | None:
    """The market day whose rows an event changes: a check-in or held event's day, a booth
    report's day (its summary row); None for any other event."""
    if envelope.name in MARKET_DAY_EVENTS:
        return int(envelope.payload["id"])
    day = envelope.payload.get("market_day_id") if envelope.name == BOOTH_SALES_REPORTED else None
    return int(day) if day is not None else None


async def lock_days(session: AsyncSession, market_day_ids: set[int]) -> None:
    """PostgreSQL: hold the market days a transaction will change, in id order, before it
    changes anything. A day's attendance rows and summary row are then changed by one
    transaction at a time, and two transactions never wait for each other's days in
    opposite orders (a day closing lists many vendors while their check-ins arrive)."""
    if dialect_name(session) != "postgresql":
        return
    for market_day_id in sorted(market_day_ids):
        await session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                              {"ns": DAY_LOCK, "key": market_day_id})


def _upsert(session: AsyncSession) -> Any:
    return pg_insert if dialect_name(session) == "postgresql" else sqlite_insert


async def _bump(session: AsyncSession, market_day_id: int, market_id: int, day: dt.date,
                amounts: Mapping[str, int]) -> None:
    """Add ``amounts`` to the day's summary row (made when missing)."""
    amounts = {name: value for name, value in amounts.items() if value}
    if not amounts:
        return
    stmt = _upsert(session)(MarketDaySummary).values(
        market_day_id=market_day_id, market_id=market_id, day=day,
        **{name: amounts.get(name, 0) for name in MEASURES},
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["market_day_id"],
        set_={name: getattr(MarketDaySummary, name) + stmt.excluded[name] for name in amounts},
    )
    await session.execute(stmt)


async def add_report(session: AsyncSession, fact: SalesFact, *, sign: int = 1) -> None:
    """A booth report revision comes in (``sign=1``) or is replaced by a later one (−1)."""
    if fact.kind is not FactKind.BOOTH_REPORT or fact.market_id is None or not fact.order_ref:
        return
    await _bump(session, int(fact.order_ref), fact.market_id, fact.business_date, {
        "reports": sign, "reported_sales": sign * fact.net_amount, "receipts": sign * fact.receipts,
    })


async def _booked(session: AsyncSession, market_day_id: int, market_id: int, day: dt.date,
                  vendor_id: int, category: str) -> MarketDayAttendance:
    """The vendor's row for the day, made (and counted as booked) if it is not there yet."""
    new_id = await session.scalar(
        _upsert(session)(MarketDayAttendance).values(
            market_day_id=market_day_id, market_id=market_id, day=day, vendor_id=vendor_id,
            status="", status_at=None, category=category[:40],
        ).on_conflict_do_nothing(index_elements=["market_day_id", "vendor_id"])
        .returning(MarketDayAttendance.id)
    )
    if new_id is not None:
        await _bump(session, market_day_id, market_id, day, {"booked": 1})
    row = await session.scalar(
        select(MarketDayAttendance)
        .where(MarketDayAttendance.market_day_id == market_day_id,
               MarketDayAttendance.vendor_id == vendor_id)
        .with_for_update().execution_options(populate_existing=True)
    )
    assert row is not None
    if category and not row.category:
        row.category = category[:40]
    return row


def _day(payload: Mapping[str, Any], at: dt.datetime) -> dt.date:
    """The market day's Seoul date; older check-in events did not carry it, and a check-in
    is recorded on its day."""
    value = payload.get("day")
    return dt.date.fromisoformat(str(value)) if value else seoul_date(at)


async def record_check_in(session: AsyncSession, envelope: EventEnvelope) -> int:
    """``market_day.check_in_recorded``: ``id`` (the day), ``market_id``, ``vendor_id``,
    ``status``, ``day``, ``category``. Returns 1 when the status in force changed."""
    payload = envelope.payload
    at = as_utc(dt.datetime.fromisoformat(envelope.occurred_at))
    status = str(payload["status"])
    if status not in _STATUS_COLUMN:
        return 0
    market_day_id, market_id = int(payload["id"]), int(payload["market_id"])
    day = _day(payload, at)
    row = await _booked(session, market_day_id, market_id, day, int(payload["vendor_id"]),
                        str(payload.get("category") or ""))
    if row.status_at is not None and as_utc(row.status_at) >= at:
        return 0  # a redelivery, or a correction older than the status in force
    amounts = {status: 1}
    if row.status:
        amounts[row.status] = amounts.get(row.status, 0) - 1
    row.status, row.status_at = status, at
    await session.flush()
    await _bump(session, market_day_id, market_id, row.day, amounts)
    return 1


async def record_held(session: AsyncSession, envelope: EventEnvelope) -> int:
    """``market_day.held``: ``booked`` lists ``{"vendor_id", "category"}`` of the vendors
    booked when the day closed. Returns how many were new."""
    payload = envelope.payload
    at = as_utc(dt.datetime.fromisoformat(envelope.occurred_at))
    market_day_id, market_id = int(payload["id"]), int(payload["market_id"])
    day = _day(payload, at)
    new = 0
    for entry in payload.get("booked") or ():
        before = await session.scalar(
            select(func.count()).select_from(MarketDayAttendance).where(
                MarketDayAttendance.market_day_id == market_day_id,
                MarketDayAttendance.vendor_id == int(entry["vendor_id"])))
        await _booked(session, market_day_id, market_id, day, int(entry["vendor_id"]),
                      str(entry.get("category") or ""))
        new += not before
    return new


# -- check and rebuild -----------------------------------------------------------------------------

Row = tuple[Any, ...]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    assert isinstance(value, dt.date)
    return value


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _fresh_query(first: dt.date | None, last: dt.date | None) -> Any:
    """``market_day_id, market_id, day, *MEASURES`` recomputed from the attendance rows and
    the current booth facts, for days of the months ``first``..``last``: one statement."""
    attendance = MarketDayAttendance
    none: list[Any] = [literal_column("0")] * 3
    where_a: list[Any] = []
    if first is not None:
        where_a.append(attendance.day >= first)
    if last is not None:
        where_a.append(attendance.day <= _month_end(last))
    present = select(
        attendance.market_day_id.label("market_day_id"), attendance.market_id.label("market_id"),
        attendance.day.label("day"), func.count().label("booked"),
        *(func.sum(case((attendance.status == status.value, 1), else_=0)).label(status.value)
          for status in CheckInStatus),
        *(zero.label(name) for zero, name in zip(none, MEASURES[-3:], strict=True)),
    ).where(and_(True, *where_a)).group_by(
        attendance.market_day_id, attendance.market_id, attendance.day)
    where_f: list[Any] = [SalesFact.current.is_(True), SalesFact.kind == FactKind.BOOTH_REPORT,
                          SalesFact.market_id.is_not(None)]
    if first is not None:
        where_f.append(SalesFact.business_month >= first)
    if last is not None:
        where_f.append(SalesFact.business_month <= last)
    reported: Any = select(
        cast(SalesFact.order_ref, Integer).label("market_day_id"), SalesFact.market_id,
        SalesFact.business_date, *([literal_column("0")] * 5), func.count(),
        func.sum(SalesFact.net_amount), func.sum(SalesFact.receipts),
    ).where(and_(*where_f)).group_by(
        SalesFact.order_ref, SalesFact.market_id, SalesFact.business_date)
    both = union_all(present, reported).subquery()
    return select(
        both.c.market_day_id, func.max(both.c.market_id), func.max(both.c.day),
        *(func.coalesce(func.sum(both.c[name]), 0) for name in MEASURES),
    ).group_by(both.c.market_day_id)


def _stored_query(first: dt.date | None, last: dt.date | None) -> Any:
    summary = MarketDaySummary
    stmt = select(summary.market_day_id, summary.market_id, summary.day,
                  *(getattr(summary, name) for name in MEASURES))
    if first is not None:
        stmt = stmt.where(summary.day >= first)
    if last is not None:
        stmt = stmt.where(summary.day <= _month_end(last))
    return stmt


def _rows(rows: Any) -> dict[int, Row]:
    out = {}
    for market_day_id, market_id, day, *numbers in rows:
        values = (int(market_id), _as_date(day), *(int(n or 0) for n in numbers))
        if any(values[2:]):
            out[int(market_day_id)] = values
    return out


async def fresh_aggregate(session: AsyncSession, first: dt.date | None = None,
                          last: dt.date | None = None) -> dict[int, Row]:
    """``{market_day_id: (market_id, day, *MEASURES)}`` recomputed from the attendance rows
    and the current booth facts, for days of the months ``first``..``last``."""
    return _rows((await session.execute(_fresh_query(first, last))).all())


async def stored(session: AsyncSession, first: dt.date | None = None,
                 last: dt.date | None = None) -> dict[int, Row]:
    """What the summary holds now, same shape as :func:`fresh_aggregate`."""
    return _rows((await session.execute(_stored_query(first, last))).all())


async def check(session: AsyncSession, first: dt.date | None = None,
                last: dt.date | None = None) -> list[compare.Mismatch]:
    """The market days whose summary row differs from a fresh aggregate (compared by the
    database: ``shop.analytics.compare``); key ``(market_day_id,)``, rows
    ``(market_id, day, *MEASURES)``."""
    return await compare.mismatches(
        session, compare.without_zero_rows(_stored_query(first, last), len(MEASURES)),
        compare.without_zero_rows(_fresh_query(first, last), len(MEASURES)),
        key_length=1, dates=(2,))


async def refill_month(session: AsyncSession, month: dt.date) -> int:
    """Replace the summary rows of the days of ``month`` with fresh sums, in the caller's
    transaction (which holds the month's exclusive lock): one ``INSERT … SELECT``, the same
    aggregate the check compares with."""
    await session.execute(delete(MarketDaySummary).where(
        MarketDaySummary.day >= month, MarketDaySummary.day <= _month_end(month)))
    table = typing.cast(Table, MarketDaySummary.__table__)
    result = await session.execute(insert(table).from_select(
        ["market_day_id", "market_id", "day", *MEASURES],
        compare.without_zero_rows(_fresh_query(month, month), len(MEASURES)),
        include_defaults=False))
    return max(int(result.rowcount or 0), 0)  # type: ignore[attr-defined]

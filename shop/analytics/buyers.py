"""New and returning buyers: the Seoul day each buyer first bought from each vendor.

A purchase fact (a paid order line, an institutional line) carries a ``buyer_key``; the
first purchase is the *earliest* of them, kept with an upsert that keeps the smaller date, so
an older order whose event arrives late moves it back and a redelivery changes nothing. A
buyer active on a day (``analytics_daily_vendor_buyers``) is new on that day when it is their
first-purchase day, returning otherwise (decision 41).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import dialect_name, transaction
from shop.analytics import compare
from shop.analytics.models import FirstPurchase, SalesFact
from shop.analytics.refill import hold_writer, replace_rows, sort_in_memory

#: Advisory lock (PostgreSQL) over the whole first-purchase table: shared by a worker adding
#: a purchase, exclusive while the rebuild refills it.
FIRST_PURCHASE_LOCK = (7_011, 0)

Key = tuple[int, str]


async def lock(session: AsyncSession, *, exclusive: bool) -> None:
    if dialect_name(session) != "postgresql":
        return
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    await session.execute(text(f"SELECT {fn}(:ns, :key)"),
                          {"ns": FIRST_PURCHASE_LOCK[0], "key": FIRST_PURCHASE_LOCK[1]})


async def add_first(session: AsyncSession, facts: Sequence[SalesFact]) -> None:
    """Keep the earlier of the stored first day and each purchase's day: one multi-row
    upsert, in key order (see ``rollups.add_all``)."""
    firsts: dict[Key, dt.date] = {}
    for fact in facts:
        if fact.buyer_key:
            key = (fact.vendor_id, fact.buyer_key)
            firsts[key] = min(firsts.get(key, fact.business_date), fact.business_date)
    if not firsts:
        return
    await lock(session, exclusive=False)
    upsert: Any = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    values = [{"vendor_id": v, "buyer_key": b, "first_day": d}
              for (v, b), d in sorted(firsts.items())]
    table = FirstPurchase.__table__
    stmt = upsert(table)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["vendor_id", "buyer_key"],
        set_={"first_day": stmt.excluded.first_day},
        where=stmt.excluded.first_day < table.c.first_day,
    ), values)


def _fresh_query() -> Any:
    return (select(SalesFact.vendor_id, SalesFact.buyer_key, func.min(SalesFact.business_date))
            .where(and_(SalesFact.current.is_(True), SalesFact.buyer_key.is_not(None)))
            .group_by(SalesFact.vendor_id, SalesFact.buyer_key))


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


async def fresh_aggregate(session: AsyncSession) -> dict[Key, dt.date]:
    return {(int(v), str(b)): _as_date(d) for v, b, d in (await session.execute(_fresh_query()))}


async def stored(session: AsyncSession) -> dict[Key, dt.date]:
    rows = await session.execute(
        select(FirstPurchase.vendor_id, FirstPurchase.buyer_key, FirstPurchase.first_day))
    return {(int(v), str(b)): _as_date(d) for v, b, d in rows}


async def check(session: AsyncSession) -> list[compare.Mismatch]:
    """The (vendor, buyer) pairs whose stored first day differs from the facts' earliest
    purchase, compared by the database; rows ``(first_day,)``."""
    return await compare.mismatches(
        session,
        select(FirstPurchase.vendor_id, FirstPurchase.buyer_key, FirstPurchase.first_day),
        _fresh_query(), key_length=2, dates=(2,))


async def refill(session: AsyncSession) -> int:
    """Make the whole table the fresh minima, in one transaction (committed here), writing
    only the rows that differ (``shop.analytics.refill``); returns how many."""
    async with transaction(session):
        await lock(session, exclusive=True)
        await hold_writer(session, FirstPurchase)
        await sort_in_memory(session)
        # One INSERT … SELECT … GROUP BY: the minima never leave the database.
        return await replace_rows(session, FirstPurchase, _fresh_query(),
                                  keys=("vendor_id", "buyer_key"), measures=("first_day",))

"""Refilling summary rows from a fresh aggregate, writing only the rows that differ.

The rebuild used to delete a month's rows and insert them again. Deleting and re-inserting
the same keys in one transaction is the slowest way to write them (every new index entry
meets the dead one it replaces), and a rebuild of summaries that were right — the usual case,
a nightly repair, a second run — rewrote every row. Here the aggregate goes once into a
temporary table (no log, no index), then one ``INSERT … ON CONFLICT DO UPDATE`` of only the
fresh rows not already stored as they are (on PostgreSQL a set difference, ``EXCEPT``: an
upsert of an equal row would still lock it, dirtying its page — decision 98) writes the new
and changed rows, in key order, and one ``DELETE`` of the keys not among the temporary rows
removes the rows the facts no longer give (decision 78).
Rows never filled (a first rebuild, the benchmark) are one plain ``INSERT … SELECT`` in key
order. All of it is in the caller's transaction, which holds the rebuild's exclusive lock
for the rows' period.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    Table,
    and_,
    delete,
    exists,
    false,
    insert,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import dialect_name

_names = itertools.count()


async def hold_writer(session: AsyncSession, model: Any) -> None:
    """SQLite: take the database's one write lock now, waiting for it (a delete of no row).
    A refill reads before it writes; begun as a reader, its transaction could not become
    the writer once another one wrote (SQLite answers "locked" at once, no waiting).
    PostgreSQL: nothing (the rebuild's advisory locks order it with the workers)."""
    if dialect_name(session) != "postgresql":
        await session.execute(delete(model).where(false()))


#: PostgreSQL ``work_mem`` of a refill's transaction. The default 4 MB spilled a month's
#: aggregates and key-order sorts to disk at 1,000,000 facts (~85,000 a month) and the
#: first purchases' (one group per vendor and buyer); a rebuild runs at most
#: ``rollups.PARALLEL`` such transactions by default (decisions 90, 103).
WORK_MEM = "64MB"


async def sort_in_memory(session: AsyncSession) -> None:
    """PostgreSQL: give the transaction's sorts and hash aggregates :data:`WORK_MEM`
    (``SET LOCAL``: until it ends). SQLite: nothing."""
    if dialect_name(session) == "postgresql":
        await session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))


def _missing(session: AsyncSession, table: Table, temp: Table, keys: Sequence[str]) -> Any:
    """SQL: the row's key is not among the temporary rows. PostgreSQL: ``NOT EXISTS``, a hash
    anti-join (``NOT IN`` hashes only what fits in ``work_mem``, else it rescans the rows for
    every row: minutes for the first purchases at 1,000,000 facts). SQLite: ``NOT IN``, which
    it answers from a temporary index (``NOT EXISTS`` would scan the unindexed rows for each
    row)."""
    if dialect_name(session) == "postgresql":
        return ~exists(select(true()).select_from(temp).where(
            and_(*(temp.c[name] == table.c[name] for name in keys))))
    return tuple_(*(table.c[name] for name in keys)).not_in(
        select(*(temp.c[name] for name in keys)))


def _count(result: Any) -> int:
    return max(int(result.rowcount or 0), 0)


async def replace_rows(session: AsyncSession, model: Any, fresh: Any, *, keys: Sequence[str],
                       measures: Sequence[str], scope: Sequence[Any] = ()) -> int:
    """Make ``model``'s rows within ``scope`` (where-clauses on the table) exactly ``fresh``
    (a select of ``keys`` then ``measures``, one row per key); returns the rows written or
    deleted (0 when they already agreed)."""
    table: Table = model.__table__
    columns = [*keys, *measures]
    temp = Table(f"analytics_refill_{next(_names)}", MetaData(),
                 *(Column(name, table.c[name].type) for name in columns),
                 prefixes=["TEMPORARY"])
    # Key order (the primary key's): the index is appended to, not written at random.
    order = [columns.index(column.name) + 1 for column in table.primary_key.columns]
    if await session.scalar(select(true()).select_from(table).where(*scope).limit(1)) is None:
        # Nothing there yet (a first fill): a plain insert, nothing to compare or delete.
        return _count(await session.execute(insert(table).from_select(
            columns, fresh.order_by(*(literal_column(str(n)) for n in order)))))
    connection = await session.connection()
    await connection.run_sync(temp.create)
    await session.execute(insert(temp).from_select(columns, fresh))
    upsert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    # Only the fresh rows not already stored as they are: a set difference the database
    # hashes, instead of an upsert probing (and locking, which dirties the page) every row
    # that turns out equal (decision 98).
    # SQLite locks no row on conflict: its upsert's WHERE alone is the cheaper there.
    fresh_rows: Any = temp
    if dialect_name(session) == "postgresql":
        fresh_rows = select(*temp.c).except_(
            select(*(table.c[name] for name in columns)).where(*scope)).subquery()
    ordered = (select(*fresh_rows.c).where(true())
               .order_by(*(literal_column(str(n)) for n in order)))
    stmt = upsert(table).from_select(columns, ordered)
    written = _count(await session.execute(stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: stmt.excluded[name] for name in measures},
        where=or_(*(table.c[name] != stmt.excluded[name] for name in measures)),
    )))
    written += _count(await session.execute(delete(table).where(*scope, _missing(
        session, table, temp, keys))))
    await connection.run_sync(temp.drop)
    return written

"""Comparing a summary table with a fresh aggregate inside the database.

``rebuild --check`` and the nightly job ask, for every summary, whether its rows are exactly
what the current facts sum to. The database compares the two sides: their rows, tagged with
their side, go through one ``UNION ALL … GROUP BY every column HAVING count(*) = 1`` (the
symmetric difference, what ``EXCEPT`` both ways gives, reading each side once), so no summary
row leaves the database unless it differs; Python only pairs the few differing rows up by
their key for the report. Both sides leave out rows whose measures are all zero: a summary row
whose facts cancelled out and a row never written mean the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

Row = tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """One key whose stored measures differ from the expected ones (``None``: no row)."""

    key: Row
    stored: Row | None
    expected: Row | None


def any_nonzero(columns: Sequence[Any]) -> Any:
    """SQL: at least one of ``columns`` is neither 0 nor NULL."""
    return or_(*(and_(c.is_not(None), c != 0) for c in columns))


def without_zero_rows(query: Select[Any], measures: int) -> Select[Any]:
    """``query`` without the rows whose last ``measures`` columns are all zero (or NULL)."""
    inner = query.subquery()
    return select(*inner.c).where(any_nonzero(list(inner.c)[-measures:]))


def _normal(value: Any, is_date: bool) -> Any:
    if value is None:
        return None
    if is_date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
        return value
    if isinstance(value, bool | str):
        return value
    try:
        return int(value)  # PostgreSQL sums bigints into numerics
    except (TypeError, ValueError):
        return value


async def mismatches(
    session: AsyncSession, stored: Any, expected: Any, *, key_length: int,
    dates: Sequence[int] = (0,),
) -> list[Mismatch]:
    """Every key where ``stored`` and ``expected`` (selects of the same columns: the key's
    ``key_length`` columns first) disagree, sorted by key. ``dates`` are the positions of
    date columns (SQLite returns them as text)."""
    sides = {1: "stored", 2: "expected"}
    both = union_all(*(query.add_columns(literal_column(str(tag)).label("side"))
                       for tag, query in zip(sides, (stored, expected), strict=True))).subquery()
    columns = [column for column in both.c if column.name != "side"]
    only_one_side = (select(*columns, func.min(both.c.side))
                     .group_by(*columns).having(func.count() == 1))
    found: dict[Row, dict[str, Row]] = {}
    for *raw, side in (await session.execute(only_one_side)).all():
        row = tuple(_normal(value, n in dates) for n, value in enumerate(raw))
        found.setdefault(row[:key_length], {})[sides[int(side)]] = row[key_length:]
    return [Mismatch(key, sides.get("stored"), sides.get("expected"))
            for key, sides in sorted(found.items(), key=lambda item: repr(item[0]))]


"""The one clock: aware UTC datetimes, Seoul business dates, and repair of the naive
datetimes SQLite hands back.

Every read of "now" or "today" goes through here, so there is one place to freeze or inject.
Dates people see (business days, market days, certificate validity) are Seoul dates.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for columns stored as UTC; PostgreSQL returns aware ones."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def seoul_date(at: dt.datetime) -> dt.date:
    """The Seoul date of an instant (a naive one is read as UTC, as SQLite stores it)."""
    return as_utc(at).astimezone(SEOUL).date()


def seoul_today() -> dt.date:
    return seoul_date(utcnow())


def seoul_time(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as people here read it: Seoul wall time, no zone label (the one ``seoul``
    filter of every page, mail and export). ``None`` reads as an empty string."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(SEOUL).strftime(fmt)

"""The one clock: aware UTC datetimes, and repair of the naive ones SQLite hands back."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for columns stored as UTC; PostgreSQL returns aware ones."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

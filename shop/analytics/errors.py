"""Analytics error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class AnalyticsErrorCode(enum.StrEnum):
    INVALID_PERIOD = "invalid_period"
    UNKNOWN_TABLE = "unknown_table"
    INVALID_FORMAT = "invalid_format"

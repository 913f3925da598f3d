"""Analytics error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class AnalyticsErrorCode(enum.StrEnum):
    INVALID_PERIOD = "invalid_period"
    UNKNOWN_TABLE = "unknown_table"
    INVALID_FORMAT = "invalid_format"
    EXPORT_ALREADY_RUNNING = "export_already_running"
    EXPORT_NOT_FOUND = "export_not_found"
    EXPORT_NOT_READY = "export_not_ready"
    EXPORT_FORBIDDEN = "export_forbidden"

"""Mall error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class MallErrorCode(enum.StrEnum):
    INVALID_SEARCH = "invalid_search"
    UNKNOWN_CATEGORY = "unknown_category"
    PRODUCT_NOT_FOUND = "product_not_found"

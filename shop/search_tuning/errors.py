"""Search tuning error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class SearchTuningErrorCode(enum.StrEnum):
    INVALID_SYNONYMS = "invalid_synonyms"
    SYNONYMS_CHANGED = "synonyms_changed"
    SYNONYM_VERSION_NOT_FOUND = "synonym_version_not_found"
    INVALID_DAYS = "invalid_days"

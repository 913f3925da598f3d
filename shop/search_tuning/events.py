"""What search tuning tells the workers (decision 62)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class SearchUnanswered(DomainEvent):
    """A shopper's query found nothing or few products; only the normalised query and the
    number found travel (no user, no address): the worker counts it per day."""

    name: ClassVar[str] = "search.unanswered"
    aggregate: ClassVar[str] = "search_query"
    query: str
    total: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class SynonymsSaved(DomainEvent):
    """An admin saved a synonym version; the worker rebuilds the index so it applies."""

    name: ClassVar[str] = "search.synonyms_saved"
    aggregate: ClassVar[str] = "search_synonyms"
    id: int

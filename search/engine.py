"""The contract every search backend honours, and the one place that picks a backend.

Callers (the web app searching, the worker indexing, the CLI rebuilding) depend on the
``SearchEngine`` protocol only, so ``make run`` on a laptop (embedded tantivy) and
production (Meilisearch) run the same code above this line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import msgspec

from search.documents import ProductDocument
from search.query import SearchQuery, SearchResult, Suggestion
from search.synonyms import SynonymTable


class RebuildStats(msgspec.Struct, frozen=True, kw_only=True):
    """What a rebuild did: how many documents went into which new index, and how fast.

    ``index`` is the name the new index was built under: the embedded engine's generation
    directory (live from then on), or Meilisearch's temporary uid that was swapped in.
    """

    docs: int
    index: str
    seconds: float


class SearchEngine(Protocol):
    """A product index that can be searched while it is being written and rebuilt.

    Writes are synchronous: when ``upsert`` or ``delete`` returns, the next ``search``
    (in any process) sees the change. ``rebuild`` builds a complete new index beside the
    live one and swaps it in atomically, so searches never see a half-built index; the
    synonym table given to a rebuild changes with that swap.
    """

    def upsert(self, docs: Sequence[ProductDocument]) -> None: ...

    def delete(self, ids: Sequence[int]) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def search_kept(self, query: SearchQuery) -> SearchResult | None:
        """``search``'s answer when the engine already holds it for what searches see now,
        at the cost of a lookup (a caller on the event loop may ask without a thread);
        None otherwise, and always for an engine that keeps nothing (Meilisearch)."""
        ...

    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]: ...

    def rebuild(
        self, docs: Iterable[ProductDocument], synonyms: SynonymTable | None = None
    ) -> RebuildStats:
        """Build a new index of ``docs`` and swap it in. ``synonyms``, if given, is the
        table the new index answers with from the swap on (else the default file's)."""
        ...

    def count(self) -> int: ...

    def catalog_cache(self) -> dict[Any, Any] | None:
        """A dict that lives exactly as long as what searches see now: callers may keep
        what they derived from the catalog in it (a rendered product page), and the next
        write the index takes (a catalog event, indexed) starts an empty one. None when
        the engine cannot tell when the catalog changed (Meilisearch): keep nothing."""
        ...

    def health(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


class SearchEngineError(Exception):
    """The backend failed (unreachable, refused a task, corrupt index): not the caller's fault."""


def make_engine(
    *,
    meilisearch_url: str | None,
    meilisearch_key: str | None,
    data_dir: Path,
    index_name: str = "products",
) -> SearchEngine:
    """Meilisearch when a URL is configured, otherwise the embedded engine under ``data_dir``.

    Imports are local so that a process never loads the backend it does not use.
    """
    if meilisearch_url:
        from search.meilisearch_engine import MeilisearchEngine

        return MeilisearchEngine(meilisearch_url, meilisearch_key, index_name=index_name)
    from search.embedded import EmbeddedEngine

    return EmbeddedEngine(data_dir, index_name=index_name)

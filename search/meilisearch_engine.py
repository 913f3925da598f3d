"""The production engine: Meilisearch through its official Python client.

Meilisearch segments Korean itself (``localizedAttributes`` with ``kor``), so documents go
in as plain text; :mod:`search.analysis` is not involved here. What this module owns:

* Settings, applied whenever an index is created or rebuilt, so a deployment cannot run
  on an index configured by hand.
* Filters built only from validated values, each one quoted (see ``_quote``), so user
  input can never change the shape of a filter expression.
* Disjunctive facets in one round trip: a ``multi-search`` with the page query (facets
  that have no filter of their own) plus one zero-hit query per filtered facet, without
  that facet's own filter.
* Safe highlights: Meilisearch inserts its tags into unescaped text, so it is asked for
  private-use placeholder tags which are turned into ``<mark>`` after escaping.
* Rebuild: a fresh ``<index>_<generation>`` index is filled and configured, then
  ``swap-indexes`` exchanges it with the live one atomically, and the old documents (now
  under the temporary name) are deleted. Searches keep using the live uid throughout.

Forgiving searches (typos of one jamo, particles) get the embedded engine's looser tiers
as a second request when the strict one found less than a page:
``search/meilisearch_forgiving.py``.

Unlike the embedded engine, writes that the worker sends to the live index *during* a
rebuild are not carried over: they are superseded by the swap. Callers rebuild from a
lazily read database snapshot and re-deliver recent events (the outbox is
at-least-once) or pause the indexing consumer while rebuilding.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Final

import meilisearch
import msgspec
from meilisearch.errors import MeilisearchApiError, MeilisearchError

from search.documents import FACETS, ProductDocument
from search.engine import RebuildStats, SearchEngineError
from search.forgiving import RELAX_BELOW
from search.highlight import combine, from_placeholders
from search.korean import chosung_query, chosung_suffixes
from search.meilisearch_forgiving import (
    KEYS_ATTRIBUTE,
    RELAXED_WINDOW,
    keys_suffixes,
    looser_requests,
)
from search.query import (
    MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW,
    MAX_SUGGESTIONS,
    SearchHit,
    SearchQuery,
    SearchResult,
    Suggestion,
    order_facet_counts,
    page_count,
)
from search.synonyms import SynonymFile, SynonymTable

#: Private-use characters: they never occur in product text (they are stripped on the
#: way in) and survive HTML escaping unchanged.
HIGHLIGHT_PRE: Final = "\ue000"
HIGHLIGHT_POST: Final = "\ue001"
_STRIP_PLACEHOLDERS: Final = str.maketrans("", "", HIGHLIGHT_PRE + HIGHLIGHT_POST)
TEXT_ATTRIBUTES: Final = ("name", "vendor_name", "description")
LABEL_ATTRIBUTES: Final = ("category_label", "enterprise_type_label", "district")
CROP_WORDS: Final = 24
#: The name's 초성 as word endings (search.korean.chosung_suffixes): Meilisearch has no 초성
#: of its own, so a query of initials only is searched on this attribute alone.
CHOSUNG_ATTRIBUTE: Final = "name_chosung"
#: What a query as typed is searched on: everything but the keystroke spellings, which only
#: the looser tier asks (a Latin query word must not match them by chance).
STRICT_ATTRIBUTES: Final = [*TEXT_ATTRIBUTES, *LABEL_ATTRIBUTES, CHOSUNG_ATTRIBUTE]

SETTINGS: Final[dict[str, Any]] = {
    # Order is priority: a match in the name outranks one in the vendor or description;
    # labels come last so that ``마을기업`` or ``성북구`` still finds products.
    "searchableAttributes": [
        *TEXT_ATTRIBUTES, *LABEL_ATTRIBUTES, KEYS_ATTRIBUTE, CHOSUNG_ATTRIBUTE
    ],
    "filterableAttributes": [
        "id",  # for delete-by-filter; the ids form of delete is deprecated by the client
        *FACETS,
        "price_min",
        "price_max",
        "eco_friendly",
    ],
    "sortableAttributes": ["price_min", "published_at"],
    # The embedded engine's rules where Meilisearch has a setting for them (decision 47):
    # more words matched first, then fewer typos, closer words, a better attribute, the
    # shopper's sort, exact over prefix; typos scaled with word length.
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
    "localizedAttributes": [
        {"attributePatterns": [*TEXT_ATTRIBUTES, *LABEL_ATTRIBUTES], "locales": ["kor"]}
    ],
    "pagination": {"maxTotalHits": MAX_RESULT_WINDOW},
    "faceting": {"maxValuesPerFacet": 100},
}


def index_settings(synonyms: SynonymTable | None) -> dict[str, Any]:
    """:data:`SETTINGS` plus the synonym table, as applied to a new or rebuilt index.

    Meilisearch applies synonyms at query time too, but only as a setting, which a rebuild
    sets on its new index before the swap (decision 62): an admin's synonym version reaches
    it exactly when it reaches the embedded engine, with the next rebuild. ``None`` leaves
    the index's synonyms as they are (an existing index re-checked at start-up).
    """
    if synonyms is None:
        return dict(SETTINGS)
    return {**SETTINGS, "synonyms": synonyms.meilisearch_settings()}


_SORTS: Final[dict[str, list[str]]] = {
    "price_asc": ["price_min:asc"],
    "price_desc": ["price_min:desc"],
    "newest": ["published_at:desc"],
}


def _quote(value: str) -> str:
    # SearchQuery has already refused backslashes and control characters, the only
    # things a double-quoted Meilisearch value cannot carry; a quote is escaped.
    if "\\" in value:
        raise SearchEngineError(f"unsafe filter value {value!r}")
    return '"' + value.replace('"', '\\"') + '"'


def facet_filter(facet: str, values: Sequence[str]) -> str:
    """``category IN ["food", "household"]``: OR within one facet."""
    return f"{facet} IN [{', '.join(_quote(v) for v in values)}]"


def build_filters(query: SearchQuery, *, without: str | None = None) -> list[str]:
    """The filter array (AND across entries), optionally leaving out one facet's own filter."""
    filters = [
        facet_filter(facet, values) for facet, values in query.filters().items() if facet != without
    ]
    if query.price_min is not None:
        filters.append(f"price_max >= {int(query.price_min)}")
    if query.price_max is not None:
        filters.append(f"price_min <= {int(query.price_max)}")
    if query.eco_friendly is not None:
        filters.append(f"eco_friendly = {'true' if query.eco_friendly else 'false'}")
    return filters


def to_payload(doc: ProductDocument) -> dict[str, Any]:
    """The JSON document Meilisearch stores; ``published_at`` as a sortable unix time."""
    payload: dict[str, Any] = msgspec.to_builtins(doc)
    payload["published_at"] = int(doc.published_at.timestamp())
    for attribute in (*TEXT_ATTRIBUTES, *LABEL_ATTRIBUTES):
        payload[attribute] = payload[attribute].translate(_STRIP_PLACEHOLDERS)
    payload[CHOSUNG_ATTRIBUTE] = chosung_suffixes(doc.name)
    payload[KEYS_ATTRIBUTE] = keys_suffixes(doc.name)
    return payload


def text_search(q: str) -> dict[str, Any]:
    """The ``q`` part of a search request: as typed, or a query of initials only
    (``ㅌㅂㄹ``) on the names' 초성 (prefix matching on their word endings finds it inside
    a compound too)."""
    initials = chosung_query(q)
    if initials is None:
        return {"q": q, "attributesToSearchOn": STRICT_ATTRIBUTES}
    return {"q": initials, "attributesToSearchOn": [CHOSUNG_ATTRIBUTE]}


def _sorted(sort: list[str]) -> dict[str, Any]:
    return {"sort": sort} if sort else {}


def _relaxed_counts(
    strict: Mapping[str, Mapping[str, int]],
    own_filters: Mapping[str, Any],
    hits: Iterable[Mapping[str, Any]],
) -> dict[str, Mapping[str, int]]:
    """Facet counts of a relaxed answer, from its hits (all of them were fetched). A facet
    with a filter of its own keeps the strict query's counts without that filter, raised
    where the relaxed hits have more: the other values stay choosable."""
    counted: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    for hit in hits:
        for facet in FACETS:
            values = hit.get(facet)
            for value in values if isinstance(values, list) else [values]:
                if value:
                    counted[facet][value] = counted[facet].get(value, 0) + 1
    out: dict[str, Mapping[str, int]] = {}
    for facet in FACETS:
        if facet in own_filters:
            merged = dict(strict[facet])
            for value, n in counted[facet].items():
                merged[value] = max(merged.get(value, 0), n)
            out[facet] = merged
        else:
            out[facet] = counted[facet]
    return out


def _batches(docs: Iterable[ProductDocument], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(docs)
    while batch := [to_payload(doc) for doc in islice(iterator, size)]:
        yield batch


class MeilisearchEngine:
    """A :class:`search.engine.SearchEngine` backed by a Meilisearch server.

    Every write waits for its task, so the protocol's promise holds: when ``upsert``
    returns, the next search sees the change.
    """

    engine_name: Final = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None,
        index_name: str = "products",
        *,
        timeout_s: int = 10,
        task_timeout_ms: int = 120_000,
        batch_size: int = 5_000,
        client: meilisearch.Client | None = None,
        synonyms: SynonymFile | None = None,
    ) -> None:
        self.index_name = index_name
        self.synonyms = synonyms or SynonymFile()
        self._client = client or meilisearch.Client(url, api_key, timeout=timeout_s)
        self._task_timeout_ms = task_timeout_ms
        self._batch_size = batch_size
        self._ready = False

    # -- tasks and indexes ----------------------------------------------------------------

    @staticmethod
    @contextlib.contextmanager
    def _translated(action: str) -> Iterator[None]:
        """Client errors become ``SearchEngineError``: callers handle one exception type."""
        try:
            yield
        except MeilisearchError as exc:
            raise SearchEngineError(f"Meilisearch {action} failed: {exc}") from exc

    def _wait(self, task_uid: int, *, tolerate: str | None = None) -> bool:
        """Block until the task is done; raise unless it succeeded (True) or failed with
        ``tolerate`` (False)."""
        try:
            task = self._client.wait_for_task(
                task_uid, timeout_in_ms=self._task_timeout_ms, interval_in_ms=50
            )
        except MeilisearchError as exc:
            raise SearchEngineError(f"Meilisearch task {task_uid}: {exc}") from exc
        if task.status == "succeeded":
            return True
        error = task.error or {}
        if tolerate is not None and error.get("code") == tolerate:
            return False
        message = error.get("message", task.status)
        raise SearchEngineError(f"Meilisearch task {task_uid} ({task.type}) failed: {message}")

    def _create_index(self, uid: str, synonyms: SynonymTable | None = None) -> None:
        """Create ``uid`` with our primary key (keeping an existing one) and apply settings.

        A new index gets ``synonyms`` (default: the file's); an existing one keeps the
        synonyms its last rebuild gave it, so a restart never undoes an admin's version.
        """
        with self._translated(f"creating {uid}"):
            task = self._client.create_index(uid, {"primaryKey": "id"})
        created = self._wait(task.task_uid, tolerate="index_already_exists")
        table = (synonyms or self.synonyms.current()) if created else None
        with self._translated(f"configuring {uid}"):
            task = self._client.index(uid).update_settings(index_settings(table))
        self._wait(task.task_uid)

    def _ensure_ready(self) -> None:
        if not self._ready:
            self._create_index(self.index_name)
            self._ready = True

    # -- writes ---------------------------------------------------------------------------

    def upsert(self, docs: Sequence[ProductDocument]) -> None:
        """Replace whole documents by id (``add_documents``, not a partial update)."""
        if not docs:
            return
        self._ensure_ready()
        index = self._client.index(self.index_name)
        for batch in _batches(docs, self._batch_size):
            with self._translated("upsert"):
                task = index.add_documents(batch, primary_key="id")
            self._wait(task.task_uid)

    def delete(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        self._ensure_ready()
        index = self._client.index(self.index_name)
        unique = list(dict.fromkeys(int(i) for i in ids))
        for start in range(0, len(unique), self._batch_size):
            chunk = ", ".join(str(i) for i in unique[start : start + self._batch_size])
            with self._translated("delete"):
                task = index.delete_documents(filter=f"id IN [{chunk}]")
            self._wait(task.task_uid)

    def rebuild(
        self, docs: Iterable[ProductDocument], synonyms: SynonymTable | None = None
    ) -> RebuildStats:
        started = time.perf_counter()
        self._ensure_ready()
        temp_uid = f"{self.index_name}_{time.time_ns() // 1_000_000}"
        self._create_index(temp_uid, synonyms)
        try:
            temp = self._client.index(temp_uid)
            count = 0
            for batch in _batches(docs, self._batch_size):
                with self._translated("rebuild"):
                    task = temp.add_documents(batch, primary_key="id")
                self._wait(task.task_uid)
                count += len(batch)
            with self._translated("swap"):
                swap = self._client.swap_indexes([{"indexes": [self.index_name, temp_uid]}])
            self._wait(swap.task_uid)
        except BaseException:
            with contextlib.suppress(MeilisearchError):  # best effort; the cause matters more
                self._client.delete_index(temp_uid)
            raise
        # After the swap the temporary uid holds the previous documents.
        with self._translated("cleanup"):
            task = self._client.delete_index(temp_uid)
        self._wait(task.task_uid)
        return RebuildStats(
            docs=count, index=temp_uid, seconds=round(time.perf_counter() - started, 3)
        )

    # -- reads ----------------------------------------------------------------------------

    def _multi_search(self, requests: list[dict[str, Any]], action: str) -> list[Any] | None:
        """The results of one ``multi-search``, in order; None before the index exists."""
        try:
            response = self._client.multi_search(requests)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return None
            raise SearchEngineError(f"Meilisearch {action} failed: {exc}") from exc
        except MeilisearchError as exc:
            raise SearchEngineError(f"Meilisearch {action} failed: {exc}") from exc
        return list(response["results"])

    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]:
        """Product names for a half-typed query; Meilisearch treats the last word as a
        prefix and corrects typos itself; initials only search the names' 초성. The looser
        tiers ask in the same round trip and fill up after the strict names."""
        text = " ".join(q.split())[:MAX_QUERY_CHARS]
        if not text:
            return []
        limit = max(1, min(limit, MAX_SUGGESTIONS))
        base = {
            "indexUid": self.index_name,
            "limit": limit,
            "attributesToRetrieve": ["id", "name", "url", "category", "category_label"],
        }
        looser = looser_requests(text) if chosung_query(text) is None else []
        results = self._multi_search(
            [{**base, **text_search(text)}, *({**base, **part} for part in looser)], "suggest"
        )
        seen: dict[str, Suggestion] = {}
        for result in results or []:
            for hit in result["hits"]:
                seen.setdefault(
                    hit["name"],
                    Suggestion(
                        id=int(hit["id"]),
                        name=hit["name"],
                        url=hit["url"],
                        category=hit["category"],
                        category_label=hit["category_label"],
                    ),
                )
        return list(seen.values())[:limit]

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        own_filters = query.filters()
        unfiltered = [facet for facet in FACETS if facet not in own_filters]
        shown: dict[str, Any] = {
            "indexUid": self.index_name,
            "filter": build_filters(query),
            "attributesToHighlight": ["name", "description"],
            "attributesToCrop": ["description"],
            "cropLength": CROP_WORDS,
            "cropMarker": "…",
            "highlightPreTag": HIGHLIGHT_PRE,
            "highlightPostTag": HIGHLIGHT_POST,
            "showRankingScore": True,
        }
        page: dict[str, Any] = {
            **shown,
            **text_search(query.q),
            "facets": unfiltered,
            "page": query.page,
            "hitsPerPage": query.per_page,
        }
        sort = _SORTS.get(query.sort) or ([] if query.q else _SORTS["newest"])
        if sort:
            page["sort"] = sort
        facet_queries = [
            {
                "indexUid": self.index_name,
                **text_search(query.q),
                "filter": build_filters(query, without=facet),
                "facets": [facet],
                "limit": 0,
            }
            for facet in own_filters
        ]
        results = self._multi_search([page, *facet_queries], "search")
        if results is None:
            return self._empty(query, started)
        main = results[0]
        counts: dict[str, Mapping[str, int]] = {facet: {} for facet in FACETS}
        for result in results:
            for facet, distribution in (result.get("facetDistribution") or {}).items():
                if facet in counts:
                    counts[facet] = distribution
        total = int(main.get("totalHits", 0))
        hits = [self._hit(hit) for hit in main.get("hits", [])]
        looser = looser_requests(query.q) if self._should_relax(query, total) else []
        if looser:
            # The strict hits again from the top (fewer than a page), then each tier's.
            tiers = [{**shown, **text_search(query.q), "limit": RELAX_BELOW, **_sorted(sort)}]
            tiers += [{**shown, **part, "limit": RELAXED_WINDOW, **_sorted(sort)}
                      for part in looser]
            merged: dict[int, Mapping[str, Any]] = {}
            for result in self._multi_search(tiers, "search") or []:
                for hit in result.get("hits", []):
                    merged.setdefault(int(hit["id"]), hit)
            total = len(merged)
            shown_hits = list(merged.values())[query.offset : query.offset + query.per_page]
            hits = [self._hit(hit) for hit in shown_hits]
            counts = _relaxed_counts(counts, own_filters, merged.values())
        return SearchResult(
            hits=hits,
            total=total,
            facets={
                facet: order_facet_counts(counts[facet], getattr(query, facet)) for facet in FACETS
            },
            page=query.page,
            per_page=query.per_page,
            pages=page_count(total, query.per_page),
            took_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    @staticmethod
    def _should_relax(query: SearchQuery, total: int) -> bool:
        """As the embedded engine: words that found less than a page (for a sort other
        than relevance, nothing, since looser hits would interleave with strict ones)."""
        if not query.q or chosung_query(query.q) is not None:
            return False
        return total < (RELAX_BELOW if query.sort == "relevance" else 1)

    @staticmethod
    def _empty(query: SearchQuery, started: float) -> SearchResult:
        return SearchResult(
            hits=[],
            total=0,
            facets={facet: order_facet_counts({}, getattr(query, facet)) for facet in FACETS},
            page=query.page,
            per_page=query.per_page,
            pages=0,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    @staticmethod
    def _hit(hit: Mapping[str, Any]) -> SearchHit:
        formatted = hit.get("_formatted") or {}
        name_html = from_placeholders(
            formatted.get("name", hit["name"]), HIGHLIGHT_PRE, HIGHLIGHT_POST
        )
        snippet_html = from_placeholders(
            formatted.get("description", ""), HIGHLIGHT_PRE, HIGHLIGHT_POST
        )
        return SearchHit(
            id=int(hit["id"]),
            name=hit["name"],
            url=hit["url"],
            image_url=hit.get("image_url"),
            price_min=int(hit["price_min"]),
            price_max=int(hit["price_max"]),
            category=hit["category"],
            category_label=hit["category_label"],
            enterprise_type=hit["enterprise_type"],
            enterprise_type_label=hit["enterprise_type_label"],
            vendor_id=int(hit["vendor_id"]),
            vendor_name=hit["vendor_name"],
            district=hit["district"],
            strategic_items=list(hit.get("strategic_items") or []),
            eco_friendly=bool(hit.get("eco_friendly", False)),
            published_at=datetime.fromtimestamp(int(hit["published_at"]), tz=UTC),
            highlight=combine(name_html, snippet_html),
            name_highlight=name_html,
            snippet_highlight=snippet_html,
            score=float(hit.get("_rankingScore", 0.0)),
        )

    # -- operations -----------------------------------------------------------------------

    def search_kept(self, query: SearchQuery) -> None:
        """Nothing is kept here (see ``catalog_cache``)."""
        return None

    def catalog_cache(self) -> None:
        """Meilisearch says nothing when a document changes: nothing is kept."""
        return None

    def count(self) -> int:
        try:
            stats = self._client.index(self.index_name).get_stats()
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return 0
            raise SearchEngineError(f"Meilisearch stats failed: {exc}") from exc
        except MeilisearchError as exc:
            raise SearchEngineError(f"Meilisearch stats failed: {exc}") from exc
        return int(stats.number_of_documents)

    def health(self) -> dict[str, Any]:
        details: dict[str, Any] = {"url": self._client.config.url, "index": self.index_name}
        try:
            status = self._client.health().get("status")
            details["status"] = status
            docs = self.count()
        except (MeilisearchError, SearchEngineError) as exc:
            details["error"] = str(exc)
            return {"ok": False, "engine": self.engine_name, "docs": 0, "details": details}
        return {
            "ok": status == "available",
            "engine": self.engine_name,
            "docs": docs,
            "details": details,
        }

    def close(self) -> None:
        """Nothing to release: the client opens a connection per request."""

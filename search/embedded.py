"""The embedded engine: answering searches and suggestions on the local tantivy index.

How the index lives on disk and how web, worker and CLI processes share it (generations,
locks, journals, reloads) is ``search/generations.py``; which tantivy query a search
becomes is ``search/tantivy_queries.py``; how a query word is forgiven (typos, 초성,
particles, synonyms) is ``search/forgiving.py``. What is left here is the order of a
search: the strict query first, then each looser tier only while the words found less than
a page (decision 47), the did-you-mean, and caching facet counts and whole results per
index snapshot (decision 61), which is safe because every commit is a new snapshot.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import msgspec
import tantivy

from search import tantivy_queries as queries
from search.analysis import fold, normalize
from search.documents import ProductDocument, decode_document
from search.engine import RebuildStats, SearchEngineError
from search.forgiving import RELAX_BELOW, Concept, chosung_expansions, highlight_terms, plan
from search.generations import SCHEMA_VERSION, GenerationalIndex, SnapshotCache
from search.korean import compose
from search.query import (
    MAX_SUGGESTIONS,
    SearchQuery,
    SearchResult,
    Suggestion,
    page_count,
)
from search.synonyms import SynonymFile, SynonymTable

#: Entries (facet counts, results) kept per snapshot; the oldest goes first.
_SNAPSHOT_CACHE_SIZE: Final = 512


def _remember(cache: SnapshotCache, key: Any, value: Any) -> None:
    if len(cache) >= _SNAPSHOT_CACHE_SIZE:
        cache.pop(next(iter(cache)), None)
    cache[key] = value


def _result_key(query: SearchQuery, table: SynonymTable) -> tuple[str, bytes, Any]:
    return ("result", msgspec.json.encode(query), table.version)


def _kept_result(cache: SnapshotCache, key: Any, started: float) -> SearchResult | None:
    cached = cache.get(key)
    if not isinstance(cached, SearchResult):
        return None
    return msgspec.structs.replace(
        cached, facets={f: dict(c) for f, c in cached.facets.items()},
        took_ms=round((time.perf_counter() - started) * 1000, 3),
    )


def _known(searcher: tantivy.Searcher, word: str) -> bool:
    """Whether every syllable bigram of ``word`` is a term of some product name or label."""
    grams = [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]
    if len(word) == 1:
        return True
    return all(
        any(searcher.doc_freq(field, gram) for field in ("name", "labels", "vendor_name"))
        for gram in grams
    )


class EmbeddedEngine:
    """A :class:`search.engine.SearchEngine` on tantivy, safe for web, worker and CLI processes.

    The keyword arguments tune tantivy's writers (see
    :class:`search.generations.GenerationalIndex`); ``synonyms`` is the file searches answer
    with until a rebuild gives the live generation a table of its own.
    """

    engine_name: Final = "tantivy"

    def __init__(
        self,
        data_dir: Path,
        index_name: str = "products",
        *,
        writer_heap_bytes: int = 64_000_000,
        writer_threads: int = 1,
        rebuild_heap_bytes: int = 256_000_000,
        synonyms: SynonymFile | None = None,
    ) -> None:
        self._schema = queries.build_schema()
        self.index = GenerationalIndex(
            data_dir,
            index_name,
            self._schema,
            writer_heap_bytes=writer_heap_bytes,
            writer_threads=writer_threads,
            rebuild_heap_bytes=rebuild_heap_bytes,
        )
        self.data_dir = self.index.data_dir
        self.index_name = index_name
        self.synonyms = synonyms or SynonymFile()

    # -- writes (the generations do them) ---------------------------------------------------

    def upsert(self, docs: Sequence[ProductDocument]) -> None:
        """Replace (or add) each document by id; the batch is one commit."""
        self.index.upsert(docs)

    def delete(self, ids: Sequence[int]) -> None:
        self.index.delete(ids)

    def rebuild(
        self, docs: Iterable[ProductDocument], synonyms: SynonymTable | None = None
    ) -> RebuildStats:
        """See :meth:`search.generations.GenerationalIndex.rebuild`."""
        return self.index.rebuild(docs, synonyms)

    # -- reads ------------------------------------------------------------------------------

    def _snapshot(self) -> tuple[tantivy.Searcher, SnapshotCache, SynonymTable]:
        """The live searcher, its cache, and the synonym table it answers with."""
        snapshot = self.index.snapshot()
        table = snapshot.synonyms if snapshot.synonyms is not None else self.synonyms.current()
        return snapshot.searcher, snapshot.cache, table

    def synonyms_in_use(self) -> SynonymTable:
        """The table searches answer with now: the live generation's, else the file's."""
        return self._snapshot()[2]

    def count(self) -> int:
        return self.index.snapshot().searcher.num_docs

    def catalog_cache(self) -> dict[Any, Any]:
        """The live snapshot's own cache (see ``SearchEngine.catalog_cache``)."""
        return self.index.snapshot().cache

    def search_kept(self, query: SearchQuery) -> SearchResult | None:
        """``search``'s answer if this snapshot already holds it, else None (see
        ``SearchEngine.search_kept``)."""
        started = time.perf_counter()
        _searcher, cache, table = self._snapshot()
        return _kept_result(cache, _result_key(query, table), started)

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        searcher, cache, table = self._snapshot()
        # Whole results are kept per snapshot too (decision 61): the index changes only
        # when the worker commits what a catalog event changed, and that commit is a new
        # snapshot with empty caches, so a cached page of hits is never older than the index.
        result_key = _result_key(query, table)
        kept = _kept_result(cache, result_key, started)
        if kept is not None:
            return kept
        concepts = plan(query.q, table, functools.partial(_known, searcher))
        concepts = [self._with_expansions(searcher, c) for c in concepts]
        ranges = queries.range_filters(self._schema, query)
        facet_filters = {
            facet: queries.Query.const_score_query(
                queries.Query.term_set_query(self._schema, facet, list(values)), 0.0
            )
            for facet, values in query.filters().items()
        }
        text = queries.strict_text_query(self._schema, concepts)
        found, main = self._run(searcher, query, text, ranges, facet_filters)
        relaxed = False
        # Step by step, each only while the words found less than a page: as typed, with
        # synonyms, then corrected and by pieces (search/forgiving.py).
        steps: list[Callable[[tantivy.Schema, list[Concept]], tantivy.Query | None]] = [
            queries.relaxed_text_query
        ]
        if any(c.has_synonyms for c in concepts):
            steps.insert(0, queries.synonym_text_query)
        for step in steps if concepts else []:
            if not self._should_relax(searcher, query, text, found.count or 0):  # type: ignore[attr-defined]
                break
            text = step(self._schema, concepts)
            found, main = self._run(searcher, query, text, ranges, facet_filters)
            relaxed = True
        if relaxed and not found.count and not self._filtered(query):  # type: ignore[attr-defined]
            fallback = queries.last_resort_query(self._schema, concepts)
            if fallback is not None:
                text = fallback
                found, main = self._run(searcher, query, text, ranges, facet_filters)
        order_by, _order = queries.order_of(query, has_text=text is not None)
        terms = highlight_terms(concepts, synonyms=relaxed)
        did_you_mean = self._did_you_mean(searcher, concepts) if relaxed else None
        total = found.count or 0  # type: ignore[attr-defined]  # present; missing from the stub
        cache_key = (
            query.q,
            relaxed,
            table.version,
            tuple(query.filters().items()),
            query.price_min,
            query.price_max,
            query.eco_friendly,
        )
        facets = cache.get(cache_key)
        if facets is None:
            facets = queries.facet_counts(searcher, query, main, total, text, ranges, facet_filters)
            _remember(cache, cache_key, facets)
        facets = {facet: dict(counts) for facet, counts in facets.items()}  # callers may mutate
        hits = [
            queries.hit_of(searcher, address, float(score) if order_by is None else 0.0, terms)
            for score, address in found.hits
        ]
        result = SearchResult(
            hits=hits,
            total=total,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
            pages=page_count(total, query.per_page),
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            did_you_mean=did_you_mean,
        )
        _remember(cache, result_key, result)
        return msgspec.structs.replace(
            result, facets={f: dict(c) for f, c in result.facets.items()}
        )

    def _with_expansions(self, searcher: tantivy.Searcher, concept: Concept) -> Concept:
        """A 초성 concept with the readings its best matching names share (a quick first
        look at up to 50 names)."""
        if not concept.chosung or concept.chosung_prefix is not None:
            return concept
        probe = queries.exact_query(self._schema, concept, synonyms=False)
        if probe is None:
            return concept
        names = []
        for _score, address in searcher.search(probe, limit=50).hits:
            raw = searcher.doc(address).get_first("doc")
            if isinstance(raw, bytes):
                names.append(decode_document(raw).name)
        expansions = chosung_expansions(concept, names)
        return dataclasses.replace(concept, expansions=expansions) if expansions else concept

    @staticmethod
    def _did_you_mean(searcher: tantivy.Searcher, concepts: list[Concept]) -> str | None:
        """The query with each word the index does not know replaced by its most common
        likely-slip correction that it does know (``녹챠`` -> 녹차), if any word changed."""
        words: list[str] = []
        changed = False
        for concept in concepts:
            best: tuple[int, str] | None = None
            if concept.slips and not concept.has_synonyms:
                best = max((searcher.doc_freq("name_jamo", s), s) for s in concept.slips)
            if best is not None and best[0] > 0:
                words.append(compose(best[1]))
                changed = True
            else:
                words.append(concept.text)
        return " ".join(words) if changed else None

    def suggest(self, q: str, limit: int = 8) -> list[Suggestion]:
        """Product names for a half-typed query: as typed (the last syllable may be
        unfinished), 초성, corrected; the strict search's tiers, without facets."""
        words = fold(normalize(q)).split()[:10]
        limit = max(1, min(limit, MAX_SUGGESTIONS))
        if not words:
            return []
        searcher, _cache, table = self._snapshot()
        concepts = plan(" ".join(words), table, functools.partial(_known, searcher))
        if not concepts:
            return []
        typing = queries.typing_query(self._schema, words[-1]) if len(words) == 1 else None
        names = queries.NAME_ONLY
        strict = queries.strict_text_query(self._schema, concepts, names)
        attempts = [
            queries.any_of([strict, typing]),
            queries.relaxed_text_query(self._schema, concepts, names),
        ]
        found: list[tuple[float, tantivy.DocAddress]] = []
        for text in attempts:
            if text is None:
                continue
            found = searcher.search(text, limit=limit * 2).hits
            if len(found) >= limit:
                break
        suggestions: dict[str, Suggestion] = {}
        for _score, address in found:
            raw = searcher.doc(address).get_first("doc")
            if not isinstance(raw, bytes):
                continue
            doc = decode_document(raw)
            suggestions.setdefault(
                doc.name,
                Suggestion(
                    id=doc.id,
                    name=doc.name,
                    url=doc.url,
                    category=doc.category,
                    category_label=doc.category_label,
                ),
            )
        return list(suggestions.values())[:limit]

    @staticmethod
    def _filtered(query: SearchQuery) -> bool:
        prices = (query.price_min, query.price_max) != (None, None)
        return bool(query.filters()) or prices or query.eco_friendly is not None

    @staticmethod
    def _should_relax(
        searcher: tantivy.Searcher, query: SearchQuery, text: tantivy.Query | None, found: int
    ) -> bool:
        """Whether the words (not the filters) found less than a page.

        Relaxing because a district filter left few hits would only add products the
        shopper did not name. Sorted by price or date, relaxed hits would interleave with
        strict ones, so there the looser tiers only stand in for an empty result.
        """
        threshold = RELAX_BELOW if query.sort == "relevance" else 1
        if found >= threshold:
            return False
        if text is None or not EmbeddedEngine._filtered(query):
            return True
        unfiltered = searcher.search(text, limit=1, count=True).count or 0  # type: ignore[attr-defined]
        return bool(unfiltered < threshold)

    def _run(
        self,
        searcher: tantivy.Searcher,
        query: SearchQuery,
        text: tantivy.Query | None,
        ranges: list[tantivy.Query],
        facet_filters: dict[str, tantivy.Query],
    ) -> tuple[tantivy.SearchResult, tantivy.Query]:
        main = queries.all_of([text, *ranges, *facet_filters.values()])
        order_by, order = queries.order_of(query, has_text=text is not None)
        if order_by is None:
            found = searcher.search(main, limit=query.per_page, offset=query.offset, count=True)
        else:
            found = searcher.search(
                main,
                limit=query.per_page,
                offset=query.offset,
                count=True,
                order_by_field=order_by,
                order=order,
            )
        return found, main

    # -- operations -----------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        details: dict[str, Any] = {"path": str(self.data_dir), "index": self.index_name}
        try:
            snapshot = self.index.snapshot()
            table = snapshot.synonyms or self.synonyms.current()
            version = self.index.schema_version(snapshot.generation)
            details.update(
                generation=snapshot.generation,
                segments=snapshot.searcher.num_segments,
                schema_version=version,
                synonyms_version=table.version,
            )
            details["rebuilding"] = self.index.rebuilding()
            ok = version == SCHEMA_VERSION
            if not ok:
                details["error"] = f"schema version {version}, expected {SCHEMA_VERSION}: rebuild"
            return {
                "ok": ok,
                "engine": self.engine_name,
                "docs": snapshot.searcher.num_docs,
                "details": details,
            }
        except (OSError, ValueError, SearchEngineError) as exc:
            details["error"] = str(exc)
            return {"ok": False, "engine": self.engine_name, "docs": 0, "details": details}

    def close(self) -> None:
        self.index.close()

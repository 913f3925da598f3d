"""The embedded engine: tantivy indexes on local disk, shared by several processes.

Who touches the index, and how they stay out of each other's way:

* The web process only searches. Before each search it ``stat``s the pointer file and the
  live generation's ``meta.json`` (two syscalls, a few microseconds) and reloads only when
  one changed, so a commit made by the worker is visible to the very next search without
  paying for a reload on every request.
* The worker upserts and deletes. Each call takes an exclusive ``flock`` on
  ``<index_name>.lock``, opens a tantivy writer on whichever generation the pointer names
  *now*, commits, waits for merges and drops the writer. Holding tantivy's writer lock only
  inside that window lets several worker processes (and the rebuild's final swap) take
  turns, and re-reading the pointer each time is what makes a writer follow a rebuild.
* A rebuild (CLI) builds ``<index_name>-<generation+1>/`` without the lock while the
  worker keeps writing to the live generation. It announces itself with a
  ``<index_name>.building`` marker that it holds ``flock``-ed: writers that see a live
  marker append their operation to ``<index_name>-<gen>.journal``, and the rebuild
  replays that journal under the exclusive lock before it swaps the pointer with
  ``os.replace``. So no write made during a rebuild is lost, and a crashed rebuild (its
  ``flock`` gone with the process) is recognised as stale and cleaned up.
* After a swap only the live and the previous generation are kept: a reader that read
  the old pointer a moment ago can still open it, and disk use does not grow.

Text fields hold :func:`search.analysis.index_text` output under tantivy's built-in
``whitespace`` tokenizer; no custom tokenizer has to be registered in each process that
opens the index. Facet fields are raw-tokenised fast text columns, so disjunctive counts
are tantivy terms aggregations: one request for the facets without a filter of their own,
plus one per filtered facet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NamedTuple

import msgspec
import tantivy

from search import tantivy_queries as queries
from search.analysis import chosung_index_text, fold, index_text, jamo_index_text, normalize
from search.documents import ProductDocument, decode_document, encode_document
from search.engine import RebuildStats, SearchEngineError
from search.forgiving import Concept, chosung_expansions, highlight_terms, plan
from search.korean import compose
from search.query import (
    MAX_SUGGESTIONS,
    SearchQuery,
    SearchResult,
    Suggestion,
    page_count,
)
from search.synonyms import SynonymFile, SynonymTable

#: A strict result smaller than one page of the search page is widened (forgiving tiers).
RELAX_BELOW: Final = 20

#: Bumped whenever the schema below changes; an index with another version needs a rebuild.
SCHEMA_VERSION: Final = 2  # 2: name_jamo and name_chosung (decision 47)
_SCHEMA_FILE: Final = "jangteo-schema-version"
#: The synonym table a rebuild was given, kept with its generation (decision 62).
_SYNONYMS_FILE: Final = "jangteo-synonyms.json"

_FACET_CACHE_SIZE: Final = 512

#: Vendor names and label triples recur across thousands of products; analyse each once.
_repeated_text: Final = functools.lru_cache(maxsize=8_192)(index_text)


class _Op(msgspec.Struct, tag_field="op", tag=str.lower):
    pass


class Upsert(_Op):
    docs: list[ProductDocument]


class Delete(_Op):
    ids: list[int]


_JOURNAL_ENCODER: Final = msgspec.json.Encoder()
_JOURNAL_DECODER: Final = msgspec.json.Decoder(Upsert | Delete)


@dataclass
class _Reader:
    generation: int
    index: tantivy.Index
    meta_key: tuple[int, int, int] | None = None
    searcher: tantivy.Searcher | None = None
    #: Facet counts per (words, filters) for this searcher: paging or re-sorting a result
    #: reuses them. Replaced, not cleared, on reload, so a concurrent search cannot
    #: store counts of an old snapshot into the new cache.
    facet_cache: dict[Any, dict[str, dict[str, int]]] = field(default_factory=dict)
    #: The generation's own synonym table, if its rebuild was given one.
    synonyms: SynonymTable | None = None


def _generation_synonyms(path: Path) -> SynonymTable | None:
    try:
        return SynonymTable.parse(msgspec.json.decode((path / _SYNONYMS_FILE).read_bytes()))
    except FileNotFoundError:
        return None


class _Snapshot(NamedTuple):
    searcher: tantivy.Searcher
    facet_cache: dict[Any, dict[str, dict[str, int]]]
    synonyms: SynonymTable


def _stat_key(path: Path) -> tuple[int, int, int]:
    # tantivy and os.replace both write a new file and rename it, so the inode changes
    # on every commit/swap even when mtime granularity would not notice.
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


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

    ``writer_heap_bytes`` and ``writer_threads`` are passed to tantivy for incremental
    writes; a rebuild uses ``rebuild_heap_bytes``. Threads default to 1: on the 2-core
    target a second indexing thread competes with the Python thread that analyses the
    documents, and the benchmark indexed slower with it (9.4k vs 10.2k docs/s).
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
        if not re.fullmatch(r"[a-z][a-z0-9_]*", index_name):
            raise ValueError(f"index name must be a lower-case identifier: {index_name!r}")
        self.data_dir = Path(data_dir)
        self.index_name = index_name
        self._writer_heap = writer_heap_bytes
        self._writer_threads = writer_threads
        self._rebuild_heap = rebuild_heap_bytes
        self._schema = queries.build_schema()
        self.synonyms = synonyms or SynonymFile()
        self._pointer = self.data_dir / f"{index_name}.current"
        self._lock_path = self.data_dir / f"{index_name}.lock"
        self._marker = self.data_dir / f"{index_name}.building"
        self._gen_re = re.compile(rf"{re.escape(index_name)}-(\d+)")
        self._state_lock = threading.Lock()
        self._reader: _Reader | None = None
        self._pointer_key: tuple[int, int, int] | None = None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self._pointer.exists():
            with self._exclusive():
                if not self._pointer.exists():
                    self._create_generation(1)
                    self._point_to(1)

    # -- layout ---------------------------------------------------------------------------

    def generation_dir(self, generation: int) -> Path:
        return self.data_dir / f"{self.index_name}-{generation}"

    def _journal(self, generation: int) -> Path:
        return self.data_dir / f"{self.index_name}-{generation}.journal"

    def live_generation(self) -> int:
        """The generation the pointer names, read from disk (not this process's cache)."""
        return int(self._pointer.read_text(encoding="ascii").strip())

    def generations(self) -> list[int]:
        """Generation directories present on disk, oldest first."""
        found = []
        for entry in self.data_dir.iterdir():
            match = self._gen_re.fullmatch(entry.name)
            if match and entry.is_dir():
                found.append(int(match.group(1)))
        return sorted(found)

    def _point_to(self, generation: int) -> None:
        tmp = self._pointer.with_name(f"{self._pointer.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(f"{generation}\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._pointer)

    def _create_generation(self, generation: int) -> tantivy.Index:
        path = self.generation_dir(generation)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        (path / _SCHEMA_FILE).write_text(f"{SCHEMA_VERSION}\n", encoding="ascii")
        return tantivy.Index(self._schema, path=str(path), reuse=False)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        # A fresh open file description per call: flock then also serialises threads.
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _building(self, *, cleanup: bool = True) -> int | None:
        """Generation being rebuilt by a live process, if any.

        With ``cleanup`` the caller holds the lock: only then is an unheld marker surely
        stale (a rebuild creates and locks it under the same lock) and safe to remove.
        """
        try:
            fd = os.open(self._marker, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = os.read(fd, 32).decode("ascii").strip()
                # Empty only in the instant between creation and write, seen without the lock.
                return int(text) if text else None
            # Nobody holds it: the rebuild died. Its leftovers go with the next cleanup.
            if cleanup:
                self._marker.unlink(missing_ok=True)
            return None
        finally:
            os.close(fd)

    def _collect_garbage(self) -> None:
        """Delete generations other than live, previous and in-progress; caller holds the lock."""
        live = self.live_generation()
        building = self._building()
        older = [g for g in self.generations() if g < live]
        keep = {live, building, older[-1] if older else None}
        for generation in self.generations():
            if generation not in keep:
                shutil.rmtree(self.generation_dir(generation), ignore_errors=True)
        for journal in self.data_dir.glob(f"{self.index_name}-*.journal"):
            if journal != (self._journal(building) if building is not None else None):
                journal.unlink(missing_ok=True)

    # -- documents --------------------------------------------------------------------------

    @staticmethod
    def _to_tantivy(doc: ProductDocument) -> tantivy.Document:
        tdoc = tantivy.Document(
            id=doc.id,
            name=index_text(doc.name),
            name_jamo=jamo_index_text(doc.name),
            name_chosung=chosung_index_text(doc.name),
            vendor_name=_repeated_text(doc.vendor_name),
            labels=_repeated_text(doc.category_label, doc.enterprise_type_label, doc.district),
            description=index_text(doc.description),
            category=doc.category,
            enterprise_type=doc.enterprise_type,
            district=doc.district,
            eco_friendly=doc.eco_friendly,
            price_min=doc.price_min,
            price_max=doc.price_max,
            published_ts=int(doc.published_at.timestamp()),
        )
        for item in doc.strategic_items:
            tdoc.add_text("strategic_items", item)
        tdoc.add_bytes("doc", encode_document(doc))
        return tdoc

    # -- writes -----------------------------------------------------------------------------

    def upsert(self, docs: Sequence[ProductDocument]) -> None:
        """Replace (or add) each document by id; the batch is one commit."""
        if not docs:
            return
        latest = list({doc.id: doc for doc in docs}.values())
        self._write(Upsert(docs=latest))

    def delete(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        self._write(Delete(ids=list(dict.fromkeys(ids))))

    def _apply(self, writer: tantivy.IndexWriter, op: Upsert | Delete) -> None:
        if isinstance(op, Delete):
            for doc_id in op.ids:
                writer.delete_documents_by_term("id", doc_id)
            return
        for doc in op.docs:
            writer.delete_documents_by_term("id", doc.id)
            writer.add_document(self._to_tantivy(doc))

    def _write(self, op: Upsert | Delete) -> None:
        with self._exclusive():
            generation = self.live_generation()
            index = tantivy.Index.open(str(self.generation_dir(generation)))
            writer = index.writer(heap_size=self._writer_heap, num_threads=self._writer_threads)
            try:
                self._apply(writer, op)
                # Journal before committing: an operation that reached the live index is
                # then always in the journal too; one journaled but not committed is
                # retried by its caller, and replaying an upsert or delete twice is harmless.
                building = self._building()
                if building is not None and building != generation:
                    with open(self._journal(building), "ab") as fh:
                        fh.write(_JOURNAL_ENCODER.encode(op) + b"\n")
                        fh.flush()
                        os.fsync(fh.fileno())
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                # Merges must finish inside the lock: dropping the writer abandons them.
                writer.wait_merging_threads()
                del writer

    def rebuild(
        self, docs: Iterable[ProductDocument], synonyms: SynonymTable | None = None
    ) -> RebuildStats:
        """Index ``docs`` into a new generation and swap it in; searches never pause.

        ``synonyms`` is written into the new generation, so every process answers with it
        from the moment it opens that generation (without it: the default file).

        ``docs`` should be read lazily (a generator over the database): writes that reach
        the worker after this call started are journaled and replayed, so the snapshot
        must not be older than the call.
        """
        started = time.perf_counter()
        marker_fd, generation = self._announce_rebuild()
        swapped = False
        try:
            count = self._build(generation, docs)
            if synonyms is not None:
                (self.generation_dir(generation) / _SYNONYMS_FILE).write_bytes(
                    msgspec.json.encode(synonyms.to_data())
                )
            with self._exclusive():
                self._replay_journal(generation)
                self._point_to(generation)
                swapped = True
                self._marker.unlink(missing_ok=True)
                os.close(marker_fd)
                marker_fd = -1
                self._collect_garbage()
        finally:
            if marker_fd != -1:
                with self._exclusive():
                    self._marker.unlink(missing_ok=True)
                    os.close(marker_fd)
                    if not swapped:
                        shutil.rmtree(self.generation_dir(generation), ignore_errors=True)
                        self._journal(generation).unlink(missing_ok=True)
        return RebuildStats(
            docs=count,
            index=self.generation_dir(generation).name,
            seconds=round(time.perf_counter() - started, 3),
        )

    def _announce_rebuild(self) -> tuple[int, int]:
        with self._exclusive():
            running = self._building()
            if running is not None:
                raise SearchEngineError(f"a rebuild into generation {running} is running")
            self._collect_garbage()
            generation = max([self.live_generation(), *self.generations()]) + 1
            fd = os.open(self._marker, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, f"{generation}\n".encode("ascii"))
            return fd, generation

    def _build(self, generation: int, docs: Iterable[ProductDocument]) -> int:
        index = self._create_generation(generation)
        writer = index.writer(heap_size=self._rebuild_heap, num_threads=self._writer_threads)
        seen: set[int] = set()
        try:
            for doc in docs:
                if doc.id in seen:  # the last version of a duplicated id wins
                    writer.delete_documents_by_term("id", doc.id)
                seen.add(doc.id)
                writer.add_document(self._to_tantivy(doc))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        return len(seen)

    def _replay_journal(self, generation: int) -> None:
        journal = self._journal(generation)
        if not journal.exists():
            return
        index = tantivy.Index.open(str(self.generation_dir(generation)))
        writer = index.writer(heap_size=self._writer_heap, num_threads=self._writer_threads)
        try:
            with open(journal, "rb") as fh:
                for line in fh:
                    if not line.endswith(b"\n"):
                        break  # torn by a writer that died mid-append, before committing
                    self._apply(writer, _JOURNAL_DECODER.decode(line))
            writer.commit()
        finally:
            writer.wait_merging_threads()
        journal.unlink()

    # -- reads ------------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        return self._snapshot().searcher

    def synonyms_in_use(self) -> SynonymTable:
        """The table searches answer with now: the live generation's, else the file's."""
        return self._snapshot().synonyms

    def _snapshot(self) -> _Snapshot:
        """Searcher, its facet cache and synonym table, taken together under the lock."""
        with self._state_lock:
            for _attempt in range(5):
                try:
                    reader = self._refresh()
                    assert reader.searcher is not None
                    return _Snapshot(
                        reader.searcher,
                        reader.facet_cache,
                        reader.synonyms if reader.synonyms is not None else self.synonyms.current(),
                    )
                except (FileNotFoundError, ValueError):
                    # A swap or a merge removed files between our stat and our open;
                    # the pointer already names something newer, so look again.
                    self._pointer_key = None
                    time.sleep(0.005)
            raise SearchEngineError(f"cannot open the live index under {self.data_dir}")

    def _refresh(self) -> _Reader:
        pointer_key = _stat_key(self._pointer)
        if pointer_key != self._pointer_key or self._reader is None:
            generation = self.live_generation()
            if self._reader is None or self._reader.generation != generation:
                path = self.generation_dir(generation)
                index = tantivy.Index.open(str(path))
                index.config_reader(reload_policy="manual")
                self._reader = _Reader(generation, index, synonyms=_generation_synonyms(path))
            self._pointer_key = pointer_key
        reader = self._reader
        meta_key = _stat_key(self.generation_dir(reader.generation) / "meta.json")
        if meta_key != reader.meta_key or reader.searcher is None:
            reader.index.reload()
            reader.meta_key = meta_key
            reader.searcher = reader.index.searcher()
            reader.facet_cache = {}
        return reader

    def count(self) -> int:
        return self._searcher().num_docs

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        searcher, facet_cache, table = self._snapshot()
        # Whole results are kept per snapshot too (decision 61): the index changes only
        # when the worker commits what a catalog event changed, and that commit is a new
        # snapshot with empty caches, so a cached page of hits is never older than the index.
        result_key = ("result", msgspec.json.encode(query), table.version)
        cached = facet_cache.get(result_key)
        if isinstance(cached, SearchResult):
            return msgspec.structs.replace(
                cached, facets={f: dict(c) for f, c in cached.facets.items()},
                took_ms=round((time.perf_counter() - started) * 1000, 3),
            )
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
        facets = facet_cache.get(cache_key)
        if facets is None:
            facets = queries.facet_counts(searcher, query, main, total, text, ranges, facet_filters)
            if len(facet_cache) >= _FACET_CACHE_SIZE:
                facet_cache.pop(next(iter(facet_cache)), None)
            facet_cache[cache_key] = facets
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
        if len(facet_cache) >= _FACET_CACHE_SIZE:
            facet_cache.pop(next(iter(facet_cache)), None)
        facet_cache[result_key] = result  # type: ignore[assignment]
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
            searcher, _cache, table = self._snapshot()
            reader = self._reader
            assert reader is not None
            version_file = self.generation_dir(reader.generation) / _SCHEMA_FILE
            version = int(version_file.read_text(encoding="ascii").strip())
            details.update(
                generation=reader.generation,
                segments=searcher.num_segments,
                schema_version=version,
                synonyms_version=table.version,
            )
            details["rebuilding"] = self._building(cleanup=False)
            ok = version == SCHEMA_VERSION
            if not ok:
                details["error"] = f"schema version {version}, expected {SCHEMA_VERSION}: rebuild"
            return {
                "ok": ok,
                "engine": self.engine_name,
                "docs": searcher.num_docs,
                "details": details,
            }
        except (OSError, ValueError, SearchEngineError) as exc:
            details["error"] = str(exc)
            return {"ok": False, "engine": self.engine_name, "docs": 0, "details": details}

    def close(self) -> None:
        with self._state_lock:
            self._reader = None
            self._pointer_key = None

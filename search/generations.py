"""The embedded index on local disk: numbered generations that web, worker and CLI share.

This module is about files and processes, not about queries (``search/embedded.py`` answers
searches on a snapshot it takes from here). Who touches the index, and how they stay out of
each other's way:

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
are tantivy terms aggregations (``search/tantivy_queries.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NamedTuple

import msgspec
import tantivy

from search.analysis import chosung_index_text, index_text, jamo_index_text
from search.documents import ProductDocument, encode_document
from search.engine import RebuildStats, SearchEngineError
from search.synonyms import SynonymTable

#: Bumped whenever the schema changes; an index with another version needs a rebuild.
SCHEMA_VERSION: Final = 2  # 2: name_jamo and name_chosung (decision 47)
_SCHEMA_FILE: Final = "jangteo-schema-version"
#: The synonym table a rebuild was given, kept with its generation (decision 62).
_SYNONYMS_FILE: Final = "jangteo-synonyms.json"

#: Vendor names and label triples recur across thousands of products; analyse each once.
_repeated_text: Final = functools.lru_cache(maxsize=8_192)(index_text)


def tantivy_document(doc: ProductDocument) -> tantivy.Document:
    """A product as the index stores it: analysed text, facet columns, the encoded original."""
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


class _Op(msgspec.Struct, tag_field="op", tag=str.lower):
    pass


class Upsert(_Op):
    docs: list[ProductDocument]


class Delete(_Op):
    ids: list[int]


_JOURNAL_ENCODER: Final = msgspec.json.Encoder()
_JOURNAL_DECODER: Final = msgspec.json.Decoder(Upsert | Delete)


#: What a search keeps per searcher: facet counts and whole results, keyed by the caller.
SnapshotCache = dict[Any, Any]


@dataclass
class _Reader:
    generation: int
    index: tantivy.Index
    meta_key: tuple[int, int, int] | None = None
    searcher: tantivy.Searcher | None = None
    #: Facet counts and results for this searcher: paging or re-sorting a result reuses
    #: them. Replaced, not cleared, on reload, so a concurrent search cannot store
    #: counts of an old snapshot into the new cache.
    cache: SnapshotCache = field(default_factory=dict)
    #: The generation's own synonym table, if its rebuild was given one.
    synonyms: SynonymTable | None = None


def _generation_synonyms(path: Path) -> SynonymTable | None:
    try:
        return SynonymTable.parse(msgspec.json.decode((path / _SYNONYMS_FILE).read_bytes()))
    except FileNotFoundError:
        return None


class Snapshot(NamedTuple):
    """One consistent view of the live generation, taken together under the state lock."""

    generation: int
    searcher: tantivy.Searcher
    cache: SnapshotCache
    #: The generation's synonym table, or None when its rebuild was given none.
    synonyms: SynonymTable | None


def _stat_key(path: Path) -> tuple[int, int, int]:
    # tantivy and os.replace both write a new file and rename it, so the inode changes
    # on every commit/swap even when mtime granularity would not notice.
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@contextlib.contextmanager
def _committed(writer: tantivy.IndexWriter) -> Iterator[None]:
    """Commit what the block wrote, or roll it back if the block raised; either way wait
    for the writer's merges before leaving."""
    try:
        yield
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()


class GenerationalIndex:
    """One named tantivy index under ``data_dir``, as generations behind a pointer file.

    ``writer_heap_bytes`` and ``writer_threads`` are passed to tantivy for incremental
    writes; a rebuild uses ``rebuild_heap_bytes``. Threads default to 1: on the 2-core
    target a second indexing thread competes with the Python thread that analyses the
    documents, and the benchmark indexed slower with it (9.4k vs 10.2k docs/s).
    """

    def __init__(
        self,
        data_dir: Path,
        index_name: str,
        schema: tantivy.Schema,
        *,
        writer_heap_bytes: int = 64_000_000,
        writer_threads: int = 1,
        rebuild_heap_bytes: int = 256_000_000,
    ) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", index_name):
            raise ValueError(f"index name must be a lower-case identifier: {index_name!r}")
        self.data_dir = Path(data_dir)
        self.index_name = index_name
        self._writer_heap = writer_heap_bytes
        self._writer_threads = writer_threads
        self._rebuild_heap = rebuild_heap_bytes
        self._schema = schema
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
            writer.add_document(tantivy_document(doc))

    def _write(self, op: Upsert | Delete) -> None:
        with self._exclusive():
            generation = self.live_generation()
            index = tantivy.Index.open(str(self.generation_dir(generation)))
            writer = index.writer(heap_size=self._writer_heap, num_threads=self._writer_threads)
            # Merges finish, and the writer (tantivy's own lock) goes, inside our lock:
            # dropping the writer abandons unfinished merges.
            try:
                with _committed(writer):
                    self._apply(writer, op)
                    # Journal before committing: an operation that reached the live index
                    # is then always in the journal too; one journaled but not committed is
                    # retried by its caller, and replaying an upsert or delete twice is
                    # harmless.
                    building = self._building()
                    if building is not None and building != generation:
                        with open(self._journal(building), "ab") as fh:
                            fh.write(_JOURNAL_ENCODER.encode(op) + b"\n")
                            fh.flush()
                            os.fsync(fh.fileno())
            finally:
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
        with _committed(writer):
            for doc in docs:
                if doc.id in seen:  # the last version of a duplicated id wins
                    writer.delete_documents_by_term("id", doc.id)
                seen.add(doc.id)
                writer.add_document(tantivy_document(doc))
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

    def snapshot(self) -> Snapshot:
        """The live generation's searcher, its cache and synonym table, taken together."""
        with self._state_lock:
            for _attempt in range(5):
                try:
                    reader = self._refresh()
                    assert reader.searcher is not None
                    return Snapshot(
                        reader.generation, reader.searcher, reader.cache, reader.synonyms
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
            reader.cache = {}
        return reader

    def schema_version(self, generation: int) -> int:
        """The schema version a generation was built with (see :data:`SCHEMA_VERSION`)."""
        version_file = self.generation_dir(generation) / _SCHEMA_FILE
        return int(version_file.read_text(encoding="ascii").strip())

    def rebuilding(self) -> int | None:
        """The generation a live rebuild is writing, if any (read-only: cleans up nothing)."""
        return self._building(cleanup=False)

    def close(self) -> None:
        with self._state_lock:
            self._reader = None
            self._pointer_key = None

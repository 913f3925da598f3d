"""The synonym table, applied to queries (not to documents) so an edit needs no reindex.

``search/synonyms.toml`` lists groups of words that are one concept to a shopper
(``텀블러`` ~ ``tumbler`` ~ ``보온병``) and one-way expansions (``tea`` also finds ``차``).
Applying them at query time means an edit is live at the next search (the file is
re-read when its mtime changes), the index stays as large as it was, and Meilisearch gets
the same table through its ``synonyms`` setting. The file carries a ``version`` that is
bumped with each edit, so a change can be referred to and rolled back with git.
"""

from __future__ import annotations

import contextlib
import os
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from search.analysis import fold, normalize

DEFAULT_FILE: Final = Path(__file__).with_name("synonyms.toml")
#: Longest synonym key, in query words ("notebook computer" is two).
MAX_KEY_WORDS: Final = 3


def _key(text: str) -> str:
    return " ".join(fold(normalize(text)).split())


@dataclass(frozen=True)
class SynonymTable:
    """``expansions[word]``: the other words ``word`` also finds, in the file's order."""

    version: int = 0
    expansions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> SynonymTable:
        table: dict[str, list[str]] = {}

        def add(source: str, targets: list[str]) -> None:
            found = table.setdefault(_key(source), [])
            for target in targets:
                if _key(target) != _key(source) and _key(target) not in found:
                    found.append(_key(target))

        for group in data.get("same", []):
            words = [str(w) for w in group["words"]]
            for word in words:
                add(word, words)
        for rule in data.get("also", []):
            add(str(rule["from"]), [str(w) for w in rule["to"]])
        return cls(
            version=int(data.get("version", 0)),
            expansions={k: tuple(v) for k, v in table.items() if v},
        )

    @classmethod
    def load(cls, path: Path = DEFAULT_FILE) -> SynonymTable:
        return cls.parse(tomllib.loads(path.read_text(encoding="utf-8")))

    def of(self, word: str) -> tuple[str, ...]:
        return self.expansions.get(_key(word), ())

    def meilisearch_settings(self) -> dict[str, list[str]]:
        """The table in Meilisearch's ``synonyms`` shape (word -> words it also finds)."""
        return {word: list(others) for word, others in self.expansions.items()}


class SynonymFile:
    """A :class:`SynonymTable` that follows its file: re-read when the mtime changes.

    One ``stat`` per search; a missing or broken file keeps the last good table (a
    half-saved edit must not take search down).
    """

    def __init__(self, path: Path = DEFAULT_FILE) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._table = SynonymTable()

    def current(self) -> SynonymTable:
        try:
            st = os.stat(self.path)
        except OSError:
            return self._table
        key = (st.st_mtime_ns, st.st_size)
        if key != self._key:
            with self._lock:
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    self._table = SynonymTable.load(self.path)
                self._key = key
        return self._table

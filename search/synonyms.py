"""The synonym table, applied to queries (not to documents), so the index does not grow.

A table lists groups of words that are one concept to a shopper (``텀블러`` ~ ``tumbler`` ~
``보온병``) and one-way expansions (``tea`` also finds ``차``). ``search/synonyms.toml`` is
the seed and default; admins keep versions of the table in the database (decision 62),
written as lines of text (:func:`parse_lines`), and a rebuild hands the newest version to the
engine, which keeps it with the new index: it takes effect when that index is swapped in.
Without a saved version the engines follow the file (re-read when its mtime changes).
Meilisearch gets the same table through its ``synonyms`` setting.
"""

from __future__ import annotations

import contextlib
import dataclasses
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


#: One line of the text form: ``a, b, c`` (one concept) or ``a => b, c`` (a also finds b, c).
ONE_WAY: Final = "=>"
MAX_LINES: Final = 2_000
MAX_WORD_CHARS: Final = 40


class SynonymSyntaxError(ValueError):
    """A line of the text form that cannot be a rule; ``line`` counts from 1."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}번째 줄: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class SynonymTable:
    """``expansions[word]``: the other words ``word`` also finds, in the rules' order.

    ``same`` and ``also`` are the rules as written, kept so that the table can be shown,
    edited and stored again (:meth:`to_data`, :meth:`to_lines`).
    """

    version: int = 0
    expansions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    same: tuple[tuple[str, ...], ...] = ()
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
            same=tuple(tuple(str(w) for w in g["words"]) for g in data.get("same", [])),
            also=tuple(
                (str(r["from"]), tuple(str(w) for w in r["to"])) for r in data.get("also", [])
            ),
        )

    def to_data(self) -> dict[str, Any]:
        """The rules in the shape :meth:`parse` reads (the toml file's, or JSON)."""
        return {
            "version": self.version,
            "same": [{"words": list(words)} for words in self.same],
            "also": [{"from": source, "to": list(targets)} for source, targets in self.also],
        }

    def to_lines(self) -> str:
        """The rules as the text admins edit (:func:`parse_lines` reads it back)."""
        lines = [", ".join(words) for words in self.same]
        lines += [f"{source} {ONE_WAY} {', '.join(targets)}" for source, targets in self.also]
        return "\n".join(lines) + ("\n" if lines else "")

    def with_version(self, version: int) -> SynonymTable:
        return dataclasses.replace(self, version=version)

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


def _words(text: str, line: int) -> list[str]:
    words = [" ".join(w.split()) for w in text.split(",")]
    words = [w for w in words if w]
    for word in words:
        if len(word) > MAX_WORD_CHARS:
            raise SynonymSyntaxError(line, f"'{word[:10]}…'은(는) {MAX_WORD_CHARS}자보다 깁니다.")
        if len(word.split()) > MAX_KEY_WORDS:
            raise SynonymSyntaxError(line, f"'{word}'은(는) {MAX_KEY_WORDS}단어보다 깁니다.")
        if not _key(word):
            raise SynonymSyntaxError(line, f"'{word}'에는 검색할 글자가 없습니다.")
    return words


def parse_lines(text: str, version: int = 0) -> SynonymTable:
    """The text form: one rule a line, ``#`` starts a comment.

    ``텀블러, tumbler, 보온병``: words that are one concept (any finds all);
    ``tea => 차, 티``: ``tea`` also finds 차 and 티, not the other way round.
    Raises :class:`SynonymSyntaxError` naming the first line that is not a rule.
    """
    same: list[dict[str, list[str]]] = []
    also: list[dict[str, Any]] = []
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise SynonymSyntaxError(MAX_LINES + 1, f"규칙은 {MAX_LINES}줄까지 쓸 수 있습니다.")
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ONE_WAY in line:
            source, _, targets = line.partition(ONE_WAY)
            if ONE_WAY in targets:
                raise SynonymSyntaxError(number, f"'{ONE_WAY}'는 한 줄에 한 번만 씁니다.")
            sources, found = _words(source, number), _words(targets, number)
            if len(sources) != 1:
                raise SynonymSyntaxError(number, f"'{ONE_WAY}' 앞에는 단어 하나를 씁니다.")
            if not found:
                raise SynonymSyntaxError(number, f"'{ONE_WAY}' 뒤에 찾을 단어를 쓰세요.")
            also.append({"from": sources[0], "to": found})
            continue
        words = _words(line, number)
        if len({_key(w) for w in words}) < 2:
            raise SynonymSyntaxError(number, "같은 뜻의 단어를 쉼표로 나눠 둘 이상 쓰세요.")
        same.append({"words": words})
    return SynonymTable.parse({"version": version, "same": same, "also": also})

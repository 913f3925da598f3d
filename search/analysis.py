"""Korean-aware text analysis shared by indexing, querying and highlighting.

Korean product names are compounds written without spaces (``유기농수제쿠키선물세트``), and
shoppers type any part of them (``쿠키``, ``선물세트``). A word-level tokenizer finds none of
those, and a morphological analyser is a heavy dependency that still misses brand-new
compounds. Overlapping character bigrams find every sub-word of two or more syllables:

* Text is NFKC-normalised (full-width Latin, compatibility jamo, ``㈜``) and lower-cased
  without changing its length, so token offsets point into the text a card displays.
* Runs of Hangul (and other CJK scripts) become overlapping bigrams. Runs separated only by
  whitespace are bridged (``수제 쿠키`` also yields ``제쿠``), because Korean spacing is
  inconsistent and ``수제쿠키`` should find ``수제 쿠키``. A lone syllable is its own term.
* Latin letters and digits form whole lower-case words (``EcoBag`` -> ``ecobag``).

Queries are split on whitespace first, then analysed the same way. A Hangul query word of
two or more syllables must match as a *phrase* of consecutive bigrams, so ``선물세트`` does
not match a text that merely has ``선물`` and ``세트`` far apart; a one-syllable word
matches any term containing that syllable; the last Latin word also matches as a prefix,
for search-as-you-type. Every query word must match somewhere (AND), which is what a
shopper narrowing down a catalogue expects.

Why pre-tokenise in Python rather than register a tantivy ``TextAnalyzer``: tantivy's
``Tokenizer.ngram`` works on the whole string, not on words; it bigrams Latin words too
(``co`` would match ``ecobag``), emits junk terms across spaces and punctuation, and gives
every gram position 0, so a parsed "phrase" degenerates into "all bigrams somewhere"
(measured: ``선물세트`` then matches ``선물 … 물세 … 세트``). The embedded engine therefore
indexes :func:`index_text` output (terms joined by spaces) with tantivy's ``whitespace``
tokenizer, which keeps positions consecutive for real phrase queries, and builds queries
from :func:`analyze_query`. Measured on the 100k-product benchmark, analysis costs about
30 µs per product, a third of the indexing time, and indexing still runs at ~10k products/s;
a single-regex bigram variant was slower (55 µs). Meilisearch segments Korean
itself (``localizedAttributes``), so that engine receives raw text and uses none of this.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from search.korean import chosung, jamo

#: Scripts written without spaces between words: Hangul (syllables, jamo, compatibility
#: jamo, extended jamo), kana and CJK ideographs.
_CJK: Final = (
    "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff\uf900-\ufaff"
)
#: A CJK group (runs joined by whitespace only) or a Latin/digit word.
_TOKEN_RE: Final = re.compile(rf"([{_CJK}]+(?:\s+[{_CJK}]+)*)|([^\W_{_CJK}]+)")
_CJK_CHAR_RE: Final = re.compile(rf"[{_CJK}]")
#: Longer Latin "words" are data (hashes, URLs) rather than something a person types.
MAX_WORD_CHARS: Final = 40


def normalize(text: str) -> str:
    """NFKC: the form both stored text and queries are compared in."""
    return unicodedata.normalize("NFKC", text)


def _fold_char(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def fold(text: str) -> str:
    """Lower-case without changing length, so offsets stay valid for the unfolded text."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True, slots=True)
class Token:
    """A term and the span of normalised text it came from (``end`` exclusive)."""

    text: str
    start: int
    end: int


def _cjk_terms(group: str, base: int) -> list[Token]:
    chars = [(m.start() + base, m.group()) for m in _CJK_CHAR_RE.finditer(group)]
    if len(chars) == 1:
        offset, char = chars[0]
        return [Token(char, offset, offset + 1)]
    return [Token(a + b, start, end + 1) for (start, a), (end, b) in itertools.pairwise(chars)]


def tokenize(text: str) -> list[Token]:
    """Terms of ``text`` with offsets into ``normalize(text)``, in order.

    The readable form of what :func:`index_text` emits, for tests and for explaining a
    match; highlighting uses the equivalent patterns of :func:`match_spans` instead.
    """
    folded = fold(normalize(text))
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(folded):
        if match.group(1) is not None:
            tokens.extend(_cjk_terms(match.group(1), match.start()))
        else:
            tokens.append(Token(match.group(2)[:MAX_WORD_CHARS], match.start(), match.end()))
    return tokens


def _terms(text: str) -> list[str]:
    terms: list[str] = []
    for match in _TOKEN_RE.finditer(fold(normalize(text))):
        group = match.group(1)
        if group is None:
            terms.append(match.group(2)[:MAX_WORD_CHARS])
            continue
        chars = "".join(group.split())
        if len(chars) == 1:
            terms.append(chars)
        else:
            terms.extend([chars[i : i + 2] for i in range(len(chars) - 1)])
    return terms


def index_text(*texts: str) -> str:
    """Terms of ``texts`` joined by single spaces, for a whitespace-tokenised field.

    Several texts (e.g. labels) go into one field without bridging between them; the hot
    path of indexing, so it builds strings only.
    """
    return " ".join(term for text in texts for term in _terms(text))


class QueryTermKind(StrEnum):
    """How one query word is matched against indexed terms."""

    PHRASE = "phrase"  # consecutive CJK bigrams (a single bigram is a one-term phrase)
    SYLLABLE = "syllable"  # a lone CJK character: any term containing it
    WORD = "word"  # a Latin/digit word: the exact term, or a prefix for the last word


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One thing a document must contain for the query to match."""

    kind: QueryTermKind
    terms: tuple[str, ...]
    prefix: bool = False

    @property
    def text(self) -> str:
        """The matched surface form, without bigram overlap (``선물세트`` not ``선물물세세트``)."""
        if self.kind is QueryTermKind.PHRASE:
            return self.terms[0] + "".join(term[-1] for term in self.terms[1:])
        return self.terms[0]


def analyze_query(query: str) -> list[QueryTerm]:
    """Split a shopper's query into :class:`QueryTerm` s, all of which must match.

    Whitespace in a query separates words that may appear anywhere; only inside a word
    must bigrams be consecutive. Duplicates are dropped so ``쿠키 쿠키`` scores as ``쿠키``.
    """
    result: list[QueryTerm] = []
    for chunk in fold(normalize(query)).split():
        for match in _TOKEN_RE.finditer(chunk):
            if match.group(1) is not None:
                chars = match.group(1)
                if len(chars) == 1:
                    result.append(QueryTerm(QueryTermKind.SYLLABLE, (chars,)))
                else:
                    bigrams = tuple(chars[i : i + 2] for i in range(len(chars) - 1))
                    result.append(QueryTerm(QueryTermKind.PHRASE, bigrams))
            else:
                word = match.group(2)[:MAX_WORD_CHARS]
                result.append(QueryTerm(QueryTermKind.WORD, (word,)))
    if result and result[-1].kind is QueryTermKind.WORD:
        last = result[-1]
        result[-1] = QueryTerm(last.kind, last.terms, prefix=True)
    unique: list[QueryTerm] = []
    for term in result:
        if term not in unique:
            unique.append(term)
    return unique


def match_spans(text: str, query: list[QueryTerm]) -> list[tuple[int, int]]:
    """Spans of ``normalize(text)`` that the query terms match, merged and sorted.

    Mirrors the engine's matching rules so a highlight never marks what did not match,
    but with one regular expression per term instead of re-tokenising the text: a phrase
    of bigrams is consecutive in a whitespace-bridged CJK group exactly when its
    characters appear separated by nothing but whitespace.
    """
    if not query:
        return []
    folded = fold(normalize(text))
    spans = [m.span() for term in query for m in _pattern(term).finditer(folded)]
    return _merge(spans)


@functools.lru_cache(maxsize=1024)
def _pattern(term: QueryTerm) -> re.Pattern[str]:
    if term.kind is QueryTermKind.SYLLABLE:
        return re.compile(re.escape(term.terms[0]))
    if term.kind is QueryTermKind.PHRASE:
        return re.compile(r"\s*".join(re.escape(char) for char in term.text))
    word = re.escape(term.terms[0])
    edge = rf"(?![^\W_{_CJK}])"
    return re.compile(rf"(?<![^\W_{_CJK}]){word}{'' if term.prefix else edge}")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


#: Longest run of syllables indexed as one jamo term: a query word longer than this is
#: corrected piece by piece (see :mod:`search.forgiving`).
JAMO_GRAM_MAX: Final = 4
_SYLLABLE_RUN_RE: Final = re.compile(r"[\uac00-\ud7a3]+(?:\s+[\uac00-\ud7a3]+)*")


def _syllable_runs(text: str) -> list[str]:
    return ["".join(m.group().split()) for m in _SYLLABLE_RUN_RE.finditer(normalize(text))]


def jamo_index_text(text: str) -> str:
    """Every run of 2 to :data:`JAMO_GRAM_MAX` syllables of ``text``, spelled in jamo.

    The field a one-jamo typo is matched in by an edit-distance query: ``녹챠`` is one
    edit from the term ``녹차`` spells, wherever 녹차 sits in a compound name. On the
    indexing hot path, so syllables are spelled by one ``str.translate`` table.
    """
    terms: list[str] = []
    for run in _syllable_runs(text):
        spelled = [_JAMO_TABLE[ord(char)] for char in run]
        for start in range(len(run) - 1):
            gram = spelled[start]
            for part in spelled[start + 1 : start + JAMO_GRAM_MAX]:
                gram += part
                terms.append(gram)
    return " ".join(terms)


def chosung_index_text(text: str) -> str:
    """Bigrams of the initial consonants of each syllable run (one consonant for one syllable).

    A 초성 query is then a phrase of consonant bigrams, like a word is of syllable bigrams.
    """
    terms: list[str] = []
    for run in _syllable_runs(text):
        initials = run.translate(_CHOSUNG_TABLE)
        if len(initials) == 1:
            terms.append(initials)
        else:
            terms.extend(initials[i : i + 2] for i in range(len(initials) - 1))
    return " ".join(terms)


_JAMO_TABLE: Final = {code: jamo(chr(code)) for code in range(0xAC00, 0xD7A4)}
_CHOSUNG_TABLE: Final = {code: chosung(chr(code)) for code in range(0xAC00, 0xD7A4)}

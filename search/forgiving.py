"""What a shopper's query means: each word (or synonym phrase) becomes a :class:`Concept`
with every way it may be written, from the strictest to the loosest.

Search used to require every query word as an exact phrase of syllable bigrams, so one
wrong jamo, 초성, a particle, an English word or a related word found nothing. A concept
keeps the strict reading first and adds, for the engine to try in tiers:

1. **exact forms**: the word as typed, and the word without a trailing particle when the
   index knows the remainder (``에코백이랑`` -> 에코백); 초성 (``ㅌㅂㄹ``) and mixed forms
   (``텀ㅂ``: 텀 then a syllable starting with ㅂ) are exact forms of their own kind;
2. **synonym forms** from :mod:`search.synonyms` (``tumbler`` -> 텀블러), ranked below 1;
3. **loose forms**, only when the strict query finds less than a page: the word within a
   few jamo edits (fewer for short words, as Meilisearch scales typos with length), and
   its sub-words (``수제잼`` -> 수제, 잼, with the head noun at the end weighted up).

The engine (``search/tantivy_queries.py``) ranks the tiers strictly: every exact match
above every synonym-only match above every match that needed correcting or relaxing.
This module is pure: ``known`` answers whether the index has a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from search.analysis import JAMO_GRAM_MAX, QueryTerm, QueryTermKind, analyze_query, fold, normalize
from search.korean import chosung, is_choseong, is_syllable, jamo, likely_slips, strip_particle
from search.synonyms import MAX_KEY_WORDS, SynonymTable

_SYLLABLE_RUNS: Final = re.compile(r"[\uac00-\ud7a3]+(?:\s+[\uac00-\ud7a3]+)*")

#: A strict result smaller than one page of the search page is widened (the looser tiers),
#: by either engine.
RELAX_BELOW: Final = 20

#: Weight of a particle-stripped form and of a synonym relative to the typed word.
STRIPPED_WEIGHT: Final = 0.9
SYNONYM_WEIGHT: Final = 0.6


@dataclass(frozen=True, slots=True)
class Form:
    """One way of writing a concept: all of ``terms`` must match."""

    terms: tuple[QueryTerm, ...]
    weight: float = 1.0
    synonym: bool = False


@dataclass(frozen=True, slots=True)
class Fuzzy:
    """``text`` within ``distance`` edits in ``field`` (jamo n-grams, or whole Latin words)."""

    field: str
    text: str
    distance: int


@dataclass(frozen=True, slots=True)
class Concept:
    text: str
    forms: tuple[Form, ...] = ()
    #: 초성 bigrams (one consonant for a one-consonant word) that must be consecutive.
    chosung: tuple[str, ...] = ()
    #: Syllables typed before the consonants of a mixed form (``텀`` of ``텀ㅂ``).
    chosung_prefix: QueryTerm | None = None
    #: The words the 초성 most often spell in matching names (``ㅈㅈㄱ`` -> 자전거), which
    #: rank first; filled in by the engine, which sees the names.
    expansions: tuple[str, ...] = ()
    #: All must match: a long word is corrected piece by piece.
    fuzzy: tuple[Fuzzy, ...] = ()
    #: Jamo spellings one likely slip away (neighbouring key, sound-alike): ranked above
    #: other corrections.
    slips: tuple[str, ...] = ()
    #: Any may match, with its weight: sub-words for relaxation.
    subwords: tuple[tuple[QueryTerm, float], ...] = ()
    #: Whether every sub-word must be there (the two syllables of a two-syllable word).
    subwords_all: bool = False

    def exact_forms(self, *, synonyms: bool) -> tuple[Form, ...]:
        return tuple(f for f in self.forms if synonyms or not f.synonym)

    @property
    def has_synonyms(self) -> bool:
        return any(f.synonym for f in self.forms)


def typo_distance(spelled: str) -> int:
    """Edits allowed for a word of this many jamo: none under 4, one up to 9, then two.

    Two syllables are four to six jamo, where one slip is already a different word
    half the time, so one edit is the most; two only for words of four syllables or more.
    """
    if len(spelled) < 4:
        return 0
    return 1 if len(spelled) < 10 else 2


def latin_typo_distance(word: str) -> int:
    """Meilisearch's defaults for Latin words: one typo from 5 letters, two from 9."""
    if len(word) < 5:
        return 0
    return 1 if len(word) < 9 else 2


def _chunks(word: str) -> list[str]:
    """``word`` cut into pieces of at most :data:`JAMO_GRAM_MAX` syllables, none of one."""
    if len(word) <= JAMO_GRAM_MAX:
        return [word]
    count = -(-len(word) // JAMO_GRAM_MAX)
    size = -(-len(word) // count)
    pieces = [word[i : i + size] for i in range(0, len(word), size)]
    if len(pieces[-1]) == 1:
        pieces[-2] += pieces.pop()
    return pieces


def _fuzzy(word: str) -> tuple[Fuzzy, ...]:
    if all(is_syllable(c) for c in word) and len(word) >= 2:
        found = []
        for piece in _chunks(word):
            spelled = jamo(piece)
            distance = typo_distance(spelled)
            if distance == 0:
                return ()
            found.append(Fuzzy("name_jamo", spelled, distance))
        return tuple(found)
    if word.isascii() and word.isalpha():
        distance = latin_typo_distance(word)
        if distance:
            return (Fuzzy("name", word, distance),)
    return ()


def _slips(word: str) -> tuple[str, ...]:
    if 2 <= len(word) <= JAMO_GRAM_MAX and all(is_syllable(c) for c in word):
        return tuple(likely_slips(jamo(word)))
    return ()


def _syllable(char: str) -> QueryTerm:
    return QueryTerm(QueryTermKind.SYLLABLE, (char,))


def _subwords(word: str, synonyms: SynonymTable) -> tuple[tuple[QueryTerm, float], ...]:
    """Pieces of a Hangul compound; the last syllable is the head noun in Korean, and
    its synonyms count too (``도자기컵`` -> 도자기 and 컵, 머그)."""
    if len(word) < 2 or not all(is_syllable(c) for c in word):
        return ()
    if len(word) == 2:
        pieces = [(_syllable(word[0]), 0.5), (_syllable(word[1]), 1.0)]
    else:
        pieces = [
            (QueryTerm(QueryTermKind.PHRASE, (word[i : i + 2],)), 1.0) for i in range(len(word) - 1)
        ]
        pieces.append((_syllable(word[-1]), 1.0))
    if len(word) > 2:
        for head in (word[-1], word[-2:]):
            for other in synonyms.of(head):
                pieces += [(term, SYNONYM_WEIGHT) for term in analyze_query(other)]
    return tuple(dict.fromkeys(pieces))


def _chosung_concept(word: str) -> Concept:
    initials = chosung(word)
    bigrams = (
        (initials,)
        if len(initials) == 1
        else tuple(initials[i : i + 2] for i in range(len(initials) - 1))
    )
    prefix_chars = ""
    for char in word:
        if not is_syllable(char):
            break
        prefix_chars += char
    prefix = analyze_query(prefix_chars)[0] if prefix_chars else None
    return Concept(text=word, chosung=bigrams, chosung_prefix=prefix)


def _forms(text: str, weight: float, *, synonym: bool, last: bool = True) -> list[Form]:
    """``text`` as one form; a Latin word is a prefix only at the end of the query.

    Synonyms are never prefixes: ``tea`` must not find 티셔츠 through 티.
    """
    terms: list[QueryTerm] = []
    for term in analyze_query(text):
        if not last and term.prefix:
            term = QueryTerm(term.kind, term.terms)
        if synonym and term.prefix:
            term = QueryTerm(term.kind, term.terms)
        terms.append(term)
    return [Form(tuple(terms), weight, synonym)] if terms else []


def _word_concept(
    word: str, synonyms: SynonymTable, known: Callable[[str], bool], *, last: bool
) -> Concept:
    if any(is_choseong(c) for c in word) and all(is_choseong(c) or is_syllable(c) for c in word):
        return _chosung_concept(word)
    forms = _forms(word, 1.0, synonym=False, last=last)
    bases = [word]
    typed_known = all(is_syllable(c) for c in word) and known(word)
    # A particle only comes off a word the index does not know as typed: 한과 stays 한과
    # (not 한 + 과), 텀블러를 becomes 텀블러.
    if all(is_syllable(c) for c in word) and not typed_known:
        for stem in strip_particle(word):
            if known(stem):
                forms += _forms(stem, STRIPPED_WEIGHT, synonym=False)
                bases.append(stem)
    for base in bases:
        for other in synonyms.of(base):
            forms += _forms(other, SYNONYM_WEIGHT, synonym=True)
    head = bases[-1]  # the shortest known stem: what the shopper's noun most likely is
    return Concept(
        text=word,
        forms=tuple(dict.fromkeys(forms)),
        fuzzy=_fuzzy(head),
        # A word the index knows (as typed or without its particle) needs no correcting.
        slips=() if typed_known or len(bases) > 1 else _slips(head),
        subwords=_subwords(head, synonyms),
        subwords_all=len(head) == 2,
    )


def plan(query: str, synonyms: SynonymTable, known: Callable[[str], bool]) -> list[Concept]:
    """The concepts of ``query``, all of which a strict match contains.

    Several words that together are a synonym key (``eco bag``, ``board game``) are one
    concept, matched as typed or as their synonyms.
    """
    words = fold(normalize(query)).split()
    concepts: list[Concept] = []
    i = 0
    while i < len(words):
        for size in range(min(MAX_KEY_WORDS, len(words) - i), 1, -1):
            phrase = " ".join(words[i : i + size])
            others = synonyms.of(phrase)
            if others:
                forms = _forms(phrase, 1.0, synonym=False, last=i + size == len(words))
                for other in others:
                    forms += _forms(other, SYNONYM_WEIGHT, synonym=True)
                concepts.append(Concept(text=phrase, forms=tuple(dict.fromkeys(forms))))
                i += size
                break
        else:
            concept = _word_concept(words[i], synonyms, known, last=i == len(words) - 1)
            if concept.forms or concept.chosung:
                concepts.append(concept)
            i += 1
    return list({c.text: c for c in concepts}.values())


def chosung_expansions(concept: Concept, names: list[str]) -> tuple[str, ...]:
    """The syllables ``concept``'s 초성 spell in ``names``, most frequent first, kept only
    when one spelling is shared by several names (a lone match says nothing)."""
    initials = "".join(g[0] for g in concept.chosung) + concept.chosung[-1][-1:]
    if len(concept.chosung) == 1:
        initials = concept.chosung[0]
    if len(initials) < 2:
        return ()
    counts: dict[str, int] = {}
    for name in names:
        seen: set[str] = set()
        for run in _SYLLABLE_RUNS.findall(normalize(name)):
            run = "".join(run.split())
            spelled = chosung(run)
            start = spelled.find(initials)
            while start >= 0:
                seen.add(run[start : start + len(initials)])
                start = spelled.find(initials, start + 1)
        for word in seen:
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return tuple(word for word, count in ranked[:2] if count >= 2)


def highlight_terms(concepts: list[Concept], *, synonyms: bool) -> list[QueryTerm]:
    """The terms a result card marks: every exact form, and synonyms if they were searched."""
    terms: list[QueryTerm] = []
    for concept in concepts:
        for form in concept.exact_forms(synonyms=synonyms):
            terms.extend(t for t in form.terms if t not in terms)
        if concept.chosung_prefix is not None and concept.chosung_prefix not in terms:
            terms.append(concept.chosung_prefix)
    return terms
